"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

import contextlib
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.models.user import NO_PASSWORD

MIN_LENGTH = 8
MAX_LENGTH = 128

_hasher = PasswordHasher()  # argon2id with the library's current recommended cost
# A valid hash of a random password, verified against when the account does not exist
# so that a log-in for an unknown email costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash("dauys-timing-equaliser-not-a-password")

# Local additions to the public list: Cyrillic keyboard runs and local favourites.
_LOCAL_COMMON = {
    "йцукенгш", "йцукен123", "qwertyйцукен", "пароль123", "парольпароль",
    "kazakhstan", "qazaqstan", "kazakhstan1", "astana123", "almaty123",
    "qwerty123", "1q2w3e4r", "1qaz2wsx", "zaq12wsx", "qazwsxedc",
}


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    # Loaded on first use: 30,000 words that a process that never checks a password
    # (a worker) need not hold.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"]) | _LOCAL_COMMON


def is_common(password: str) -> bool:
    lowered = password.lower()
    return lowered in _common_passwords() or len(set(lowered)) <= 2


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    if stored_hash is None or stored_hash == NO_PASSWORD:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
