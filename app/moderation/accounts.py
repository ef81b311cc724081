"""Suspending and reactivating accounts (fraud, abuse). Flushes, never commits.

A suspended account cannot log in (its sessions end at once), so it cannot sign,
sponsor, create or report; its signatures stay as they are (invalidating them is a
separate, previewed decision). Moderators suspend citizens; an administrator may also
suspend staff; nobody suspends themselves.
"""

from __future__ import annotations

from sqlalchemy import func, select, update

from app.accounts import sessions
from app.audit.services import record
from app.core import clock
from app.core.refusals import Refusal
from app.extensions import db
from app.models import Role, User, UserRole
from app.moderation.messages import MESSAGES


class SuspensionError(Refusal):
    """The change cannot be made; `code` says why: 403 for who may not make it (self,
    staff, last_admin), 409 for an account already in the state asked for."""

    status = 409
    messages = MESSAGES


def _check(actor: User, user: User) -> None:
    if actor.id == user.id:
        raise SuspensionError("self", status=403)
    if user.is_staff and not actor.has_role(Role.ADMIN):
        raise SuspensionError("staff", status=403)


def _last_admin(user: User) -> bool:
    others = db.session.scalar(
        select(func.count()).select_from(UserRole).join(User, User.id == UserRole.user_id)
        .where(UserRole.role == Role.ADMIN, User.active.is_(True), User.id != user.id))
    return user.has_role(Role.ADMIN) and others == 0


def suspend(actor: User, user: User, reason: str) -> None:
    """Raises SuspensionError (self, staff, last_admin, already)."""
    _check(actor, user)
    if _last_admin(user):
        raise SuspensionError("last_admin", status=403)
    # Guarded: of two moderators suspending at once, the second is told, not overwriting.
    moved = db.session.execute(
        update(User).where(User.id == user.id, User.suspended_at.is_(None))
        .values(active=False, suspended_at=clock.now(), suspension_reason=reason)
        .execution_options(synchronize_session=False)).rowcount == 1
    if not moved:
        raise SuspensionError("already")
    db.session.refresh(user)
    sessions.end_all(user)
    record(actor, "user.suspend", "user", user.id, before={"active": True}, after={"active": False},
           reason=reason)


def reactivate(actor: User | None, user: User, note: str, channel: str = "web") -> None:
    """Raises SuspensionError (self, staff, not_suspended)."""
    if actor is not None:  # the command line (the operator) may reactivate anyone
        _check(actor, user)
    moved = db.session.execute(
        update(User).where(User.id == user.id, User.suspended_at.is_not(None))
        .values(active=True, suspended_at=None, suspension_reason=None)
        .execution_options(synchronize_session=False)).rowcount == 1
    if not moved:
        raise SuspensionError("not_suspended")
    db.session.refresh(user)
    record(actor, "user.reactivate", "user", user.id, before={"active": False}, after={"active": True},
           reason=note, channel=channel)
