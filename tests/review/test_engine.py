"""The threshold engine: crossing exactly once, who is told, due dates, profiles,
the sweeper, reconciliation, and a Redis outage."""

from datetime import UTC, date, datetime

import redis
from sqlalchemy import func, select, update

from app.core.jobs import worker
from app.extensions import db
from app.models import OutboxEmail, Petition, PetitionRegionCount, ReviewCase, Role, Signature
from app.petitions import counting
from app.review import engine
from app.review.jobs import reconcile_counts, sweep_thresholds
from tests.support import login, make_petition, make_user, post, settle, sign_as, text_part


def cases(petition_id=None):
    q = select(func.count()).select_from(ReviewCase)
    if petition_id:
        q = q.where(ReviewCase.petition_id == petition_id)
    return db.session.scalar(q)


def test_crossing_creates_one_case_and_tells_each_recipient_once(app, small_threshold, mailbox):
    author = make_user("author@example.kz")
    official = make_user("official@health.kz", roles=(Role.OFFICIAL,), body="MIN-HEALTH")
    make_user("official@gov.kz", roles=(Role.OFFICIAL,), body="GOV")  # another body: not told
    petition = make_petition(author, body="MIN-HEALTH", signatures=1)
    fan = make_user("fan@example.kz")
    quiet = make_user("quiet@example.kz")
    sign_as(petition, fan, notify=True)
    settle()
    assert cases() == 0
    sign_as(petition, quiet, notify=False)
    settle()
    assert cases(petition.id) == 1
    db.session.expire_all()
    p = db.session.get(Petition, petition.id)
    assert p.threshold_reached_at is not None and p.threshold_at_crossing == 3
    for _ in range(3):
        sign_as(petition, make_user(), notify=False)
        settle()
    sweep_thresholds()
    assert cases(petition.id) == 1
    worker.drain(app)
    assert len(mailbox.to("author@example.kz")) == 1
    assert len(mailbox.to("official@health.kz")) == 1
    assert len(mailbox.to("fan@example.kz")) == 1
    assert mailbox.to("quiet@example.kz") == [] and mailbox.to("official@gov.kz") == []
    [official_mail] = mailbox.to(official.email)
    assert "/review/cases/" in text_part(official_mail)


def test_due_date_in_working_days_with_a_controlled_clock(app, small_threshold, clock):
    # Queued on Friday 20 March 2026: Nauryz (21-25 March) and weekends are skipped.
    clock.set(datetime(2026, 3, 20, 6, 0, tzinfo=UTC))
    petition = make_petition(body="MIN-HEALTH", signatures=3)
    small_threshold.review_period_days = 20
    db.session.commit()
    settle()
    engine.after_counting([petition.id])
    db.session.commit()
    case = db.session.scalar(select(ReviewCase))
    # 26, 27, 30, 31 March; 1-3, 6-10, 13-17, 20-22 April
    assert case.due_on == date(2026, 4, 22)
    small_threshold.review_period_days = 40
    db.session.commit()


def test_due_date_across_independence_day_and_new_year(app, small_threshold, clock):
    clock.set(datetime(2026, 12, 10, 6, 0, tzinfo=UTC))  # Thursday
    make_petition(body="MIN-HEALTH", signatures=3)
    engine.after_counting(list(db.session.scalars(select(Petition.id))))
    db.session.commit()
    case = db.session.scalar(select(ReviewCase))
    # 40 working days: 16 Dec, 1, 2 (Sat), 4 (observed) and 7 January are holidays.
    assert case.due_on == date(2027, 2, 10)


def test_profile_switch_changes_future_thresholds_only(app, monkeypatch):
    crossed = make_petition(title="Crossed under the movement profile", signatures=1)
    waiting = make_petition(title="Not crossed yet, more than 15,000", signatures=1)
    db.session.execute(update(Petition).where(Petition.id == crossed.id).values(signature_count=16000))
    db.session.commit()
    sweep_thresholds()
    assert cases(crossed.id) == 1
    monkeypatch.setitem(app.config, "THRESHOLD_PROFILE", "law-2024")
    db.session.execute(update(Petition).where(Petition.id == waiting.id).values(signature_count=16000))
    db.session.commit()
    sweep_thresholds()
    assert cases(waiting.id) == 0  # 50,000 now
    assert cases(crossed.id) == 1  # never un-queued
    db.session.expire_all()
    assert db.session.get(Petition, crossed.id).threshold_reached_at is not None


def test_reconcile_repairs_drift(app, runner):
    petition = make_petition(signatures=4)
    db.session.execute(update(Petition).where(Petition.id == petition.id).values(signature_count=99))
    db.session.execute(update(PetitionRegionCount).values(count=7))
    db.session.commit()
    result = runner.invoke(args=["counts", "reconcile"])
    assert result.exit_code == 0, result.output
    assert "1 petition" in result.output
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).signature_count == 4
    regional = db.session.scalar(select(func.sum(PetitionRegionCount.count))
                                 .where(PetitionRegionCount.petition_id == petition.id))
    assert regional == 4
    assert reconcile_counts() == 0  # nothing left to repair


def test_reconcile_counts_pending_deltas_as_not_drift(app):
    petition = make_petition(signatures=2)
    sign_as(petition, make_user())  # recorded, not yet folded
    assert counting.pending(petition.id) == 1
    assert reconcile_counts() == 0
    settle()
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).signature_count == 3


def test_redis_outage_while_crossing(app, client, small_threshold, mailbox, monkeypatch):
    """Signing works without Redis; once it is back, the scheduler's jobs create the
    case and send the emails with no manual step."""
    author = make_user("author@example.kz")
    petition = make_petition(author, body="MIN-HEALTH", signatures=2)
    make_user("late@example.kz")
    login(client, "late@example.kz")
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    monkeypatch.setitem(app.extensions, "redis", dead)
    response = post(client, f"/petitions/{petition.id}/sign", {"notify": "y"})
    assert response.status_code == 302
    rows = db.session.scalar(select(func.count()).select_from(Signature).where(Signature.petition_id == petition.id))
    assert rows == 3 and cases() == 0
    monkeypatch.undo()
    from app.core.jobs.scheduler import Scheduler

    Scheduler(app, tick=1).run_once()
    worker.drain(app)
    assert cases(petition.id) == 1
    assert len(mailbox.to("author@example.kz")) == 1
    assert len(mailbox.to("late@example.kz")) == 1


def test_only_one_aggregator_folds_a_delta(app):
    """Two aggregations in a row never count a delta twice (it is deleted as it is added)."""
    petition = make_petition(signatures=1)
    sign_as(petition, make_user())
    assert settle() == 1
    assert settle() == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 0  # no threshold crossed: nobody is written to
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).signature_count == 2
