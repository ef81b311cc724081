"""Account housekeeping jobs. Functions of primitive values; idempotent."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, exists, or_, select

from app.core import clock
from app.core.database import unit_of_work
from app.core.jobs.scheduler import PeriodicJob
from app.extensions import db
from app.models import (
    AlertRule,
    AuditEntry,
    DigestPreference,
    DigestRecord,
    ModerationDecision,
    Petition,
    RateRule,
    RecoveryCode,
    Report,
    ReviewCase,
    Signature,
    SignatureInvalidation,
    User,
    UserRole,
    UserSession,
)

log = logging.getLogger(__name__)

PERIODIC = (
    PeriodicJob("forget-old-sessions", "app.accounts.jobs.forget_old_sessions", 24 * 3600),
    PeriodicJob("delete-unverified-accounts", "app.accounts.jobs.delete_unverified", 24 * 3600),
)

# An ended session's row is kept this long (to answer "was this cookie ever valid?"
# while investigating an incident), then deleted.
ENDED_KEPT = timedelta(days=30)


def forget_old_sessions() -> int:
    """Delete sessions ended (or past every lifetime) more than 30 days ago. Returns how
    many rows went."""
    now = clock.now()
    longest = timedelta(seconds=max(current_app.config["CITIZEN_SESSION_MAX_AGE"],
                                    current_app.config["STAFF_SESSION_MAX_AGE"]))
    with unit_of_work():
        count = db.session.execute(
            delete(UserSession).where(or_(UserSession.ended_at < now - ENDED_KEPT,
                                          UserSession.created_at < now - longest - ENDED_KEPT))
            .execution_options(synchronize_session=False)
        ).rowcount
    if count:
        log.info("sessions: forgot %d ended sessions", count)
    return count


def delete_unverified(batch: int = 1000) -> int:
    """Delete accounts whose email address was never confirmed within
    UNVERIFIED_ACCOUNT_DAYS (30) of registering, as the privacy notice says: such an
    account could never sign or write. One that anything refers to (a petition, a
    signature, a report, a staff action by or on it, a suspension) is left alone, so a
    suspended IIN cannot come back clean. Idempotent, in batches until none is left;
    returns how many accounts went."""
    cutoff = clock.now() - timedelta(days=current_app.config["UNVERIFIED_ACCOUNT_DAYS"])
    referred = [exists().where(column == User.id) for column in (
        Petition.author_id, Signature.user_id, Report.reporter_id, Report.resolved_by_id, AuditEntry.actor_id,
        UserRole.user_id, ModerationDecision.moderator_id, ReviewCase.acknowledged_by_id, ReviewCase.answered_by_id,
        SignatureInvalidation.created_by_id, RateRule.updated_by_id, AlertRule.updated_by_id)]
    referred.append(exists().where(AuditEntry.target_type == "user", AuditEntry.target_id == User.id))
    eligible = (User.email_verified_at.is_(None), User.created_at < cutoff, User.suspended_at.is_(None),
                User.deleted_at.is_(None), ~or_(*referred))
    deleted = 0
    while True:
        with unit_of_work():
            ids = db.session.scalars(select(User.id).where(*eligible).order_by(User.id).limit(batch)).all()
            if ids:
                for model in (UserSession, RecoveryCode, DigestPreference, DigestRecord):
                    db.session.execute(delete(model).where(model.user_id.in_(ids)).execution_options(
                        synchronize_session=False))
                # The conditions again: an address confirmed a moment ago keeps its account.
                deleted += db.session.execute(delete(User).where(User.id.in_(ids), *eligible)
                                              .execution_options(synchronize_session=False)).rowcount
        if not ids:
            break
    if deleted:
        log.info("accounts: deleted %d never confirmed", deleted)
    return deleted
