"""Slowing down password guessing without letting strangers lock anyone out (OWASP
"device cookies").

A browser that has logged in to an account receives a signed device cookie naming that
account. Its attempts are counted on their own (per device and account): a stranger's
wrong passwords, however many, never lock it. Every other attempt is counted per account
and network (the /24 or /48 of its address), never per account alone nor per address
alone: 50 guesses from 50 addresses hold back no one, and guesses from a mobile carrier's
shared address hold back only that account from that network, not everyone behind it
(bursts from one address are the route's rate limit's). Once a count reaches its limit
inside the window the attempt gets 429 before the password is checked, so guessing costs
the attacker time and costs us no argon2 work. A success clears the counts of that
(account, network) and device; a password reset by email trusts the browser it was made
in, so the owner can always get back in. Counts live in Redis and fail open (with a
warning) when it is down: argon2 keeps guessing slow.
"""

from __future__ import annotations

import logging
import secrets

import redis
from flask import after_this_request, current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

from app.core import redis_client
from app.fraud.fingerprints import account_key, network_of

log = logging.getLogger(__name__)

PREFIX = "dauys:login-fail"
DEVICE_SALT = "dauys.device-cookie"
MAX_ACCOUNTS_PER_DEVICE = 5


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=DEVICE_SALT)


def _device() -> tuple[str, list[str]] | None:
    """(nonce, account keys) from a valid device cookie, or None."""
    raw = request.cookies.get(current_app.config["DEVICE_COOKIE_NAME"])
    if not raw or len(raw) > 1000:
        return None
    try:
        data = _serializer().loads(raw)
    except BadSignature:
        return None
    if (not isinstance(data, dict) or not isinstance(data.get("n"), str)
            or not isinstance(data.get("a"), list)):
        return None
    return data["n"], [a for a in data["a"] if isinstance(a, str)]


def _trusted_nonce(email: str) -> str | None:
    device = _device()
    if device is not None and account_key(email) in device[1]:
        return device[0]
    return None


def _keys(email: str, address: str) -> dict[str, str]:
    acct = account_key(email)
    nonce = _trusted_nonce(email)
    if nonce is not None:
        return {"LOGIN_MAX_FAILURES_PER_DEVICE": f"{PREFIX}:device:{nonce}:{acct}"}
    return {"LOGIN_MAX_FAILURES_PER_ACCOUNT_NETWORK": f"{PREFIX}:acct-net:{acct}:{network_of(address)}"}


def is_blocked(email: str, address: str) -> bool:
    """True when this attempt's device, or its account, address or pair, failed too often."""
    keys = _keys(email, address)
    try:
        counts = redis_client.connection().mget(list(keys.values()))
    except redis.RedisError as exc:
        log.warning("login throttle unavailable: %s", exc)
        return False
    cfg = current_app.config
    return any(int(n or 0) >= cfg[limit] for limit, n in zip(keys, counts, strict=True))


def record_failure(email: str, address: str) -> None:
    window = current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"]
    pipe = redis_client.connection().pipeline()
    for key in _keys(email, address).values():
        pipe.incr(key)
        pipe.expire(key, window)
    try:
        pipe.execute()
    except redis.RedisError as exc:
        log.warning("login failure not counted: %s", exc)


def _delete(*keys: str) -> None:
    try:
        redis_client.connection().delete(*keys)
    except redis.RedisError as exc:
        log.warning("login failures not cleared: %s", exc)


def record_success(email: str, address: str) -> None:
    """Clear this attempt's counts and remember this browser as the account's device."""
    _delete(*_keys(email, address).values())
    trust_this_device(email)


def password_was_reset(email: str) -> None:
    """The owner proved the mailbox, and the guesses were at a password that is no more:
    the account's counts go, and this browser is theirs from now on."""
    try:
        connection = redis_client.connection()
        stale = list(connection.scan_iter(match=f"{PREFIX}:acct-net:{account_key(email)}:*", count=1000))
        if stale:
            connection.delete(*stale)
    except redis.RedisError as exc:
        log.warning("login failures not cleared: %s", exc)
    trust_this_device(email)


def trust_this_device(email: str) -> None:
    device = _device()
    nonce, accounts = device if device is not None else (secrets.token_urlsafe(16), [])
    acct = account_key(email)
    accounts = ([acct] + [a for a in accounts if a != acct])[:MAX_ACCOUNTS_PER_DEVICE]
    value = _serializer().dumps({"n": nonce, "a": accounts})
    cfg = current_app.config

    @after_this_request
    def set_cookie(response):
        response.set_cookie(cfg["DEVICE_COOKIE_NAME"], value, max_age=cfg["DEVICE_COOKIE_MAX_AGE"],
                            path="/", secure=cfg["DEVICE_COOKIE_SECURE"], httponly=True, samesite="Lax")
        return response

