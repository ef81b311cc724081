"""Writing email into the outbox (app/mail/outbox.py): in the caller's transaction,
delivered in batches once it commits, never twice for one dedupe key."""

import logging

import redis
from rq import Queue
from sqlalchemy import func, select

from app.core import redis_client
from app.core.jobs import worker
from app.extensions import db
from app.mail.outbox import DELIVERY_BATCH, DELIVERY_JOB, prefetch_dedupe_keys, queue_email
from app.models import OutboxEmail, OutboxStatus
from tests.support import make_user


def mail_jobs(app) -> list:
    return Queue("mail", connection=redis_client.connection(app)).get_jobs()


def rows() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxEmail))


def queue_for(user, **extra):
    return queue_email(user.email, "verify_email", user.language, user=user, link="http://localhost/v", **extra)


def test_the_row_is_written_in_the_callers_transaction_and_enqueued_after_commit(app):
    user = make_user("first@example.kz")
    email = queue_for(user)
    assert email.status is OutboxStatus.PENDING and email.subject
    assert mail_jobs(app) == []  # not before the commit: the worker would not find the row
    db.session.commit()
    [job] = mail_jobs(app)
    assert job.func_name == DELIVERY_JOB and job.args == ([email.id],)


def test_rollback_writes_no_email_and_enqueues_nothing(app):
    user = make_user("rollback@example.kz")
    queue_for(user)
    db.session.rollback()
    assert rows() == 0
    db.session.commit()  # a later, empty commit does not resurrect the forgotten job
    assert mail_jobs(app) == []


def test_many_emails_of_one_transaction_go_out_in_batches(app):
    users = [make_user(f"reader{n}@example.kz", commit=False) for n in range(DELIVERY_BATCH * 2 + 3)]
    ids = [queue_for(u).id for u in users]
    db.session.commit()
    batches = [job.args[0] for job in mail_jobs(app)]
    assert [len(b) for b in batches] == [DELIVERY_BATCH, DELIVERY_BATCH, 3]
    assert sorted(i for b in batches for i in b) == sorted(ids)
    worker.drain(app)
    assert db.session.scalar(select(func.count()).where(OutboxEmail.status == OutboxStatus.SENT)) == len(ids)


def test_a_dedupe_key_is_queued_once_in_and_across_transactions(app):
    user = make_user("once@example.kz")
    first = queue_for(user, dedupe_key="k1")
    assert queue_for(user, dedupe_key="k1") is None
    db.session.commit()
    assert queue_for(user, dedupe_key="k1") is None  # a later transaction looks it up
    assert queue_for(user, dedupe_key="k2") is not None
    db.session.commit()
    assert first is not None and rows() == 2


def test_a_key_written_by_another_transaction_is_seen(app):
    user = make_user("other@example.kz")
    prefetch_dedupe_keys(["shared"])  # this transaction looked: not there yet
    db.session.commit()
    other = db.session.get(type(user), user.id)
    queue_for(other, dedupe_key="shared")  # another transaction writes it
    db.session.commit()
    assert queue_for(user, dedupe_key="shared") is None


def test_prefetching_many_keys_is_one_query(app, count_queries):
    user = make_user("many@example.kz")
    keys = [f"fanout:{n}" for n in range(200)]
    db.session.refresh(user)
    with count_queries() as counted:
        prefetch_dedupe_keys(keys)
        for key in keys[:50]:
            queue_for(user, dedupe_key=key)
    lookups = [s for s in counted.statements if s.lstrip().upper().startswith("SELECT") and "outbox_emails" in s]
    assert len(lookups) == 1


def test_redis_down_at_commit_keeps_the_row_for_the_sweep(app, monkeypatch, caplog):
    user = make_user("later@example.kz")
    queue_for(user)
    monkeypatch.setitem(app.extensions, "redis", redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2))
    with caplog.at_level(logging.WARNING, logger="app.queue"):
        db.session.commit()  # no exception: the commit stands
    monkeypatch.undo()
    assert rows() == 1 and mail_jobs(app) == []
    assert "sweeps will do their work" in caplog.text
