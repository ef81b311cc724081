"""Counting failed log-ins per account and per address, in Redis.

Once an account (or an address) has failed too often inside the window, further
attempts are refused with 429 before the password is even checked, so guessing
costs the attacker time and costs us no argon2 work. A success clears the account's
count ("in a row").
"""

from __future__ import annotations

import hashlib
import logging

import redis
from flask import current_app

from app import queue

log = logging.getLogger(__name__)


def _keys(email: str, address: str) -> tuple[str, str]:
    # Hash the email so Redis never holds the address list of our users in clear.
    account = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return f"dauys:login-fail:acct:{account}", f"dauys:login-fail:addr:{address}"


def is_blocked(email: str, address: str) -> bool:
    """True when this account or address has failed too often. Fails open (with a
    warning) if Redis is down: people can still log in, and argon2 keeps guessing slow."""
    acct_key, addr_key = _keys(email, address)
    try:
        acct, addr = queue.connection().mget(acct_key, addr_key)
    except redis.RedisError as exc:
        log.warning("login throttle unavailable: %s", exc)
        return False
    cfg = current_app.config
    return int(acct or 0) >= cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"] or int(
        addr or 0
    ) >= cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"]


def record_failure(email: str, address: str) -> None:
    window = current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"]
    pipe = queue.connection().pipeline()
    for key in _keys(email, address):
        pipe.incr(key)
        pipe.expire(key, window)
    try:
        pipe.execute()
    except redis.RedisError as exc:
        log.warning("login failure not counted: %s", exc)


def record_success(email: str, address: str) -> None:
    acct_key, _ = _keys(email, address)
    try:
        queue.connection().delete(acct_key)
    except redis.RedisError as exc:
        log.warning("login failures not cleared: %s", exc)
