"""Enqueueing jobs. Jobs are enqueued by dotted name, so the web process never imports
job code; every job lives in one of JOB_MODULES."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from rq import Queue, Retry
from rq.job import Job

from app.core.redis_client import connection

DEFAULT_JOB_TIMEOUT = 300

# Every module that holds jobs. Each may declare its periodic jobs in a PERIODIC tuple;
# the scheduler collects them from here, and enqueue() refuses a job elsewhere.
JOB_MODULES = ("app.mail.jobs", "app.petitions.jobs", "app.review.jobs", "app.digests.jobs", "app.accounts.jobs",
               "app.moderation.jobs")


class JobConfigError(RuntimeError):
    """Raised at start-up (or at enqueue) for a job that names no function."""



def get_queue(name: str = "default", app: Flask | None = None) -> Queue:
    return Queue(name, connection=connection(app), default_timeout=DEFAULT_JOB_TIMEOUT)


def job_retry(app: Flask | None = None) -> Retry | None:
    """RQ's Retry after the delays of JOB_RETRY_INTERVALS (none when it is empty)."""
    raw = str((app or current_app).config.get("JOB_RETRY_INTERVALS") or "")
    delays = [int(part) for part in raw.replace(" ", "").split(",") if part]
    return Retry(max=len(delays), interval=delays) if delays else None


def enqueue(
    func: str,
    *args: Any,
    queue: str = "default",
    job_id: str | None = None,
    timeout: int = DEFAULT_JOB_TIMEOUT,
    retry: bool = True,
    app: Flask | None = None,
) -> Job:
    """Enqueue `func` (a dotted name) with primitive arguments.

    Every job is safe to run again (a sweeper may enqueue one twice anyway): one that
    fails, e.g. when the database restarts under it, is retried after the delays of
    JOB_RETRY_INTERVALS (unless `retry` is false: a periodic job that runs again soon).

    Raises redis.RedisError when Redis cannot be reached; callers that must not fail
    because of it (e.g. after a commit) catch it and rely on a sweeper.
    """
    check_name(func)
    return get_queue(queue, app).enqueue(
        func,
        *args,
        job_id=job_id,
        job_timeout=timeout,
        retry=job_retry(app) if retry else None,
        result_ttl=3600,
        failure_ttl=7 * 24 * 3600,
    )


def check_name(func: str) -> None:
    """Cheap, without importing job code (the web process never does): the job lives
    in a job module. Raises JobConfigError."""
    if func.rpartition(".")[0] not in JOB_MODULES:
        raise JobConfigError(f"job {func!r}: jobs live in one of {', '.join(JOB_MODULES)}")


def enqueue_batched(func: str, items: list, *, queue: str, batch_size: int, timeout_each: int,
                    app: Flask | None = None) -> None:
    """Enqueue `func(chunk)` for each chunk of `batch_size` items now. Raises redis.RedisError."""
    for start in range(0, len(items), batch_size):
        chunk = items[start:start + batch_size]
        enqueue(func, chunk, queue=queue, timeout=timeout_each * len(chunk), app=app)



def resolve(func: str) -> Callable:
    """The function a dotted job name names. Raises JobConfigError."""
    check_name(func)
    module_name, _, attr = func.rpartition(".")
    target = getattr(importlib.import_module(module_name), attr, None)
    if not callable(target):
        raise JobConfigError(f"job {func!r}: {module_name} has no function {attr!r}")
    return target

