"""Writing audit entries. Flushes with the change it records, never commits."""

from __future__ import annotations

from app.extensions import db
from app.models import AuditEntry, User


def record(
    actor: User | None,
    action: str,
    target_type: str,
    target_id: int,
    *,
    before: dict | None = None,
    after: dict | None = None,
    reason: str | None = None,
    channel: str = "web",
) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        channel=channel,
        action=action,
        target_type=target_type,
        target_id=target_id,
        before=before,
        after=after,
        reason=reason,
    )
    db.session.add(entry)
    db.session.flush()
    return entry
