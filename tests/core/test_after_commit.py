"""The one after-commit path: only the outermost transaction decides. A savepoint that
rolls back forgets nothing queued before or inside it once the outer transaction
commits; a transaction that rolls back forgets everything. Real Redis queue."""

import pytest
from rq import Queue

from app.core import redis_client
from app.core.jobs import after_commit
from app.extensions import db

JOB = "app.mail.jobs.sweep_outbox"


def queued(app) -> set[str]:
    return set(Queue("default", connection=redis_client.connection(app)).job_ids)


@pytest.fixture
def calls():
    made = []

    def record(label):
        made.append(label)

    return made, record


@pytest.mark.parametrize("where", ["inside", "before"])
def test_a_job_queued_with_a_savepoint_that_rolls_back_is_enqueued_when_the_outer_commits(app, where):
    """Queued inside the savepoint, or before it: SQLAlchemy fires after_rollback for the
    savepoint too, and neither job may be forgotten for it."""
    db.session.connection()
    if where == "before":
        after_commit.enqueue(JOB, job_id="before-savepoint")
    savepoint = db.session.begin_nested()
    if where == "inside":
        after_commit.enqueue(JOB, job_id="inside-savepoint")
    savepoint.rollback()
    assert queued(app) == set()  # nothing before the commit
    db.session.commit()
    assert queued(app) == {f"{where}-savepoint"}


def test_a_job_queued_in_a_transaction_that_rolls_back_is_not_enqueued(app):
    db.session.connection()
    after_commit.enqueue(JOB, job_id="rolled-back")
    savepoint = db.session.begin_nested()
    after_commit.enqueue(JOB, job_id="rolled-back-inside")
    savepoint.commit()
    # SQLAlchemy fires after_commit for a savepoint's release: that must not run the work.
    assert queued(app) == set()
    db.session.rollback()
    db.session.commit()  # a later transaction does not bring it back
    assert queued(app) == set()


def test_calls_follow_the_outer_transaction_through_savepoints(app, calls):
    made, record = calls
    db.session.connection()
    after_commit.call(record, "before")
    savepoint = db.session.begin_nested()
    after_commit.call(record, "inside")
    savepoint.rollback()
    assert made == []
    db.session.commit()
    assert made == ["before", "inside"]


def test_a_call_in_a_transaction_that_rolls_back_is_not_made(app, calls):
    made, record = calls
    db.session.connection()
    after_commit.call(record, "forgotten")
    db.session.rollback()
    db.session.commit()
    assert made == []


def test_trending_counts_a_signature_only_when_its_transaction_commits(app):
    """trending.record_* go through after_commit.call: Redis sees nothing of a rollback."""
    from app.fraud import trending

    connection = redis_client.connection(app)
    before = set(connection.keys(f"{trending.PREFIX}*"))
    db.session.connection()
    trending.record_account({"user_agent_hash": "a" * 16}, "rolled@back.kz")
    db.session.rollback()
    assert set(connection.keys(f"{trending.PREFIX}*")) == before
    db.session.connection()
    savepoint = db.session.begin_nested()
    trending.record_account({"user_agent_hash": "b" * 16}, "saved@inside.kz")
    savepoint.rollback()
    db.session.commit()
    assert set(connection.keys(f"{trending.PREFIX}*")) - before
