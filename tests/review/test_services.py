"""Officials' and moderators' actions on review cases, called directly
(app/review/services.py): acknowledge, publish a response, reassign; who may handle a
case; CaseError's codes and statuses, with nothing written when it refuses."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.core.clock import local_date
from app.core.workdays import add_working_days
from app.extensions import db
from app.models import AuditEntry, CaseReassignment, CaseState, OutboxEmail, ReviewCase, Role, StateBody
from app.review import services
from tests.support import make_petition, make_user


def body(code):
    return db.session.scalar(select(StateBody).where(StateBody.code == code))


@pytest.fixture
def case(app, clock):
    clock.set(datetime(2026, 11, 23, 6, 0, tzinfo=UTC))  # Monday, 11:00 in Almaty
    petition = make_petition(make_user("author@example.kz"), body="MIN-HEALTH", signatures=1,
                             title="Ақсу қаласында аурухана салу керек")
    health = body("MIN-HEALTH")
    case = ReviewCase(petition_id=petition.id, body_id=health.id, queued_at=clock.now(),
                      due_on=add_working_days(local_date(clock.now()), health.review_period_days))
    db.session.add(case)
    db.session.commit()
    return case


@pytest.fixture
def official(app):
    return make_user("official@health.kz", roles=(Role.OFFICIAL,), body="MIN-HEALTH")


def reload(case):
    db.session.expire_all()
    return db.session.get(ReviewCase, case.id)


def audit(action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_who_may_handle_a_case(case, official):
    assert services.may_handle(official, case)
    assert services.may_handle(make_user("admin@example.kz", roles=(Role.ADMIN,)), case)
    assert not services.may_handle(make_user("official@gov.kz", roles=(Role.OFFICIAL,), body="GOV"), case)
    assert not services.may_handle(make_user("moderator@example.kz", roles=(Role.MODERATOR,)), case)
    assert not services.may_handle(make_user("citizen@example.kz"), case)


def test_acknowledge_once(case, official, clock):
    clock.advance(days=1)
    services.acknowledge(official, case)
    db.session.commit()
    acknowledged = reload(case)
    assert acknowledged.state is CaseState.ACKNOWLEDGED
    assert (acknowledged.acknowledged_at, acknowledged.acknowledged_by_id) == (clock.now(), official.id)
    [entry] = audit("case.acknowledge")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (official.id, "review_case", case.id)
    assert (entry.before, entry.after) == ({"state": "queued"}, {"state": "acknowledged"})

    with pytest.raises(services.CaseError) as refused:
        services.acknowledge(official, acknowledged)
    assert (refused.value.code, refused.value.status) == ("wrong_state", 409)
    db.session.rollback()
    assert len(audit("case.acknowledge")) == 1


def test_the_response_is_cleaned_before_it_is_published():
    assert services.clean_response("  We agree.\r\n\r\nWork starts in May.  ") == "We agree.\n\nWork starts in May."
    assert services.clean_response("x" * services.MAX_RESPONSE) == "x" * services.MAX_RESPONSE


@pytest.mark.parametrize(("text", "code"), [("", "empty"), ("   \r\n ", "empty"), (None, "empty"),
                                             ("x" * (services.MAX_RESPONSE + 1), "too_long")])
def test_an_empty_or_overlong_response_is_refused(text, code):
    with pytest.raises(services.CaseError) as refused:
        services.clean_response(text)
    assert (refused.value.code, refused.value.field, refused.value.status) == (code, "response", 422)


def test_publish_response_answers_and_tells_the_author(case, official, clock):
    clock.advance(days=2)
    services.publish_response(official, case, "Аурухана 2027 жылы салынады.\r\n")
    db.session.commit()
    answered = reload(case)
    assert answered.state is CaseState.ANSWERED and answered.response_text == "Аурухана 2027 жылы салынады."
    assert answered.answered_at == clock.now() and answered.answered_by_id == official.id
    # Answering without acknowledging first acknowledges it too.
    assert answered.acknowledged_at == clock.now() and answered.acknowledged_by_id == official.id
    [entry] = audit("case.answer")
    assert (entry.before, entry.after) == ({"state": "queued"}, {"state": "answered"})
    [email] = db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == "author@example.kz")).all()
    assert email.template == "review_notice" and "Аурухана 2027 жылы салынады." in email.text_body


def test_an_answered_case_is_not_answered_again(case, official):
    services.publish_response(official, case, "The first answer.")
    db.session.commit()
    with pytest.raises(services.CaseError) as refused:
        services.publish_response(official, reload(case), "A second answer.")
    assert (refused.value.code, refused.value.status) == ("wrong_state", 409)
    db.session.rollback()
    assert reload(case).response_text == "The first answer." and len(audit("case.answer")) == 1


def test_reassign_moves_the_case_and_its_due_date(case, clock):
    moderator = make_user("moderator@example.kz", roles=(Role.MODERATOR,))
    clock.advance(days=5)  # the due date counts from the day the case was queued, not today
    old_due = case.due_on
    services.reassign(moderator, case, "MIN-EDU", "  It is about schools.  ")
    db.session.commit()
    moved = reload(case)
    education = body("MIN-EDU")
    assert moved.body_id == education.id
    assert moved.due_on == add_working_days(local_date(moved.queued_at), education.review_period_days)
    [hop] = db.session.scalars(select(CaseReassignment).where(CaseReassignment.case_id == case.id)).all()
    assert (hop.from_body_id, hop.to_body_id, hop.at) == (body("MIN-HEALTH").id, education.id, clock.now())
    [entry] = audit("case.reassign")
    assert entry.actor_id == moderator.id and entry.reason == "It is about schools."
    assert entry.before == {"body": "MIN-HEALTH", "due_on": old_due.isoformat()}
    assert entry.after == {"body": "MIN-EDU", "due_on": moved.due_on.isoformat()}


@pytest.mark.parametrize(("to", "note", "answered", "code", "field", "status"), [
    ("NO-SUCH-BODY", "A note.", False, "unknown_body", "body", 422),
    ("MIN-HEALTH", "A note.", False, "same_body", "body", 422),
    ("MIN-EDU", "   ", False, "note_required", "note", 422),
    ("MIN-EDU", "A note.", True, "answered", "body", 409),
])
def test_reassign_refusals_change_nothing(case, official, to, note, answered, code, field, status):
    if answered:
        services.publish_response(official, case, "Answered already.")
        db.session.commit()
    moderator = make_user("moderator@example.kz", roles=(Role.MODERATOR,))
    with pytest.raises(services.CaseError) as refused:
        services.reassign(moderator, reload(case), to, note)
    assert (refused.value.code, refused.value.field, refused.value.status) == (code, field, status)
    assert refused.value.message()  # the moderator reads why
    db.session.rollback()
    assert reload(case).body.code == "MIN-HEALTH"
    assert db.session.scalars(select(CaseReassignment)).all() == [] and audit("case.reassign") == []

