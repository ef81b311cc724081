"""The digest job: the scheduler starts it every few minutes; from 09:00 Asia/Almaty
it sends the day's digests (Mondays: the weekly ones too), and later runs find
nothing left to do. Commits per official, so one failure costs one digest (logged)."""

from __future__ import annotations

import logging

from app.core import clock
from app.core.database import unit_of_work
from app.core.jobs.scheduler import PeriodicJob
from app.digests import services
from app.extensions import db

log = logging.getLogger(__name__)

PERIODIC = (
    PeriodicJob("digests", "app.digests.jobs.send_digests", "DIGEST_CHECK_SECONDS", timeout=1800),
)


def send_digests() -> dict:
    """Compose and queue every digest due now. Safe to run any number of times.
    Returns the counts of services.RunResult."""
    now = clock.now()
    session = db.session()
    # The digests are a snapshot taken at `now`; committing one must not expire the
    # objects the next ones are rendered from (a reload per object and official).
    session.expire_on_commit = False
    try:
        with unit_of_work():
            result, pending = services.due(now)
        for digest, period in pending:
            official_id = digest.official.id
            # One unit of work per official: a failure rolls back this digest only (the
            # next run sends it), and the others go out.
            try:
                with unit_of_work():
                    outcome = services.record(digest, period, now)
            except Exception:
                log.exception("digest for official %s (%s) failed", official_id, period)
                result.failed += 1
                continue
            setattr(result, outcome, getattr(result, outcome) + 1)
    finally:
        session.expire_on_commit = True
    log.info("digests at %s: %s", now.isoformat(), result)
    return result.__dict__
