"""The long-running processes: flask worker, flask scheduler, and flask run-all (web, worker and scheduler together, for development)."""

from __future__ import annotations

import itertools
import logging
import os
import signal
import subprocess
import sys
import time

import click
import redis
from flask import current_app
from flask.cli import with_appcontext

from app.core.jobs import queue
from app.core.jobs import scheduler as jobs_scheduler
from app.core.jobs import worker as jobs_worker
from app.core.jobs.scheduler import Scheduler
from app.core.redis_client import shutdown_embedded

log = logging.getLogger(__name__)


@click.command()
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--name", default=None, help="Worker name (default: host and pid).")
@click.option("--queue", "queues", multiple=True, help="Only these queues (repeatable); default: all, in priority order.")
@click.option("--no-fork", is_flag=True,
              help="Run jobs in this process instead of a forked child each (for the counts queue: a short "
                   "job every second, where forking costs more than the job).")
@with_appcontext
def worker(burst: bool, name: str | None, queues: tuple[str, ...], no_fork: bool) -> None:
    """Run an RQ worker for this app's queues."""
    unknown = set(queues) - set(current_app.config["RQ_QUEUES"])
    if unknown:
        raise click.BadParameter(f"unknown queue(s): {', '.join(sorted(unknown))}", param_hint="--queue")
    _check_jobs()
    app = current_app._get_current_object()
    for attempt in itertools.count():
        # RQ's worker leaves when it loses Redis outside its wait for a job (a restart of
        # Redis): a new one takes over, here, without anybody restarting the process.
        w = None
        try:
            w = jobs_worker.make_worker(app, name=f"{name}-{attempt}" if name and attempt else name,
                                  queues=queues or None, simple=no_fork)
            w.work(burst=burst, with_scheduler=True, logging_level=app.config["LOG_LEVEL"])
        except redis.RedisError as exc:
            log.warning("worker lost Redis (%s); starting again", exc)
        if burst or (w is not None and w._shutdown_requested_date is not None):  # asked to stop (SIGTERM, Ctrl+C)
            return
        time.sleep(2)


def _check_jobs() -> None:
    """Refuse to start with a periodic job that names no function."""
    try:
        jobs_scheduler.periodic_jobs(current_app._get_current_object())
    except queue.JobConfigError as exc:
        raise click.ClickException(str(exc)) from None


@click.command()
@with_appcontext
def scheduler() -> None:
    """Enqueue periodic jobs. Safe to run more than one: one is effective."""
    try:
        s = Scheduler(current_app._get_current_object())
    except queue.JobConfigError as exc:
        raise click.ClickException(str(exc)) from None
    signal.signal(signal.SIGTERM, lambda *_: s.stop())
    try:
        s.run()
    except KeyboardInterrupt:
        s.stop()


@click.command("run-all")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@with_appcontext
def run_all(host: str, port: int) -> None:
    """Development: web server, worker and scheduler in one terminal (Ctrl+C stops
    all three). They share this process's Redis, embedded or not."""
    env = dict(os.environ)
    env["REDIS_URL"] = current_app.config["REDIS_URL_RESOLVED"]
    flask = [sys.executable, "-m", "flask", "--app", os.environ.get("FLASK_APP", "wsgi")]
    children = [
        subprocess.Popen([*flask, "worker"], env=env),
        subprocess.Popen([*flask, "scheduler"], env=env),
        subprocess.Popen([*flask, "run", "--host", host, "--port", str(port)], env=env),
    ]
    click.echo(f"Dauys is running on http://{host}:{port}/ (Ctrl+C to stop)")

    def _stop(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        shutdown_embedded()
