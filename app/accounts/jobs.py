"""Account housekeeping jobs. Functions of primitive values; idempotent."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, or_

from app import clock
from app.extensions import db
from app.models import UserSession
from app.queue import PeriodicJob

log = logging.getLogger(__name__)

PERIODIC = (
    PeriodicJob("forget-old-sessions", "app.accounts.jobs.forget_old_sessions", 24 * 3600),
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
    count = db.session.execute(
        delete(UserSession).where(or_(UserSession.ended_at < now - ENDED_KEPT,
                                      UserSession.created_at < now - longest - ENDED_KEPT))
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if count:
        log.info("sessions: forgot %d ended sessions", count)
    return count
