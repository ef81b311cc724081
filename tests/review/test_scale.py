"""The engine under load: concurrent crossings and ten thousand signatures on PostgreSQL;
a worker killed in the middle of a fan-out on both databases."""

import os
import secrets
import signal
import subprocess
import threading
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from app.core import clock
from app.core.jobs import queue, worker
from app.extensions import db
from app.models import (
    OutboxEmail,
    Petition,
    PetitionRegionCount,
    Region,
    ReviewCase,
    Role,
    Signature,
    SignatureDelta,
    User,
)
from app.petitions import services
from app.petitions.services import PetitionError
from app.review.jobs import aggregate_counts, sweep_thresholds
from tests import timeshift
from tests.support import _hash, make_petition, make_user, settle, text_part, wait_for

ROOT = Path(__file__).resolve().parents[2]
# Minutes on PostgreSQL; CI runs them on both full lanes (`-m "not slow"` skips them locally).
pytestmark = pytest.mark.slow


@pytest.fixture
def postgres(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("concurrency at scale is a PostgreSQL property; SQLite serialises writers")


def bulk_users(n: int, prefix: str) -> list[int]:
    regions = db.session.scalars(select(Region.id).order_by(Region.id)).all()
    password = _hash("correct horse battery")
    now = clock.now()
    rows = [{"email": f"{prefix}{i}@load.kz", "mailbox": f"{prefix}{i}@load.kz", "given_name": "Load", "surname": f"User{i}", "password_hash": password,
             "region_id": regions[i % len(regions)], "iin_hmac": secrets.token_bytes(32),
             "birth_date": date(1980, 1, 1), "email_verified_at": now, "language": "kk", "session_version": 1,
             "active": True, "created_at": now} for i in range(n)]
    db.session.execute(insert(User), rows)
    db.session.commit()
    return list(db.session.scalars(select(User.id).where(User.email.like(f"{prefix}%@load.kz")).order_by(User.id)))


def sign_concurrently(app, petition_id, user_ids, threads, notify_ids=frozenset(), aggregators=2):
    barrier = threading.Barrier(threads + aggregators)
    errors, done = [], threading.Event()
    chunks = [user_ids[i::threads] for i in range(threads)]

    def signer(chunk):
        with app.app_context():
            barrier.wait()
            for uid in chunk:
                try:
                    services.sign(db.session.get(Petition, petition_id), db.session.get(User, uid),
                                  show_name=False, notify=uid in notify_ids)
                    db.session.commit()
                except PetitionError:
                    db.session.rollback()
                except Exception as exc:  # any other error fails the test
                    db.session.rollback()
                    errors.append(exc)
            db.session.remove()

    def aggregator():
        with app.app_context():
            barrier.wait()
            while not done.is_set():
                try:
                    aggregate_counts()
                except Exception as exc:  # any error fails the test
                    db.session.rollback()
                    errors.append(exc)
            db.session.remove()

    workers = [threading.Thread(target=signer, args=(c,)) for c in chunks]
    aggs = [threading.Thread(target=aggregator) for _ in range(aggregators)]
    for t in workers + aggs:
        t.start()
    for t in workers:
        t.join(timeout=300)
    done.set()
    for t in aggs:
        t.join(timeout=60)
    return errors


def test_100_concurrent_crossings_each_exactly_once(app, postgres, small_threshold, smtp_server):
    """100 times: 50 concurrent signatures cross a threshold of 20 while two
    aggregators run. Each time one review case, and one email per recipient."""
    make_user("official@health.kz", roles=(Role.OFFICIAL,), body="MIN-HEALTH")
    small_threshold.threshold_fixed = 20
    db.session.commit()
    signers = bulk_users(50, "crossing")
    fans = frozenset(signers[:5])
    author = make_user("crossing.author@example.kz")
    petitions = []
    for rep in range(100):
        petition = make_petition(author, body="MIN-HEALTH", title=f"Concurrent crossing number {rep:03d}",
                                 signatures=1)
        errors = sign_concurrently(app, petition.id, signers, threads=10, notify_ids=fans)
        assert errors == []
        petitions.append(petition.id)
    settle()
    sweep_thresholds()
    for pid in petitions:
        assert db.session.scalar(select(func.count()).select_from(ReviewCase).where(ReviewCase.petition_id == pid)) == 1
    worker.drain(app, max_rounds=200)
    received = Counter()
    for message in smtp_server.messages:
        title = next(t for t in (f"Concurrent crossing number {n:03d}" for n in range(100)) if t in text_part(message))
        received[(message["To"], title)] += 1
    expected_recipients = 1 + 1 + len(fans)  # author, the official, the signers who asked
    assert len(received) == 100 * expected_recipients
    assert set(received.values()) == {1}


def test_worker_killed_mid_fanout_sends_each_email_once(app, small_threshold):
    small_threshold.threshold_fixed = 2001
    db.session.commit()
    author = make_user("fanout.author@example.kz")
    petition = make_petition(author, body="MIN-HEALTH", signatures=1)
    fans = bulk_users(2000, "fanout")
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(fans)))}
    now = clock.now()
    db.session.execute(insert(Signature), [
        {"petition_id": petition.id, "user_id": uid, "region_id": users[uid].region_id, "created_at": now,
         "sponsor": False, "show_name": False, "notify": True, "valid": True} for uid in fans])
    db.session.execute(insert(SignatureDelta), [
        {"petition_id": petition.id, "region_id": users[uid].region_id, "sponsor": False, "n": 1, "created_at": now}
        for uid in fans])
    db.session.commit()
    queue.get_queue("mail", app).empty()
    env = dict(os.environ, DAUYS_CONFIG="development", FLASK_APP="wsgi",
               DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], REDIS_URL=app.config["REDIS_URL_RESOLVED"],
               MAIL_DIR=app.config["MAIL_DIR"], OUTBOX_LEASE_SECONDS="2", LOG_LEVEL="WARNING")
    env.pop("SMTP_HOST", None)

    def start_worker():
        return subprocess.Popen(timeshift.command("flask", "--app", "wsgi", "worker"), cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    settle()  # crosses; the fan-out job is enqueued on commit
    assert db.session.scalar(select(func.count()).select_from(ReviewCase)) == 1

    def signer_rows():
        db.session.expire_all()
        return db.session.scalar(select(func.count()).select_from(OutboxEmail)
                                 .where(OutboxEmail.dedupe_key.like("threshold:%:signer:%")))

    worker = start_worker()
    try:
        assert wait_for(lambda: 0 < signer_rows() < 2000, timeout=60, interval=0.05)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    assert signer_rows() < 2000

    worker = start_worker()
    try:
        def finished():
            sweep_thresholds()
            from app.mail.jobs import sweep_outbox

            sweep_outbox()
            db.session.expire_all()
            unsent = db.session.scalar(select(func.count()).select_from(OutboxEmail)
                                       .where(OutboxEmail.status != "sent"))
            return signer_rows() == 2000 and unsent == 0

        assert wait_for(finished, timeout=180, interval=1)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    import email
    import email.policy

    recipients = Counter()
    for f in Path(app.config["MAIL_DIR"]).glob("*.eml"):
        recipients[email.message_from_bytes(f.read_bytes(), policy=email.policy.default)["To"]] += 1
    fan_emails = {f"fanout{i}@load.kz" for i in range(2000)}
    assert {r for r in recipients if r in fan_emails} == fan_emails
    assert all(recipients[r] == 1 for r in fan_emails)


def test_ten_thousand_concurrent_signatures(app, postgres):
    petition = make_petition(signatures=0)
    user_ids = bulk_users(10_000, "surge")
    errors = sign_concurrently(app, petition.id, user_ids, threads=10)
    assert errors == []
    settle()
    db.session.expire_all()
    count = db.session.get(Petition, petition.id).signature_count
    rows = db.session.scalar(select(func.count()).select_from(Signature).where(Signature.petition_id == petition.id))
    regional = db.session.scalar(select(func.sum(PetitionRegionCount.count))
                                 .where(PetitionRegionCount.petition_id == petition.id))
    assert count == rows == regional == 10_000
