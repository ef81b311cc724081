"""Periodic jobs: each domain declares them in a PERIODIC tuple of its jobs module; one
scheduler (of any number running) enqueues each at the start of its period."""

from __future__ import annotations

import importlib
import logging
import os
import secrets
import socket
import threading
from dataclasses import dataclass

import redis
from flask import Flask

from app.core import clock
from app.core.jobs.queue import DEFAULT_JOB_TIMEOUT, JOB_MODULES, JobConfigError, enqueue, resolve
from app.core.redis_client import connection

log = logging.getLogger(__name__)


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

