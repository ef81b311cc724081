"""The outbox delivers every email exactly once, through SMTP failures, Redis outages
and a worker killed mid-send."""

import os
import signal
import subprocess
from datetime import timedelta
from pathlib import Path

import redis
from sqlalchemy import func, select, update

from app.core import clock
from app.core.jobs import worker
from app.extensions import db
from app.mail.jobs import deliver_email, sweep_outbox
from app.mail.outbox import queue_email
from app.models import OutboxEmail, OutboxStatus
from tests import timeshift
from tests.support import html_part, make_user, post, text_part, wait_for

ROOT = Path(__file__).resolve().parents[2]


def queue_some(n: int, language: str = "kk") -> list[int]:
    users = [make_user(f"reader{i}@example.kz", language=language) for i in range(n)]
    ids = [queue_email(u.email, "reset_password", language, user=u, link=f"http://localhost/x/{u.id}").id
           for u in users]
    db.session.commit()
    return ids


def statuses() -> dict:
    db.session.expire_all()
    return dict(db.session.execute(select(OutboxEmail.status, func.count()).group_by(OutboxEmail.status)).all())


def make_due_now():
    """Stand in for the passing of the backoff delay."""
    db.session.execute(update(OutboxEmail).values(next_attempt_at=clock.now() - timedelta(seconds=1)))
    db.session.commit()


def test_smtp_delivery_has_text_and_html_in_the_recipients_language(app, smtp_server):
    queue_some(1, language="ru")
    worker.drain(app)
    [message] = smtp_server.messages
    assert message["To"] == "reader0@example.kz"
    assert message["Subject"] == "Сброс пароля Dauys"
    assert "Кто-то запросил сброс пароля" in text_part(message)
    assert "<table" in html_part(message) and "<script" not in html_part(message)
    assert message["Message-ID"]
    assert statuses() == {OutboxStatus.SENT: 1}


def test_refusing_then_accepting_server_delivers_each_exactly_once(app, smtp_server):
    ids = queue_some(5)
    smtp_server.refuse = True
    worker.drain(app)
    assert smtp_server.messages == []
    assert statuses() == {OutboxStatus.PENDING: 5}
    assert all(db.session.get(OutboxEmail, i).last_error.startswith("SMTP") for i in ids)

    # Not yet due: the sweep leaves them alone.
    assert sweep_outbox() == 0

    smtp_server.refuse = False
    make_due_now()
    assert sweep_outbox() == 5
    worker.drain(app)
    # A second sweep and a stray duplicate job change nothing.
    assert sweep_outbox() == 0
    for i in ids:
        assert deliver_email(i) == "skipped"
    worker.drain(app)

    received = sorted(m["To"] for m in smtp_server.messages)
    assert received == sorted(f"reader{i}@example.kz" for i in range(5))
    assert statuses() == {OutboxStatus.SENT: 5}


def test_gives_up_after_max_attempts(app, smtp_server, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 2)
    [email_id] = queue_some(1)
    smtp_server.refuse = True
    worker.drain(app)
    make_due_now()
    sweep_outbox()
    worker.drain(app)
    row = db.session.get(OutboxEmail, email_id)
    db.session.refresh(row)
    assert row.status is OutboxStatus.FAILED and row.attempts == 2


def test_redis_outage_delays_mail_and_loses_none(app, client, monkeypatch):
    """Registration works while Redis is unreachable; the sweep sends the email later."""
    from tests.accounts.test_registration import form

    token_page = client.get("/register")
    assert token_page.status_code == 200
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    monkeypatch.setitem(app.extensions, "redis", dead)
    response = post(client, "/register", form(), token_from="/register")
    assert response.status_code == 200
    assert statuses() == {OutboxStatus.PENDING: 1}
    monkeypatch.undo()

    assert sweep_outbox() == 1
    worker.drain(app)
    assert statuses() == {OutboxStatus.SENT: 1}
    assert len(list(Path(app.config["MAIL_DIR"]).glob("*.eml"))) == 1


def worker_env(app, smtp_port: int) -> dict:
    env = dict(os.environ)
    env.update(
        DAUYS_CONFIG="development",
        FLASK_APP="wsgi",
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=app.config["REDIS_URL_RESOLVED"],
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp_port),
        SMTP_STARTTLS="false",
        OUTBOX_LEASE_SECONDS="2",
        LOG_LEVEL="WARNING",
    )
    return env


def start_worker(env) -> subprocess.Popen:
    return subprocess.Popen(
        timeshift.command("flask", "--app", "wsgi", "worker"),
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def test_killing_the_worker_mid_send_loses_none_and_duplicates_none(app, smtp_server):
    ids = queue_some(3)
    smtp_server.stall_seconds = 30  # the first message hangs inside the SMTP dialogue
    worker = start_worker(worker_env(app, smtp_server.port))
    try:
        assert wait_for(lambda: statuses().get(OutboxStatus.SENDING) == 1, timeout=30)
    finally:
        # kill -9 the whole worker (the parent and the horse doing the send)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    assert smtp_server.messages == []

    smtp_server.stall_seconds = 0
    worker = start_worker(worker_env(app, smtp_server.port))
    try:
        # The lease (2 s here) runs out; the sweep hands the rows to the new worker.
        def all_sent():
            sweep_outbox()
            return statuses() == {OutboxStatus.SENT: 3}

        assert wait_for(all_sent, timeout=60, interval=0.5)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=20)
    received = sorted(m["To"] for m in smtp_server.messages)
    assert received == sorted(db.session.get(OutboxEmail, i).to_address for i in ids)


def test_login_still_works_while_redis_is_down(app, client, monkeypatch):
    make_user("calm@example.kz", password="steppe-wind-2026")
    client.get("/login")
    monkeypatch.setitem(app.extensions, "redis", redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2))
    response = post(client, "/login", {"email": "calm@example.kz", "password": "steppe-wind-2026"},
                    token_from="/login")
    assert response.status_code == 302


def test_delivered_email_bodies_are_purged_after_the_retention_period(app, clock, mailbox):
    from app.mail.jobs import purge_bodies
    from app.models import OutboxEmail

    make_user("purge@example.kz")
    post(app.test_client(), "/reset", {"email": "purge@example.kz"})
    assert len(mailbox.to("purge@example.kz")) == 1  # delivered
    days = app.config["MAIL_BODY_RETENTION_DAYS"]
    clock.advance(days=days, hours=-1)
    assert purge_bodies() == 0
    clock.advance(hours=2)
    assert purge_bodies() == 1
    assert purge_bodies() == 0  # idempotent
    row = db.session.scalar(select(OutboxEmail))
    assert row.text_body == "" and row.html_body == "" and row.to_address == "purge@example.kz"

