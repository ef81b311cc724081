"""The second factor: time-based one-time codes (RFC 6238) and one-time recovery codes.

Staff (moderators, officials, administrators) must have it before any staff page opens;
any citizen may turn it on. A code is accepted once: the time step it belongs to is
stored and a guarded UPDATE refuses the same or an older step, so a code seen over a
shoulder or in a proxy log cannot be replayed. Recovery codes are kept as SHA-256 hashes
(they are random, 50 bits each, so a slow hash adds nothing) and each is spent by a
guarded UPDATE too. Services flush, never commit.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
import secrets
from datetime import timedelta
from typing import ClassVar

import pyotp
import segno
from flask import current_app
from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts import sessions
from app.accounts.messages import ERRORS
from app.accounts.passwords import verify_password
from app.audit.services import record
from app.core import clock
from app.core.database import write_now
from app.core.refusals import Refusal
from app.extensions import db
from app.models import RecoveryCode, User

RECOVERY_CODES = 10
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_SEPARATORS = re.compile(r"[\s\-]")


class SecondFactorError(Refusal):
    """A code (or the password asked again) was wrong. `field` says which: "code",
    "password", or "locked" (too many wrong codes in the window: nothing was checked);
    `code` is the reason the table (app.accounts.messages) words. 401: the person did
    not prove who they are."""

    status = 401
    messages = ERRORS
    _CODES: ClassVar[dict[str, str]] = {"code": "wrong_code", "password": "wrong_password",
                                        "locked": "too_many_codes"}

    def __init__(self, field: str = "code"):
        super().__init__(self._CODES[field], field)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email,
                                              issuer_name=current_app.config["TWO_FACTOR_ISSUER"])


def qr_svg(uri: str) -> bytes:
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=5, border=2, xmldecl=False,
                                    title="QR")
    return out.getvalue()


def _clean(code: str | None) -> str:
    return _SEPARATORS.sub("", code or "").lower()


def _matching_step(secret: str, code: str) -> int | None:
    """The time step (now, or one either side for clock drift) whose code this is."""
    if not re.fullmatch(r"[0-9]{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    now = clock.now()
    step = totp.timecode(now)
    for offset in (0, -1, 1):
        if secrets.compare_digest(totp.generate_otp(step + offset), code):
            return step + offset
    return None


def _spend_step(user: User, step: int) -> bool:
    """Accept `step` for `user` unless it (or a later one) was accepted before."""
    spent = write_now(
        update(User).where(User.id == user.id,
                           or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
    ) == 1
    if spent:
        set_committed_value(user, "totp_last_step", step)
    return spent


def _window() -> timedelta:
    return timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"])


# Two counts of wrong answers, each on the account: the log-in's codes, and the answers
# to "prove it is you" inside a session (turning the second factor off, deleting the
# account). A stolen session guessing there must not lock its owner out of logging in.
COUNTS = {False: ("second_factor_failures", "second_factor_failed_at"),
          True: ("reauth_failures", "reauth_failed_at")}


def is_locked(user: User, reauth: bool = False) -> bool:
    """Too many wrong answers lately (at log-in, or with `reauth` inside a session): none
    is checked until the window passes."""
    failures, failed_at = (getattr(user, name) for name in COUNTS[reauth])
    return (failures >= current_app.config["TWO_FACTOR_MAX_FAILURES"] and failed_at is not None
            and clock.now() - failed_at < _window())


def _count_failure(user: User, reauth: bool = False) -> None:
    failures_name, failed_at_name = COUNTS[reauth]
    failures_column, failed_at_column = getattr(User, failures_name), getattr(User, failed_at_name)
    now = clock.now()
    fresh = or_(failed_at_column.is_(None), failed_at_column < now - _window())
    failures = write_now(update(User).where(User.id == user.id).values(
        {failures_column: case((fresh, 1), else_=failures_column + 1), failed_at_column: now})
        .returning(failures_column))
    set_committed_value(user, failures_name, failures)
    set_committed_value(user, failed_at_name, now)


def _clear_failures(user: User, reauth: bool = False) -> None:
    failures_name = COUNTS[reauth][0]
    if getattr(user, failures_name):
        write_now(update(User).where(User.id == user.id).values({getattr(User, failures_name): 0}))
        set_committed_value(user, failures_name, 0)


def _hash_code(code: str) -> bytes:
    return hashlib.sha256(_clean(code).encode()).digest()


def _spend_recovery_code(user: User, code: str) -> bool:
    return write_now(
        update(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                   RecoveryCode.code_hash == _hash_code(code),
                                   RecoveryCode.used_at.is_(None))
        .values(used_at=clock.now())
    ) == 1


def check(user: User, code: str | None, reauth: bool = False) -> None:
    """Accept a current code from the app or an unused recovery code. Wrong codes are
    counted on the account (in the database, so neither a replayed cookie nor a Redis
    outage resets them), on the log-in's count or, with `reauth`, the count of answers
    inside a session; past TWO_FACTOR_MAX_FAILURES in the window nothing is checked.
    Raises SecondFactorError ("code", or "locked")."""
    if user.has_second_factor and is_locked(user, reauth):
        raise SecondFactorError("locked")
    code = _clean(code)
    if not user.has_second_factor or not code:
        raise SecondFactorError()
    step = _matching_step(user.totp_secret, code)
    if step is not None and _spend_step(user, step):
        _clear_failures(user, reauth)
        return
    if step is None and _spend_recovery_code(user, code):
        _clear_failures(user, reauth)
        record(user, "user.recovery_code_used", "user", user.id, after={"left": recovery_codes_left(user)})
        return
    _count_failure(user, reauth)
    raise SecondFactorError("locked" if is_locked(user, reauth) else "code")


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(RecoveryCode)
                             .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))


def _spell(raw: str) -> str:
    return f"{raw[:5]}-{raw[5:]}"


def _store_recovery_codes(user: User, codes: list[str]) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash_code(c)) for c in codes)
    db.session.flush()
    return codes


def _make_recovery_codes(user: User) -> list[str]:
    return _store_recovery_codes(
        user, [_spell("".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))) for _ in range(RECOVERY_CODES)])


def _enrolment_codes(user_id: int, secret: str) -> list[str]:
    """The recovery codes an enrolment with `secret` gives, derived from it with the
    application's key: the same enrolment sent twice (a double click, a reload) shows the
    same codes, and they are the ones that work. They reveal nothing the secret itself
    does not (whoever holds it makes codes of the app at will); renewed codes are random."""
    key = current_app.config["SECRET_KEY"].encode()
    codes = []
    for i in range(RECOVERY_CODES):
        number = int.from_bytes(hmac.new(key, f"dauys.recovery-codes:{user_id}:{secret}:{i}".encode(),
                                         hashlib.sha256).digest())
        raw = ""
        for _ in range(10):
            number, digit = divmod(number, len(_CODE_ALPHABET))
            raw += _CODE_ALPHABET[digit]
        codes.append(_spell(raw))
    return codes


# How long the same enrolment sent again still shows its codes.
REPLAY_SECONDS = 600


def enrolment_again(user: User, secret: str | None) -> list[str] | None:
    """The enrolment this browser has just made (its secret, from its session), sent
    again: its recovery codes to show once more, or None if it is not that enrolment, it
    is older than REPLAY_SECONDS, or its codes were renewed or used since."""
    if not secret or user.totp_secret != secret or user.totp_enabled_at is None \
            or clock.now() - user.totp_enabled_at > timedelta(seconds=REPLAY_SECONDS):
        return None
    codes = _enrolment_codes(user.id, secret)
    unused = db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None),
        RecoveryCode.code_hash.in_([_hash_code(c) for c in codes])))
    return codes if unused == RECOVERY_CODES else None


def enable(user: User, secret: str, code: str | None) -> list[str]:
    """Turn the second factor on with the secret the user's app now holds, proven by a
    code from it. Ends the account's other sessions. Returns the recovery codes, which
    are shown once. Idempotent: one guarded statement turns it on, and the same
    enrolment sent again at the same moment gets the same codes (`enrolment_again`).
    Raises SecondFactorError."""
    step = _matching_step(secret, _clean(code))
    if step is None:
        raise SecondFactorError()
    turned_on = db.session.execute(
        update(User).where(User.id == user.id, User.totp_enabled_at.is_(None))
        .values(totp_secret=secret, totp_enabled_at=clock.now(), totp_last_step=step)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(user)
    if not turned_on:
        codes = enrolment_again(user, secret)
        if codes is None:  # on already, with another secret: this code proves nothing
            raise SecondFactorError()
        return codes
    codes = _store_recovery_codes(user, _enrolment_codes(user.id, secret))
    # This browser proved both factors just now: it stays signed in; no other does.
    sessions.end_all(user, keep=user.current_session)
    sessions.mark_second_factor(user)
    record(user, "user.second_factor_on", "user", user.id)
    return codes


def new_recovery_codes(user: User, code: str | None) -> list[str]:
    """Replace the recovery codes, proven by a current code. Raises SecondFactorError."""
    check(user, code)
    codes = _make_recovery_codes(user)
    record(user, "user.recovery_codes_renewed", "user", user.id)
    return codes


def reauthenticate(user: User, password: str | None, code: str | None) -> None:
    """The password and a second-factor code asked again before a grave change.
    Wrong answers are counted apart from the log-in's (a stolen session guesses neither
    freely, nor locks its owner out of logging in). Raises SecondFactorError naming the
    field that was wrong."""
    if is_locked(user, reauth=True):
        raise SecondFactorError("locked")
    if not verify_password(user.password_hash, password or ""):
        _count_failure(user, reauth=True)
        raise SecondFactorError("locked" if is_locked(user, reauth=True) else "password")
    check(user, code, reauth=True)


def _turn_off(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    sessions.end_all(user)
    db.session.flush()


def disable(user: User, password: str | None, code: str | None) -> None:
    """A citizen turns the second factor off (staff cannot: only an administrator's
    reset does). Raises SecondFactorError."""
    reauthenticate(user, password, code)
    _turn_off(user)
    record(user, "user.second_factor_off", "user", user.id)


def reset(actor: User | None, user: User, channel: str = "web") -> None:
    """An administrator (or the operator, from the command line, for the last admin)
    clears an account's second factor (a lost phone and lost recovery codes): its
    sessions end and it enrols again at the next log-in."""
    _turn_off(user)
    record(actor, "user.second_factor_reset", "user", user.id, channel=channel)
