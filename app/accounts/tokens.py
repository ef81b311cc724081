"""Signed, expiring, single-purpose tokens for email links.

Each purpose has its own salt, so a token made for one cannot be used for another.
Tokens carry ids and a short fingerprint of the state they act on (the email being
verified, the current password hash): once that state changes the token is spent,
which makes every link single-use without a table of used tokens.
"""

from __future__ import annotations

import enum
import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from app.accounts.messages import ERRORS
from app.core import clock
from app.core.refusals import Refusal
from app.models.base import MAX_ID


class Purpose(enum.Enum):
    VERIFY_EMAIL = "dauys.verify-email"
    RESET_PASSWORD = "dauys.reset-password"  # noqa: S105 (a salt name, not a secret)
    CHANGE_EMAIL = "dauys.change-email"
    DIGEST_PREFERENCES = "dauys.digest-preferences"
    UNSUBSCRIBE = "dauys.unsubscribe"


class TokenError(Refusal):
    """Raised for an expired, tampered or malformed token; `expired` tells which (code
    "expired" or "invalid", field "token": messages in app.accounts.messages)."""

    status = 400
    messages = ERRORS

    def __init__(self, expired: bool):
        super().__init__("expired" if expired else "invalid", "token")
        self.expired = expired


def fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]


class _ClockSigner(TimestampSigner):
    """Stamps and ages tokens by the application's clock."""

    def get_timestamp(self) -> int:
        return int(clock.timestamp())


def _serializer(purpose: Purpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose.value, signer=_ClockSigner)


def make_token(purpose: Purpose, user_id: int, state: str, **extra: str) -> str:
    """`extra` rides along, signed (e.g. "n": where to go once the link is followed)."""
    return _serializer(purpose).dumps({"u": user_id, "s": fingerprint(state), **extra})


def token_extra(purpose: Purpose, token: str, max_age: int, key: str) -> str | None:
    """A value carried in a valid token, or None (absent, or the token is not valid)."""
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except BadSignature:  # SignatureExpired included
        return None
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def read_token(purpose: Purpose, token: str, max_age: int) -> tuple[int, str]:
    """Return (user_id, state fingerprint). Raises TokenError."""
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise TokenError(expired=True) from None
    except BadSignature:
        raise TokenError(expired=False) from None
    user_id = data.get("u") if isinstance(data, dict) else None
    # An id the database cannot hold names nobody (bool is an int to Python: refused).
    if type(user_id) is not int or not 1 <= user_id <= MAX_ID or "s" not in data:
        raise TokenError(expired=False)
    return data["u"], data["s"]
