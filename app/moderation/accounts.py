"""Suspending and reactivating accounts (fraud, abuse). Flushes, never commits.

A suspended account cannot log in (its sessions end at once), so it cannot sign,
sponsor, create or report; its signatures stay as they are (invalidating them is a
separate, previewed decision). Moderators suspend citizens; an administrator may also
suspend staff; nobody suspends themselves.
"""

from __future__ import annotations

from app import clock
from app.accounts import sessions
from app.audit.services import record
from app.models import Role, User


class SuspensionError(ValueError):
    """The change cannot be made; `code` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _check(actor: User, user: User) -> None:
    if actor.id == user.id:
        raise SuspensionError("self")
    if user.is_staff and not actor.has_role(Role.ADMIN):
        raise SuspensionError("staff")


def suspend(actor: User, user: User, reason: str) -> None:
    """Raises SuspensionError (self, staff, already)."""
    _check(actor, user)
    if user.suspended_at is not None:
        raise SuspensionError("already")
    user.active = False
    user.suspended_at = clock.now()
    user.suspension_reason = reason
    sessions.end_all(user)
    record(actor, "user.suspend", "user", user.id, before={"active": True}, after={"active": False},
           reason=reason)


def reactivate(actor: User, user: User, note: str) -> None:
    """Raises SuspensionError (self, staff, not_suspended)."""
    _check(actor, user)
    if user.suspended_at is None:
        raise SuspensionError("not_suspended")
    user.active = True
    user.suspended_at = None
    user.suspension_reason = None
    record(actor, "user.reactivate", "user", user.id, before={"active": False}, after={"active": True},
           reason=note)
