"""Counting failed log-ins per account and per address, in Redis.

Once an account (or an address) has failed too often inside the window, further
attempts are refused with 429 before the password is even checked, so guessing
costs the attacker time and costs us no argon2 work. A success clears the account's
count ("in a row").
"""

from __future__ import annotations

import hashlib

from flask import current_app

from app import queue


def _keys(email: str, address: str) -> tuple[str, str]:
    # Hash the email so Redis never holds the address list of our users in clear.
    account = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return f"dauys:login-fail:acct:{account}", f"dauys:login-fail:addr:{address}"


def is_blocked(email: str, address: str) -> bool:
    acct_key, addr_key = _keys(email, address)
    acct, addr = queue.connection().mget(acct_key, addr_key)
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
    pipe.execute()


def record_success(email: str, address: str) -> None:
    acct_key, _ = _keys(email, address)
    queue.connection().delete(acct_key)
