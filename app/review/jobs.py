"""Jobs of the threshold engine. Functions of primitive values; idempotent; they commit."""

from __future__ import annotations

import logging
import time

from sqlalchemy import select

from app.core.database import unit_of_work
from app.core.jobs import queue
from app.core.jobs.scheduler import PeriodicJob
from app.extensions import db
from app.models import Petition, ReviewCase
from app.petitions import counting
from app.review import engine
from app.review.notifications import fan_out_chunk

log = logging.getLogger(__name__)

PERIODIC = (
    PeriodicJob("aggregate-counts", "app.review.jobs.aggregate_counts", "COUNT_AGGREGATE_SECONDS",
                queue="counts", timeout=120),
    PeriodicJob("threshold-sweep", "app.review.jobs.sweep_thresholds", "THRESHOLD_SWEEP_SECONDS"),
    PeriodicJob("reconcile-counts", "app.review.jobs.reconcile_counts", 24 * 3600, timeout=3600),
)


def aggregate_counts(batch_size: int = 5000, max_batches: int = 50) -> int:
    """Fold new signatures into the counts, then queue what crossed. Runs every
    second or so; a run that finds another aggregator at work ends at once.
    Returns how many signatures it folded."""
    folded = 0
    for _ in range(max_batches):
        with unit_of_work():
            batch = counting.aggregate(batch_size)
            if batch.locked_out or not batch.petitions:
                break  # nothing was folded: the block ends with nothing to commit
            engine.after_counting(batch.petitions)
        folded += batch.folded
        if batch.rows < batch_size:
            break
    return folded


def sweep_thresholds() -> dict:
    """Repair what a crash, a Redis outage or a rule change left undone: crossings not
    yet recorded, sponsored petitions not yet moved, fan-outs not finished."""
    with unit_of_work():
        crossed = len(engine.after_counting(engine.overdue_transitions()))
    with unit_of_work():
        fanouts = engine.pending_fanouts()
    for case_id, kind in fanouts:
        queue.enqueue("app.review.jobs.fan_out", case_id, kind, queue="mail")
    return {"crossed": crossed, "fanouts": len(fanouts)}


FANOUT_CHUNKS_PER_JOB = 5


def fan_out(case_id: int, kind: str) -> int:
    """Email every signer who asked for news, a chunk per transaction. The case row is
    locked for each chunk, so two runs of this job never interleave; a run killed
    mid-way leaves a cursor the next run starts from. After a few chunks the job
    enqueues its own continuation and ends, so a fan-out to a whole country never
    keeps a worker from counting signatures. Returns emails written."""
    written = 0
    for _ in range(FANOUT_CHUNKS_PER_JOB):
        # Lock the case row only (its eager joins must stay unlocked).
        with unit_of_work():
            case = db.session.scalar(select(ReviewCase).where(ReviewCase.id == case_id)
                                     .with_for_update(of=ReviewCase))
            if case is None or getattr(case, f"{kind}_fanout_done_at") is not None:
                return written
            covered = fan_out_chunk(case, kind)
        if covered == 0:
            return written
        written += covered
    queue.enqueue("app.review.jobs.fan_out", case_id, kind, queue="mail")
    return written


def reconcile_counts(wait_seconds: float = 30.0) -> int:
    """Nightly: recount, repair and log any drift. One petition per transaction, each
    under the aggregator's lock, so counting pauses for one petition's recount at a
    time, never for the whole run. Returns how many petitions drifted."""
    drifted = 0
    with unit_of_work():
        ids = db.session.scalars(select(Petition.id).order_by(Petition.id)).all()
    for pid in ids:
        deadline = time.monotonic() + wait_seconds
        while True:
            with unit_of_work():
                locked = counting.take_lock()
                if locked:
                    drift = counting.reconcile_petition(pid)
            if locked:
                break
            if time.monotonic() > deadline:
                log.warning("reconcile stopped at petition %s: the aggregator kept the lock", pid)
                return drifted
            time.sleep(0.05)
        if drift is not None:
            drifted += 1
            log.warning("count drift on petition %s: stored %s, counted %s (repaired)",
                        drift.petition_id, drift.stored, drift.counted)
    return drifted
