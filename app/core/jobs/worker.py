"""Workers: every job runs inside an application context with a database engine that is
safe across fork."""

from __future__ import annotations

import os

from flask import Flask
from rq import SimpleWorker, Worker
from rq.registry import ScheduledJobRegistry

from app.core.jobs.queue import get_queue
from app.core.redis_client import connection
from app.extensions import db


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

