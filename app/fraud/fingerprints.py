"""Fingerprints: what fraud analysis keeps about where a request came from, never in
clear. Addresses and networks are keyed hashes (HMAC); browsers and mailboxes are
plain hashes, short enough to mean nothing on their own."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from flask import current_app

from app.mail.addresses import normalize_email


def _hmac(value: str) -> bytes:
    return hmac.new(current_app.config["SECRET_KEY"].encode(), value.encode(), hashlib.sha256).digest()


def fingerprints(ip: str | None, user_agent: str | None) -> dict:
    """What fraud analysis keeps about where a request came from, never in clear:
    ip_hmac, network_hmac (bytes) and user_agent_hash (16 hex digits)."""
    fields: dict = {}
    if ip:
        try:
            addr = ipaddress.ip_address(ip)
            prefix = 24 if addr.version == 4 else 48
            network = ipaddress.ip_network(f"{addr}/{prefix}", strict=False)
            fields["ip_hmac"] = _hmac(f"ip:{addr}")
            fields["network_hmac"] = _hmac(f"net:{network}")
        except ValueError:
            pass
    if user_agent:
        fields["user_agent_hash"] = hashlib.sha256(user_agent.encode()).hexdigest()[:16]
    return fields


def account_key(email: str) -> str:
    # Hashed so that neither Redis nor the cookie holds our users' addresses in clear.
    return hashlib.sha256(normalize_email(email).encode()).hexdigest()[:32]
