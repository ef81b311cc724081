"""The one after-commit path: work that starts only once the database transaction that
asked for it commits, and never if it rolls back. Jobs (`enqueue`, `enqueue_batched`)
and in-process calls (`call`: trending's counters in Redis) both go through it.

Only the outermost transaction decides: a savepoint that rolls back (`begin_nested`, a
unique-key race caught and answered) forgets nothing queued before or inside it, because
the outer transaction that then commits is what the work follows from.

If Redis is down at the commit, a periodic sweep must find the work from the database:
this is a shortcut, never the only path.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import redis
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.core.jobs import queue as jobs
from app.extensions import db

log = logging.getLogger(__name__)

_KEY = "dauys_after_commit"
_hooks_registered = False


@dataclass
class _Pending:
    single: list[tuple] = field(default_factory=list)  # (func, args, queue, job_id, timeout)
    # (func, queue, batch size, timeout per item) -> items, enqueued as func(chunk)
    batched: dict[tuple, list] = field(default_factory=dict)
    calls: list[tuple[Callable, tuple]] = field(default_factory=list)


def _pending() -> _Pending:
    return db.session().info.setdefault(_KEY, _Pending())


def enqueue(func: str, *args: Any, queue: str = "default", job_id: str | None = None,
            timeout: int = jobs.DEFAULT_JOB_TIMEOUT) -> None:
    """Enqueue the job `func` (a dotted name) once the transaction commits. Raises
    JobConfigError for a job outside JOB_MODULES (at once, not at the commit)."""
    jobs.check_name(func)
    _pending().single.append((func, args, queue, job_id, timeout))


def enqueue_batched(func: str, item: Any, *, queue: str, batch_size: int, timeout_each: int) -> None:
    """Like enqueue, for work on many items: on commit, `func(items)` is enqueued once
    per `batch_size` items collected in the transaction (e.g. 50 emails a job)."""
    jobs.check_name(func)
    _pending().batched.setdefault((func, queue, batch_size, timeout_each), []).append(item)


def call(fn: Callable, *args: Any) -> None:
    """Call `fn(*args)` in this process once the transaction commits. `fn` must not
    raise for an outage of what it talks to (it logs and returns)."""
    _pending().calls.append((fn, args))


def _run(pending: _Pending) -> None:
    try:
        for func, args, queue_name, job_id, timeout in pending.single:
            jobs.enqueue(func, *args, queue=queue_name, job_id=job_id, timeout=timeout)
        for (func, queue_name, size, timeout_each), items in pending.batched.items():
            jobs.enqueue_batched(func, sorted(items), queue=queue_name, batch_size=size, timeout_each=timeout_each)
    except redis.RedisError as exc:
        log.warning("jobs not enqueued after commit (%s); the sweeps will do their work", exc)
    for fn, args in pending.calls:
        fn(*args)


def register_session_hooks() -> None:
    """Once per process: the listeners are on the Session class, shared by every app."""
    global _hooks_registered
    if _hooks_registered:
        return
    _hooks_registered = True

    @event.listens_for(Session, "after_commit")
    def _after_commit(session):
        # SQLAlchemy fires this for a savepoint's release too (the savepoint is still the
        # session's transaction then): only the outermost commit runs the work.
        if session.in_nested_transaction():
            return
        pending = session.info.pop(_KEY, None)
        if pending is not None:
            _run(pending)

    @event.listens_for(Session, "after_soft_rollback")
    def _forget(session, previous_transaction):
        # after_rollback would also fire for a savepoint; only the whole transaction's
        # rollback cancels the work.
        if previous_transaction.parent is None:
            session.info.pop(_KEY, None)
