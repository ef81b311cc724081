"""Moderation actions called directly (app/moderation/services.py): each moves the
petition, records a decision and an audit entry, and queues the author's email; a
refusal (own petition, a state that no longer allows it, a wrong reason) changes nothing."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    AuditEntry,
    Category,
    DecisionAction,
    ModerationDecision,
    OutboxEmail,
    Petition,
    PetitionState,
    RejectionCode,
    Report,
    ReportReason,
    Role,
)
from app.moderation import services
from app.petitions.lifecycle import IllegalTransition
from app.petitions.services import PetitionError
from tests.support import make_petition, make_user


@pytest.fixture
def moderator(app):
    return make_user("mod@example.kz", roles=(Role.MODERATOR,))


@pytest.fixture
def author(app):
    return make_user("author@example.kz")


@pytest.fixture
def pending(author):
    return make_petition(author, state="pending_moderation", title="Алматыда велосипед жолдарын салу керек")


def reload(petition):
    db.session.expire_all()
    return db.session.get(Petition, petition.id)


def audit(action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def emails_to(address):
    return db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == address)).all()


def decisions(petition):
    return db.session.scalars(select(ModerationDecision).where(ModerationDecision.petition_id == petition.id)).all()


def nothing_written(petition):
    """No decision, no audit entry about the petition, no email."""
    entries = select(func.count()).select_from(AuditEntry).where(AuditEntry.target_type == "petition",
                                                                AuditEntry.target_id == petition.id)
    return (decisions(petition) == [] and db.session.scalar(entries) == 0
            and db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 0)


def test_approve_opens_the_petition_and_tells_the_author(moderator, pending):
    services.approve(moderator, pending)
    db.session.commit()
    petition = reload(pending)
    assert petition.state is PetitionState.OPEN and petition.opened_at is not None
    [decision] = decisions(petition)
    assert (decision.action, decision.moderator_id) == (DecisionAction.APPROVE, moderator.id)
    [entry] = audit("petition.approve")
    assert entry.actor_id == moderator.id and (entry.target_type, entry.target_id) == ("petition", petition.id)
    assert entry.before["state"] == "pending_moderation" and entry.after["state"] == "open"
    [email] = emails_to("author@example.kz")
    assert email.template == "petition_stage" and email.language == "kk"
    assert petition.title in email.text_body


def test_return_to_author_keeps_the_note_for_the_author(moderator, pending):
    note = "Атауын нақтылаңыз: қай көшелер туралы?"
    services.return_to_author(moderator, pending, note)
    db.session.commit()
    petition = reload(pending)
    assert petition.state is PetitionState.RETURNED and petition.return_note == note
    [entry] = audit("petition.return")
    assert entry.reason == note and entry.after["state"] == "returned"
    [email] = emails_to("author@example.kz")
    assert note in email.text_body


@pytest.mark.parametrize(("code", "note", "state", "action", "audited"), [
    (RejectionCode.DUPLICATE, "Бұл петиция бұрыннан бар.", PetitionState.REJECTED, DecisionAction.REJECT,
     "petition.reject"),
    (RejectionCode.OFFENSIVE, "Қорлайтын сөздер бар.", PetitionState.HIDDEN, DecisionAction.HIDE, "petition.hide"),
], ids=["a public reason rejects", "a hiding reason hides"])
def test_reject_rejects_with_the_explanation_or_hides(moderator, pending, code, note, state, action, audited):
    services.reject(moderator, pending, code, note)
    db.session.commit()
    petition = reload(pending)
    assert petition.state is state and petition.rejection_code is code
    [decision] = decisions(petition)
    assert decision.action is action and decision.reason_code is code
    [entry] = audit(audited)
    assert entry.reason == f"{code.value}: {note}" and entry.after["rejection_code"] == code.value
    assert audit({"petition.reject": "petition.hide", "petition.hide": "petition.reject"}[audited]) == []
    [email] = emails_to("author@example.kz")
    assert email.template == "petition_stage" and note in email.text_body


@pytest.mark.parametrize("act", [
    lambda m, p: services.approve(m, p),
    lambda m, p: services.return_to_author(m, p, "A note."),
    lambda m, p: services.reject(m, p, RejectionCode.DUPLICATE, "A duplicate."),
    lambda m, p: services.dismiss_reports(m, p, None),
], ids=["approve", "return", "reject", "dismiss_reports"])
def test_a_moderator_may_not_decide_on_their_own_petition(moderator, act):
    own = make_petition(moderator, state="pending_moderation", title="A petition the moderator wrote")
    with pytest.raises(services.OwnPetition) as refused:
        act(moderator, own)
    assert isinstance(refused.value, services.ModerationError)
    assert (refused.value.code, refused.value.status) == ("own_petition", 403)
    db.session.rollback()
    assert reload(own).state is PetitionState.PENDING_MODERATION and nothing_written(own)


def test_an_illegal_transition_is_refused_with_409(moderator, author):
    opened = make_petition(author, state="open", title="Already open for signatures")
    with pytest.raises(IllegalTransition) as refused:
        services.approve(moderator, opened)
    assert (refused.value.code, refused.value.status) == ("illegal_transition", 409)
    assert refused.value.state is PetitionState.OPEN
    db.session.rollback()
    assert reload(opened).state is PetitionState.OPEN and nothing_written(opened)


def test_take_down_needs_a_reason_that_hides(moderator, author):
    opened = make_petition(author, state="open", title="Open petition to be taken down")
    with pytest.raises(services.ModerationError) as refused:
        services.take_down(moderator, opened, RejectionCode.DUPLICATE, "Not a hiding reason.")
    assert (refused.value.code, refused.value.field, refused.value.status) == ("not_hiding_code", "code", 422)
    db.session.rollback()
    assert reload(opened).state is PetitionState.OPEN and nothing_written(opened)


def test_take_down_then_restore(moderator, author):
    opened = make_petition(author, state="open", title="Open petition to be taken down")
    services.take_down(moderator, opened, RejectionCode.PERSONAL_DATA, "A phone number in the text.")
    db.session.commit()
    petition = reload(opened)
    assert petition.state is PetitionState.HIDDEN and petition.hidden_from is PetitionState.OPEN
    [entry] = audit("petition.take_down")
    assert entry.before["state"] == "open" and entry.after["state"] == "hidden"
    assert len(emails_to("author@example.kz")) == 1

    services.restore(moderator, petition, "The number was removed.")
    db.session.commit()
    petition = reload(opened)
    assert petition.state is PetitionState.OPEN and petition.rejection_code is None
    [entry] = audit("petition.restore")
    assert entry.after["state"] == "open" and entry.reason == "The number was removed."
    assert len(emails_to("author@example.kz")) == 1  # restoring writes no email
    assert [d.action for d in decisions(petition)] == [DecisionAction.TAKE_DOWN, DecisionAction.RESTORE]


def test_change_metadata_moves_the_petition_to_another_body(moderator, pending):
    services.change_metadata(moderator, pending, "health", "MIN-HEALTH", "It is about hospitals.")
    db.session.commit()
    petition = reload(pending)
    assert petition.category is Category.HEALTH and petition.body.code == "MIN-HEALTH"
    [entry] = audit("petition.change_metadata")
    assert (entry.before["body"], entry.after["body"]) == ("GOV", "MIN-HEALTH")
    assert (entry.before["category"], entry.after["category"]) == ("transport_roads", "health")
    assert emails_to("author@example.kz") == []


@pytest.mark.parametrize(("category", "body", "error", "code", "field"), [
    ("transport_roads", "GOV", services.ModerationError, "nothing_changed", "note"),
    ("no_such_category", "GOV", PetitionError, "unknown_category", "category"),
    ("transport_roads", "NO-SUCH-BODY", PetitionError, "inactive_body", "body"),
    ("transport_roads", "AKIMAT-KZ-35", PetitionError, "author_not_resident", "body"),
])
def test_change_metadata_refusals(moderator, pending, category, body, error, code, field):
    with pytest.raises(error) as refused:
        services.change_metadata(moderator, pending, category, body, "A note.")
    assert (refused.value.code, refused.value.field, refused.value.status) == (code, field, 422)
    db.session.rollback()
    petition = reload(pending)
    assert petition.body.code == "GOV" and petition.category is Category.TRANSPORT
    assert nothing_written(petition)


def test_change_metadata_of_a_decided_petition_is_an_illegal_transition(moderator, author):
    rejected = make_petition(author, state="rejected", title="A petition already rejected")
    with pytest.raises(IllegalTransition) as refused:
        services.change_metadata(moderator, rejected, "health", "MIN-HEALTH", "Too late.")
    assert refused.value.status == 409


def test_dismiss_reports_resolves_the_open_reports_once(moderator, author):
    opened = make_petition(author, state="open", title="A reported open petition")
    for n in range(2):
        db.session.add(Report(petition_id=opened.id, reporter_id=make_user(f"reporter{n}@example.kz").id,
                              reason=ReportReason.OFFENSIVE))
    db.session.commit()
    assert services.dismiss_reports(moderator, opened, "Nothing offensive.") == 2
    db.session.commit()
    reports = db.session.scalars(select(Report).where(Report.petition_id == opened.id)).all()
    assert all(r.resolved_at is not None and r.resolved_by_id == moderator.id for r in reports)
    [entry] = audit("petition.dismiss_reports")
    assert entry.reason == "Nothing offensive."
    # Nothing open is left: no second decision, no second entry.
    assert services.dismiss_reports(moderator, opened, None) == 0
    assert len(audit("petition.dismiss_reports")) == 1 and len(decisions(opened)) == 1
