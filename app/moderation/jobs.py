"""Moderation jobs: invalidation runs, and the sweeper that resumes lost ones.
Functions of primitive values; idempotent; they commit."""

from __future__ import annotations

import logging

from app.core.database import unit_of_work
from app.core.jobs.scheduler import PeriodicJob
from app.extensions import db
from app.models import SignatureInvalidation
from app.moderation import alerts, integrity

log = logging.getLogger(__name__)

PERIODIC = (
    PeriodicJob("resume-invalidations", "app.moderation.jobs.resume_invalidations", 300),
    PeriodicJob("integrity-alerts", "app.moderation.jobs.check_alerts", "INTEGRITY_CHECK_SECONDS"),
)

# A run whose row has not moved for this long lost its job (a worker died, Redis was
# down when it was started): the sweeper queues it again. Batches take well under it.
STALLED_AFTER_SECONDS = 600


def run_invalidation(run_id: int, batch: int = integrity.BATCH) -> str | None:
    """Work a run to its end, one batch per transaction; a cancel takes effect between
    batches. Two workers given the same run take turns (the run's row is locked per
    batch) and, the updates being guarded, never turn a signature twice. Returns the
    final state, or None when there is no such run."""
    while True:
        # A return from the block commits: nothing was written, and the lock goes.
        with unit_of_work():
            run = integrity.lock(run_id)
            if run is None:
                # Either no such run, or another worker holds it (and will finish it).
                return "busy" if db.session.get(SignatureInvalidation, run_id) is not None else None
            if not run.active:
                return run.state.value
            finished = integrity.step(run, batch)
        if finished:
            log.info("invalidation run %d %s: %d changed", run_id, run.state.value, run.changed)
            return run.state.value


def resume_invalidations() -> int:
    with unit_of_work():
        ids = integrity.stalled(STALLED_AFTER_SECONDS)
    for run_id in ids:
        integrity.enqueue_run(run_id)
    return len(ids)


def check_alerts() -> int:
    """Raise the alerts of this period (once each) and email the moderators. Returns
    how many alerts were new."""
    with unit_of_work():
        new = alerts.check()
    if new:
        log.info("%d new integrity alerts", len(new))
    return len(new)
