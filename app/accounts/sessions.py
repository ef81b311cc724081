"""Sessions kept on the server.

The session cookie and the remember-me cookie carry a random key; the database keeps its
SHA-256 in `user_sessions`. Log-out ends the row, so a copy of either cookie taken before
stops working at once; a password change ends every row of the account. Staff sessions
end after STAFF_SESSION_IDLE_SECONDS without a request and STAFF_SESSION_MAX_AGE in all;
citizens' after CITIZEN_SESSION_MAX_AGE. Loading a session is the one query Flask-Login
made before (the user, now joined to the session row); only staff sessions write, at
most once per SESSION_TOUCH_SECONDS, to keep the idle clock. Those writes (and the end of
a timed-out session) go through write_now: the request's own transaction may roll back.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update

from app.core import clock
from app.core.database import write_now
from app.extensions import db
from app.models import User, UserSession

KEY_BYTES = 32


def _hash(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def start(user: User, *, remember: bool, second_factor: bool) -> str:
    """Open a session for `user`; the key goes into the cookies through user.get_id()."""
    key = secrets.token_urlsafe(KEY_BYTES)
    now = clock.now()
    row = UserSession(user_id=user.id, key_hash=_hash(key), created_at=now, last_seen_at=now,
                      remember=remember, second_factor_at=now if second_factor else None)
    db.session.add(row)
    db.session.flush()
    user.session_key, user.current_session = key, row
    return key


def _limits(user: User) -> tuple[timedelta, timedelta | None]:
    """(absolute lifetime, idle limit or None)."""
    cfg = current_app.config
    if user.is_staff:
        return (timedelta(seconds=cfg["STAFF_SESSION_MAX_AGE"]),
                timedelta(seconds=cfg["STAFF_SESSION_IDLE_SECONDS"]))
    return timedelta(seconds=cfg["CITIZEN_SESSION_MAX_AGE"]), None


def load(key: str) -> User | None:
    """The user of a live session with this key, or None (unknown, ended, timed out)."""
    if not key or len(key) > 100:
        return None
    found = db.session.execute(
        select(UserSession, User).join(User, User.id == UserSession.user_id)
        .where(UserSession.key_hash == _hash(key))
    ).first()
    if found is None:
        return None
    row, user = found
    if row.ended_at is not None or not user.active:
        return None
    now = clock.now()
    lifetime, idle = _limits(user)
    if now - row.created_at > lifetime or (idle is not None and now - row.last_seen_at > idle):
        write_now(update(UserSession).where(UserSession.id == row.id, UserSession.ended_at.is_(None))
                   .values(ended_at=now))
        return None
    if user.is_staff and now - row.last_seen_at > timedelta(seconds=current_app.config["SESSION_TOUCH_SECONDS"]):
        write_now(update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now))
    user.session_key, user.current_session = key, row
    return user


def _end_rows(*where) -> None:
    db.session.execute(
        update(UserSession).where(UserSession.ended_at.is_(None), *where)
        .values(ended_at=clock.now()).execution_options(synchronize_session=False)
    )


def end(user: User) -> None:
    """End the session this request runs in."""
    if user.current_session is not None:
        _end_rows(UserSession.id == user.current_session.id)


def end_all(user: User, *, keep: UserSession | None = None) -> None:
    """End every session of `user` but `keep` (password changed or reset, second factor
    changed)."""
    if keep is None:
        _end_rows(UserSession.user_id == user.id)
    else:
        _end_rows(UserSession.user_id == user.id, UserSession.id != keep.id)


def end_for_users(user_ids) -> None:
    """End every session of these accounts (a bulk suspension)."""
    _end_rows(UserSession.user_id.in_(list(user_ids)))


def mark_second_factor(user: User) -> None:
    if user.current_session is not None:
        user.current_session.second_factor_at = clock.now()


def count_others(user: User) -> int:
    """Live sessions of `user` other than this one (within their lifetime)."""
    lifetime, _ = _limits(user)
    query = select(func.count()).select_from(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None),
        UserSession.created_at > clock.now() - lifetime)
    if user.current_session is not None:
        query = query.where(UserSession.id != user.current_session.id)
    return db.session.scalar(query)
