"""Digest bookkeeping called directly (app/digests/services.py): officials'
preferences, the period a digest is due for, who is due at a moment, and one record
(and at most one email) per official and period."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from app.digests import services
from app.extensions import db
from app.models import DigestFrequency, DigestPreference, DigestRecord, OutboxEmail, ReviewCase, Role, StateBody
from tests.digests.officials import make_officials
from tests.support import make_petition, make_user

ALMATY = timezone(timedelta(hours=5))
MONDAY = date(2026, 11, 23)


def at(day: date, hour: int, minute: int = 5) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ALMATY).astimezone(UTC)


@pytest.fixture
def officials(app, clock):
    clock.set(at(MONDAY - timedelta(days=7), 12))
    return make_officials()


def open_gov_case():
    petition = make_petition(title="Open case for the Government", signatures=1)
    gov = db.session.scalar(select(StateBody.id).where(StateBody.code == "GOV"))
    db.session.add(ReviewCase(petition_id=petition.id, body_id=gov, due_on=date(2026, 12, 30),
                              queued_at=at(MONDAY - timedelta(days=3), 12)))
    db.session.commit()


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_preferences_default_to_daily_in_the_accounts_language(app):
    official = make_user("official@gov.kz", roles=(Role.OFFICIAL,), body="GOV")
    assert services.get_preferences(official.id) == (DigestFrequency.DAILY, None)
    assert db.session.get(DigestPreference, official.id) is None


def test_set_preferences_keeps_one_row_per_official(app):
    official = make_user("official@gov.kz", roles=(Role.OFFICIAL,), body="GOV")
    services.set_preferences(official.id, DigestFrequency.WEEKLY, "ru")
    db.session.commit()
    assert services.get_preferences(official.id) == (DigestFrequency.WEEKLY, "ru")
    services.set_preferences(official.id, DigestFrequency.OFF, "")  # "": the account's language
    db.session.commit()
    assert services.get_preferences(official.id) == (DigestFrequency.OFF, None)
    assert count(DigestPreference, DigestPreference.user_id == official.id) == 1


@pytest.mark.parametrize(("frequency", "moment", "period"), [
    (DigestFrequency.DAILY, at(MONDAY, 8, 59), None),  # before 09:00 in Almaty
    (DigestFrequency.DAILY, at(MONDAY, 9, 0), "daily:2026-11-23"),
    (DigestFrequency.DAILY, at(MONDAY + timedelta(days=1), 23, 59), "daily:2026-11-24"),
    (DigestFrequency.WEEKLY, at(MONDAY, 9, 0), "weekly:2026-W48"),
    (DigestFrequency.WEEKLY, at(MONDAY + timedelta(days=1), 9, 0), None),  # weekly: Mondays only
    (DigestFrequency.OFF, at(MONDAY, 9, 0), None),
])
def test_the_period_a_digest_is_due_for(frequency, moment, period):
    assert services.period_for(frequency, moment) == period


def test_due_lists_the_officials_not_yet_served_for_their_period(officials):
    daily, weekly, _ = officials
    result, pending = services.due(at(MONDAY, 8, 59))
    assert (result.due, pending) == (0, [])
    result, pending = services.due(at(MONDAY, 9))
    assert (result.due, result.already) == (2, 0)  # "off" is never due
    assert sorted((d.official.email, period) for d, period in pending) == [
        ("daily@gov.kz", "daily:2026-11-23"), ("weekly@gov.kz", "weekly:2026-W48")]
    assert count(DigestRecord) == 0  # due() reads only
    for digest, period in pending:
        services.record(digest, period, at(MONDAY, 9))
    db.session.commit()
    result, pending = services.due(at(MONDAY, 10))
    assert (result.due, result.already, pending) == (0, 2, [])
    # Tuesday: the daily official is due again, the weekly one is not.
    result, pending = services.due(at(MONDAY + timedelta(days=1), 9))
    assert [(d.official.id, period) for d, period in pending] == [(daily.id, "daily:2026-11-24")]


def test_record_is_once_per_official_and_period(officials):
    open_gov_case()
    now = at(MONDAY, 9)
    _, pending = services.due(now)
    [(digest, period)] = [(d, p) for d, p in pending if d.official.email == "daily@gov.kz"]
    assert not digest.is_empty
    assert services.record(digest, period, now) == "sent"
    db.session.commit()
    # A retry, a second scheduler: the period is already recorded, nothing more is queued.
    assert services.record(digest, period, now) == "already"
    db.session.commit()
    [entry] = db.session.scalars(select(DigestRecord).where(DigestRecord.user_id == digest.official.id)).all()
    assert (entry.period, entry.items, entry.created_at) == ("daily:2026-11-23", digest.items, now)
    [email] = db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == "daily@gov.kz")).all()
    assert entry.outbox_email_id == email.id and email.template == "digest"
    assert "Open case for the Government" in email.text_body


def test_an_empty_digest_is_recorded_without_an_email(officials):
    now = at(MONDAY, 9)
    _, pending = services.due(now)
    assert pending and all(d.is_empty for d, _ in pending)
    assert [services.record(d, p, now) for d, p in pending] == ["empty", "empty"]
    assert [services.record(d, p, now) for d, p in pending] == ["already", "already"]
    db.session.commit()
    assert count(DigestRecord) == 2 and count(DigestRecord, DigestRecord.outbox_email_id.is_not(None)) == 0
    assert count(OutboxEmail) == 0


def test_a_record_goes_with_the_transaction(officials):
    """record() flushes, never commits: a digest whose unit of work rolls back is
    sent by the next run."""
    open_gov_case()
    now = at(MONDAY, 9)
    _, pending = services.due(now)
    for digest, period in pending:
        services.record(digest, period, now)
    db.session.rollback()
    assert count(DigestRecord) == 0 and count(OutboxEmail) == 0
    assert services.due(now)[0].due == 2
