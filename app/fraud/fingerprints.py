"""Fingerprints: what fraud analysis keeps about where a request came from, never in
clear. Addresses and networks are keyed hashes (HMAC); browsers and mailboxes are
plain hashes, short enough to mean nothing on their own."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from flask import current_app

from app.core.mailboxes import normalize_email


def _hmac(value: str, key: str) -> bytes:
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).digest()


def _keys() -> list[str]:
    """The keys a stored fingerprint may have been made with, the current one first.
    Before FINGERPRINT_HMAC_KEY existed, fingerprints were keyed with SECRET_KEY; those
    stay matchable until the retention period erases them (app.petitions.jobs)."""
    keys = [current_app.config["FINGERPRINT_HMAC_KEY"]]
    if current_app.config["SECRET_KEY"] not in keys:
        keys.append(current_app.config["SECRET_KEY"])
    return keys


def network_of(address: str) -> str:
    """The /24 (IPv4) or /48 (IPv6) an address is in, as text; the text itself when it is
    no IP address."""
    try:
        return str(_network(ipaddress.ip_address(address)))
    except ValueError:
        return address


def _network(addr: ipaddress.IPv4Address | ipaddress.IPv6Address):
    """The /24 (IPv4) or /48 (IPv6) an address belongs to."""
    return ipaddress.ip_network(f"{addr}/{24 if addr.version == 4 else 48}", strict=False)


def fingerprints(ip: str | None, user_agent: str | None) -> dict:
    """What fraud analysis keeps about where a request came from, never in clear:
    ip_hmac, network_hmac (bytes, keyed with FINGERPRINT_HMAC_KEY) and user_agent_hash
    (16 hex digits)."""
    fields: dict = {}
    if ip:
        try:
            addr = ipaddress.ip_address(ip)
            key = current_app.config["FINGERPRINT_HMAC_KEY"]
            fields["ip_hmac"] = _hmac(f"ip:{addr}", key)
            fields["network_hmac"] = _hmac(f"net:{_network(addr)}", key)
        except ValueError:
            pass
    if user_agent:
        fields["user_agent_hash"] = hashlib.sha256(user_agent.encode()).hexdigest()[:16]
    return fields


def account_key(email: str) -> str:
    # Hashed so that neither Redis nor the cookie holds our users' addresses in clear.
    return hashlib.sha256(normalize_email(email).encode()).hexdigest()[:32]


def address_candidates(address: str) -> list[bytes]:
    """Every ip_hmac a signature from this address (in clear) may carry: one per key in
    use (see _keys). Raises ValueError for something that is not an address."""
    addr = ipaddress.ip_address(address.strip())
    return [_hmac(f"ip:{addr}", key) for key in _keys()]


def network_candidates(network: str) -> list[bytes]:
    """Every network_hmac a signature from this network may carry, one per key in use.
    `network` is an address of the network or the network itself (10.20.30.0/24); a
    wider or narrower prefix than the /24 or /48 fingerprinted raises ValueError, as
    does something that is not an address."""
    text = network.strip()
    if "/" in text:
        net = ipaddress.ip_network(text, strict=False)
        if net != _network(net.network_address):
            raise ValueError("fingerprints are taken of /24 (IPv4) or /48 (IPv6) networks")
    else:
        net = _network(ipaddress.ip_address(text))
    return [_hmac(f"net:{net}", key) for key in _keys()]
