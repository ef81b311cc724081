"""A worker and the scheduler, real processes as in production, mailing signers through
a real SMTP server (#14): the database restarts while 300 signers are mailed about a
threshold crossing, or Redis restarts before the signatures come; the processes stay up
and reconnect by themselves, the job in flight fails cleanly and is retried, there is one
review case, and each signer gets the email exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from app.extensions import db
from app.models import OutboxEmail, OutboxStatus, ReviewCase
from tests.support import (
    RecordingHandler,
    free_port,
    make_petition,
    make_user,
    restore_threshold,
    set_fixed_threshold,
    settle,
    sign_as,
    wait_for,
)

pytestmark = pytest.mark.chaos
ROOT = Path(__file__).parents[2]


class Production:
    """The SMTP server's inbox, and the worker and scheduler processes."""

    def __init__(self, handler: RecordingHandler, processes: list[subprocess.Popen], logs: Path):
        self.handler, self.processes, self.logs = handler, processes, logs

    def recipients(self, prefix: str) -> Counter:
        with self.handler.lock:
            return Counter(m["To"] for m in self.handler.messages if m["To"].startswith(prefix))

    def alive(self) -> bool:
        return all(p.poll() is None for p in self.processes)

    def log(self) -> str:
        return "\n".join(path.read_text(errors="replace")[-3000:] for path in sorted(self.logs.glob("*.log")))


@pytest.fixture
def production(servers, tmp_path):
    postgres, redis_server = servers
    handler = RecordingHandler()
    port = free_port()
    smtp = Controller(handler, hostname="127.0.0.1", port=port)
    smtp.start()
    env = {**os.environ, "DAUYS_CONFIG": "development", "DATABASE_URL": postgres.url,
           "REDIS_URL": redis_server.url, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port),
           "SMTP_STARTTLS": "false", "JOB_RETRY_INTERVALS": "1,2,4", "LOG_LEVEL": "WARNING",
           # Short leases and sweeps: an email sent but not recorded would go out again in seconds.
           "OUTBOX_LEASE_SECONDS": "5", "OUTBOX_SWEEP_SECONDS": "2", "THRESHOLD_SWEEP_SECONDS": "2",
           "MAIL_DIR": str(tmp_path / "unused-mail")}
    processes = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                                  stdout=(tmp_path / f"{args[0]}.log").open("wb"), stderr=subprocess.STDOUT)
                 for args in (["worker", "--name", "chaos-worker"], ["scheduler"])]
    yield Production(handler, processes, tmp_path)
    for process in processes:
        process.terminate()
        process.wait(timeout=30)
    smtp.stop()


@pytest.fixture
def threshold():
    saved = []

    def set_to(code: str, n: int):
        saved.append(set_fixed_threshold(code, n))

    yield set_to
    for body, rule in saved:
        restore_threshold(body, rule)


def _one_case(petition_id: int) -> bool:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(ReviewCase)
                             .where(ReviewCase.petition_id == petition_id)) == 1


def test_mail_goes_out_once_through_a_database_restart(chaos_app, servers, production, threshold):
    postgres, _ = servers
    signers = 300
    threshold("MIN-EDU", signers + 1)
    petition = make_petition(state="open", body="MIN-EDU", title="Мектептерде ыстық тамақ тегін болсын",
                             signatures=1)
    petition_id = petition.id
    for n in range(signers):
        sign_as(petition, make_user(f"parent{n}@example.kz"), notify=True)
    settle()  # crossed: the case is open and the job that mails the signers is queued
    db.session.remove()
    assert wait_for(lambda: len(production.recipients("parent")) >= signers // 5, timeout=90), production.log()
    postgres.stop()  # mid-delivery
    time.sleep(2)
    postgres.start()
    wait_for(lambda: len(production.recipients("parent")) >= signers, timeout=120)
    time.sleep(9)  # past a lease and a sweep: anything doubled would arrive now
    assert production.alive(), production.log()
    sent = production.recipients("parent")
    assert set(sent) == {f"parent{n}@example.kz" for n in range(signers)}
    assert set(sent.values()) == {1}, [a for a, n in sent.items() if n > 1][:5]
    assert _one_case(petition_id)
    statuses = dict(db.session.execute(select(OutboxEmail.status, func.count()).group_by(OutboxEmail.status)).all())
    assert statuses == {OutboxStatus.SENT: signers + 1}  # the signers and the author


def test_worker_and_scheduler_carry_on_after_a_redis_restart(chaos_app, servers, production, threshold):
    _, redis_server = servers
    signers = 50
    threshold("MIN-HEALTH", signers + 1)
    petition = make_petition(state="open", body="MIN-HEALTH", title="Аудандық ауруханаға жаңа жабдық керек",
                             signatures=1)
    petition_id = petition.id
    db.session.commit()
    time.sleep(2)  # both processes at work
    redis_server.stop()  # every queue, lease and schedule is gone
    time.sleep(2)
    redis_server.start()
    # Nobody restarts anything: the signatures are counted by the scheduler's aggregator
    # runs, the crossing found and the signers mailed.
    for n in range(signers):
        sign_as(db.session.merge(petition), make_user(f"nurse{n}@example.kz"), notify=True)
    assert wait_for(lambda: len(production.recipients("nurse")) >= signers, timeout=120), production.log()
    time.sleep(3)
    assert production.alive(), production.log()
    assert set(production.recipients("nurse").values()) == {1}
    assert _one_case(petition_id)
