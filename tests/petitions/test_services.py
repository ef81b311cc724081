"""app.petitions.services called directly, as routes and jobs call it: the rows a draft,
a submission, a signature or a report writes, the emails they queue, and each refusal's
code, field and status (the pages that show them are tested in test_author_path and
test_signing)."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import OutboxEmail, Petition, PetitionState, Report, Signature, StateBody
from app.petitions import services
from app.petitions.lifecycle import IllegalTransition
from app.petitions.services import PetitionData, PetitionError
from tests.support import make_petition, make_user, settle


def data(**changes) -> PetitionData:
    values = {"title": "  Саябақтарды   көбейту  керек ", "summary": " Қалаға жаңа саябақтар керек. ",
              "details": "Балаларға ойын алаңдары жетпейді.\n", "body_code": "GOV",
              "category": "transport_roads", "language": "kk"}
    return PetitionData(**{**values, **changes})


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def emails_to(address: str) -> list[str]:
    return list(db.session.scalars(select(OutboxEmail.subject).where(OutboxEmail.to_address == address)
                                   .order_by(OutboxEmail.id)))


@pytest.fixture
def inactive_body(app):
    body = db.session.scalar(select(StateBody).where(StateBody.code == "MIN-TOURISM"))
    body.active = False
    db.session.commit()
    yield body.code
    db.session.rollback()
    body = db.session.scalar(select(StateBody).where(StateBody.code == "MIN-TOURISM"))
    body.active = True
    db.session.commit()


# --- drafts ---------------------------------------------------------------------


def test_create_draft_writes_a_tidied_draft_of_its_author(app):
    author = make_user("drafter@example.kz")
    petition = services.create_draft(author, data())
    db.session.commit()
    saved = db.session.get(Petition, petition.id)
    assert saved.state is PetitionState.DRAFT and saved.author_id == author.id
    assert saved.title == "Саябақтарды көбейту керек"
    assert (saved.summary, saved.details) == ("Қалаға жаңа саябақтар керек.", "Балаларға ойын алаңдары жетпейді.")
    assert saved.body.code == "GOV" and saved.category.value == "transport_roads" and saved.language == "kk"
    assert count(Signature) == 0 and emails_to("drafter@example.kz") == []


def test_a_draft_to_an_inactive_body_is_refused(app, inactive_body):
    author = make_user()
    with pytest.raises(PetitionError) as refused:
        services.create_draft(author, data(body_code=inactive_body))
    assert (refused.value.code, refused.value.field, refused.value.status) == ("inactive_body", "body", 422)
    db.session.commit()
    assert count(Petition) == 0


@pytest.mark.parametrize(("changes", "code", "field"), [
    ({"body_code": "NO-SUCH-BODY"}, "inactive_body", "body"),
    ({"body_code": "AKIMAT-KZ-35"}, "author_not_resident", "body"),  # the author lives in Almaty
    ({"category": "astrology"}, "unknown_category", "category"),
    ({"language": "de"}, "unknown_language", "language"),
])
def test_a_draft_with_a_bad_choice_is_refused_on_its_field(app, changes, code, field):
    author = make_user(region="KZ-75")
    with pytest.raises(PetitionError) as refused:
        services.create_draft(author, data(**changes))
    assert (refused.value.code, refused.value.field, refused.value.status) == (code, field, 422)
    db.session.commit()
    assert count(Petition) == 0


def test_an_unverified_author_cannot_create_a_draft(app):
    with pytest.raises(PetitionError) as refused:
        services.create_draft(make_user(verified=False), data())
    assert (refused.value.code, refused.value.status) == ("unverified", 403)
    assert count(Petition) == 0


def test_update_draft_changes_the_draft(app):
    author = make_user()
    petition = make_petition(author, state="draft")
    services.update_draft(petition, author, data(title="Жаңа  тақырып", body_code="AKIMAT-KZ-75"))
    db.session.commit()
    saved = db.session.get(Petition, petition.id)
    assert saved.title == "Жаңа тақырып" and saved.body.code == "AKIMAT-KZ-75"


def test_update_draft_refuses_an_inactive_body_and_keeps_the_draft(app, inactive_body):
    author = make_user()
    petition = make_petition(author, state="draft", title="Бастапқы тақырып")
    with pytest.raises(PetitionError) as refused:
        services.update_draft(petition, author, data(body_code=inactive_body, title="Өзгерген тақырып"))
    assert (refused.value.code, refused.value.field) == ("inactive_body", "body")
    db.session.rollback()
    saved = db.session.get(Petition, petition.id)
    assert saved.title == "Бастапқы тақырып" and saved.body.code == "GOV"


def test_only_the_author_updates_and_only_a_draft_or_returned_one(app):
    author = make_user()
    draft = make_petition(author, state="draft")
    with pytest.raises(PetitionError) as refused:
        services.update_draft(draft, make_user(), data())
    assert (refused.value.code, refused.value.status) == ("not_author", 403)
    returned = make_petition(author, state="returned")
    services.update_draft(returned, author, data(title="Түзетілген тақырып"))
    assert returned.title == "Түзетілген тақырып"
    opened = make_petition(author, state="open")
    with pytest.raises(IllegalTransition) as illegal:
        services.update_draft(opened, author, data())
    assert (illegal.value.code, illegal.value.status) == ("illegal_transition", 409)


# --- submitting -------------------------------------------------------------------


def test_submit_gathers_sponsors_with_the_authors_signature_and_tells_them(app, monkeypatch):
    monkeypatch.setitem(app.config, "SPONSORS_REQUIRED", 5)
    author = make_user("submitter@example.kz", language="en")
    petition = make_petition(author, state="draft")
    services.submit(petition, author, meta={"ip": "203.0.113.7", "user_agent": "Mozilla/5.0"})
    db.session.commit()
    settle()
    db.session.expire_all()
    saved = db.session.get(Petition, petition.id)
    assert saved.state is PetitionState.COLLECTING_SPONSORS and saved.submitted_at is not None
    assert saved.signature_count == 1
    own = db.session.scalar(select(Signature).where(Signature.petition_id == petition.id))
    assert own.user_id == author.id and own.show_name and own.notify and not own.sponsor
    assert emails_to("submitter@example.kz") == ["Your petition has been submitted"]


def test_submit_without_sponsors_goes_straight_to_the_moderators(app, monkeypatch):
    monkeypatch.setitem(app.config, "SPONSORS_REQUIRED", 0)
    author = make_user("direct@example.kz", language="en")
    petition = make_petition(author, state="draft")
    services.submit(petition, author)
    db.session.commit()
    saved = db.session.get(Petition, petition.id)
    assert saved.state is PetitionState.PENDING_MODERATION and saved.moderation_due_on is not None
    assert emails_to("direct@example.kz") == ["Your petition has been submitted",
                                              "Your petition is with the moderators"]


def test_resubmitting_a_returned_petition_signs_nothing_again(app):
    author = make_user("back@example.kz", language="en")
    petition = make_petition(author, state="returned", signatures=1)
    services.submit(petition, author)
    db.session.commit()
    assert db.session.get(Petition, petition.id).state is PetitionState.PENDING_MODERATION
    assert count(Signature, Signature.petition_id == petition.id) == 1
    assert emails_to("back@example.kz") == ["Your petition is with the moderators"]


def test_submit_is_refused_to_another_person_and_twice(app):
    author = make_user()
    petition = make_petition(author, state="draft")
    with pytest.raises(PetitionError) as refused:
        services.submit(petition, make_user())
    assert (refused.value.code, refused.value.status) == ("not_author", 403)
    services.submit(petition, author)
    db.session.commit()
    with pytest.raises(IllegalTransition):
        services.submit(petition, author)
    db.session.rollback()
    assert count(Signature, Signature.petition_id == petition.id) == 1


# --- signing ----------------------------------------------------------------------


def test_sign_writes_the_signature_and_counts_it(app):
    petition = make_petition(signatures=1)
    signer = make_user(region="KZ-35")
    assert services.sign(petition, signer, show_name=True, notify=False) is False
    db.session.commit()
    settle()
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).signature_count == 2
    signature = db.session.scalar(select(Signature).where(Signature.user_id == signer.id))
    assert signature.region.code == "KZ-35" and signature.show_name and not signature.notify
    assert signature.valid and not signature.sponsor


def test_signing_a_petition_collecting_sponsors_sponsors_it(app):
    petition = make_petition(state="collecting_sponsors", signatures=1)
    assert services.sign(petition, make_user(), show_name=False, notify=True, link_key=petition.link_key) is True
    db.session.commit()
    assert count(Signature, Signature.petition_id == petition.id, Signature.sponsor.is_(True)) == 1


@pytest.mark.parametrize("key", [None, "", "wrong-key-of-22-chars__"])
def test_sponsoring_takes_the_link_key_nobody_sponsors_by_counting_ids(app, key):
    petition = make_petition(state="collecting_sponsors", signatures=1)
    with pytest.raises(PetitionError) as refused:
        services.sign(petition, make_user(), show_name=False, notify=True, link_key=key)
    assert (refused.value.code, refused.value.status) == ("not_found", 404)
    db.session.rollback()
    assert count(Signature, Signature.petition_id == petition.id) == 1  # the author's only


def test_a_second_signature_by_the_same_person_is_refused(app):
    petition = make_petition(signatures=1)
    signer = make_user()
    services.sign(petition, signer, show_name=False, notify=False)
    db.session.commit()
    with pytest.raises(PetitionError) as refused:
        services.sign(petition, signer, show_name=True, notify=True)
    assert (refused.value.code, refused.value.status) == ("already_signed", 409)
    db.session.rollback()  # on PostgreSQL the refused INSERT spoilt the transaction
    settle()
    db.session.expire_all()
    assert count(Signature, Signature.petition_id == petition.id) == 2
    assert db.session.get(Petition, petition.id).signature_count == 2


def test_a_signer_from_another_region_cannot_sign_to_a_regional_akimat(app):
    petition = make_petition(make_user(region="KZ-35"), body="AKIMAT-KZ-35", signatures=1)
    with pytest.raises(PetitionError) as refused:
        services.sign(petition, make_user(region="KZ-75"), show_name=False, notify=False)
    assert (refused.value.code, refused.value.status) == ("not_resident", 403)
    assert refused.value.details["region"].code == "KZ-35"  # the message names the akimat's region
    assert services.sign(petition, make_user(region="KZ-35"), show_name=False, notify=False) is False
    db.session.commit()
    assert count(Signature, Signature.petition_id == petition.id) == 2


def test_an_unverified_person_cannot_sign(app):
    petition = make_petition()
    with pytest.raises(PetitionError) as refused:
        services.sign(petition, make_user(verified=False), show_name=False, notify=False)
    assert (refused.value.code, refused.value.status) == ("unverified", 403)
    db.session.commit()
    assert count(Signature) == 0


@pytest.mark.parametrize("state", ["draft", "pending_moderation", "closed", "rejected", "hidden", "returned"])
def test_a_petition_not_open_takes_no_signature(app, state):
    petition = make_petition(state=state)
    with pytest.raises(PetitionError) as refused:
        # With the link: the state is what refuses.
        services.sign(petition, make_user(), show_name=False, notify=False, link_key=petition.link_key)
    assert (refused.value.code, refused.value.status) == ("not_open", 409)
    db.session.commit()
    assert count(Signature, Signature.petition_id == petition.id) == 0


def test_signing_a_petition_that_does_not_exist_is_not_found(app):
    with pytest.raises(PetitionError) as refused:
        services.sign(987654, make_user(), show_name=False, notify=False)
    assert (refused.value.code, refused.value.status) == ("not_found", 404)


# --- reports ----------------------------------------------------------------------


def test_report_writes_one_report_with_its_reason(app):
    petition = make_petition()
    reporter = make_user()
    services.report(petition, reporter, "advertising", "  Жарнама  ")
    db.session.commit()
    report = db.session.scalar(select(Report).where(Report.petition_id == petition.id))
    assert (report.reporter_id, report.reason.value, report.comment) == (reporter.id, "advertising", "Жарнама")
    services.report(petition, make_user(), "other", "   ")
    db.session.commit()
    assert count(Report, Report.comment.is_(None)) == 1


def test_an_unknown_reason_is_refused_on_the_reason_field(app):
    petition = make_petition()
    with pytest.raises(PetitionError) as refused:
        services.report(petition, make_user(), "because", None)
    assert (refused.value.code, refused.value.field, refused.value.status) == ("unknown_reason", "reason", 422)
    db.session.commit()
    assert count(Report) == 0


def test_reporting_twice_is_refused_and_keeps_one_report(app):
    petition = make_petition()
    reporter = make_user()
    services.report(petition, reporter, "offensive", None)
    with pytest.raises(PetitionError) as refused:
        services.report(petition, reporter, "duplicate", "again")
    assert (refused.value.code, refused.value.status) == ("already_reported", 409)
    db.session.commit()  # the refusal spoilt nothing: the first report stays
    assert [r.reason.value for r in db.session.scalars(select(Report))] == ["offensive"]


@pytest.mark.parametrize(("state", "verified", "code"), [("closed", True, "not_open"), ("draft", True, "not_open"),
                                                         ("open", False, "unverified")])
def test_only_a_verified_person_reports_and_only_an_open_petition(app, state, verified, code):
    petition = make_petition(state=state)
    with pytest.raises(PetitionError) as refused:
        services.report(petition, make_user(verified=verified), "illegal", None)
    assert refused.value.code == code
    db.session.commit()
    assert count(Report) == 0
