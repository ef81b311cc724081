"""Concurrent signing on PostgreSQL: the count never drifts from the rows, and the
database, not luck, keeps one signature per person."""

import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Petition, Signature, User
from app.petitions import services
from app.petitions.services import PetitionError
from tests.support import make_petition, make_user


@pytest.fixture
def postgres(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("concurrency is a PostgreSQL property; SQLite serialises writers")


def run_concurrently(app, petition_id, user_ids, threads=20):
    barrier = threading.Barrier(threads)
    errors, outcomes = [], []
    chunks = [user_ids[i::threads] for i in range(threads)]

    def worker(chunk):
        with app.app_context():
            barrier.wait()
            for user_id in chunk:
                petition = db.session.get(Petition, petition_id)
                user = db.session.get(User, user_id)
                try:
                    services.sign(petition, user, show_name=False, notify=False)
                    db.session.commit()
                    outcomes.append("signed")
                except PetitionError as exc:
                    db.session.rollback()
                    outcomes.append(exc.code)
                except Exception as exc:  # anything else is a failure of the test
                    db.session.rollback()
                    errors.append(exc)
            db.session.remove()

    pool = [threading.Thread(target=worker, args=(chunk,)) for chunk in chunks]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=120)
    return outcomes, errors


def counts(petition_id):
    from tests.support import settle

    settle()
    db.session.expire_all()
    rows = db.session.scalar(select(func.count()).select_from(Signature).where(Signature.petition_id == petition_id))
    return db.session.get(Petition, petition_id).signature_count, rows


def test_200_users_signing_at_once(app, postgres):
    petition = make_petition(state="open")
    users = [make_user(commit=False) for _ in range(200)]
    db.session.commit()
    outcomes, errors = run_concurrently(app, petition.id, [u.id for u in users])
    assert errors == []
    assert outcomes.count("signed") == 200
    assert counts(petition.id) == (200, 200)


def test_50_attempts_by_one_user(app, postgres):
    petition = make_petition(state="open")
    user = make_user()
    outcomes, errors = run_concurrently(app, petition.id, [user.id] * 50, threads=25)
    assert errors == []
    assert outcomes.count("signed") == 1
    assert outcomes.count("already_signed") == 49
    assert counts(petition.id) == (1, 1)
