"""Start a petition: idea, similar petitions, form, preview, edit, submit, sponsors."""

import re

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from app.models import Petition, PetitionState, Signature
from tests.support import CONFIRMED, link_in, login, make_petition, make_user, page_text, post, settle, translated


def form(**overrides):
    data = {
        "title": "Build a safe crossing near School 12",
        "summary": "Children cross a busy road every morning without a crossing.",
        "details": "The road by School 12 has no pedestrian crossing.\n\nWe ask for a signalled crossing.",
        "body": "GOV",
        "category": "transport_roads",
        "language": "en",
    }
    data.update(overrides)
    return data


@pytest.fixture
def author(client):
    user = make_user("author@example.kz", region="KZ-75")
    login(client, "author@example.kz")
    return user


def count_petitions():
    return db.session.scalar(select(func.count()).select_from(Petition))


def test_idea_step_shows_similar_petitions(client, author):
    make_petition(title="Жол жөндеу: Алматыдағы жолдарды жөндеу керек", signatures=3)
    make_petition(title="Мектептерде ыстық тамақ беру керек", category="education",
                  summary="Барлық оқушыларға тегін түскі ас беруді сұраймыз.")
    response = client.get("/petitions/new?idea=жолдарды жөндеу")
    text = page_text(response)
    assert response.status_code == 200
    assert "Алматыдағы жолдарды жөндеу" in text
    assert "ыстық тамақ" not in text
    assert "/petitions/new/form?idea=" in response.get_data(as_text=True)


def test_idea_too_short_is_422(client, author):
    response = client.get("/petitions/new?idea=a")
    assert response.status_code == 422


def test_create_preview_edit_submit(client, author, mailbox, app):
    response = post(client, "/petitions/new/form", form(), token_from="/petitions/new/form")
    assert response.status_code == 302
    petition = db.session.scalar(select(Petition))
    assert petition.state is PetitionState.DRAFT
    preview = client.get(f"/petitions/{petition.id}")
    assert "Build a safe crossing" in page_text(preview)
    # Nobody else sees a draft.
    assert app.test_client().get(f"/petitions/{petition.id}").status_code == 404

    edit_url = f"/petitions/{petition.id}/edit"
    assert client.get(edit_url).status_code == 200
    response = post(client, edit_url, form(title="Build a safe crossing near School 12 in Almaty"), token_from=edit_url)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).title.endswith("in Almaty")

    response = post(client, f"/petitions/{petition.id}/submit", CONFIRMED, token_from=f"/petitions/{petition.id}")
    assert response.status_code == 302
    settle()
    db.session.expire_all()
    petition = db.session.get(Petition, petition.id)
    assert petition.state is PetitionState.COLLECTING_SPONSORS
    assert petition.signature_count == 1  # the author's own
    [message] = mailbox.to("author@example.kz")
    assert f"/petitions/{petition.id}" in link_in(message, "/petitions/")
    # Submitted: no more editing, and the page says why, not "an error on our side".
    refused = client.get(edit_url)
    assert refused.status_code == 409
    assert translated(_l("Not possible now"), "kk") in page_text(refused)
    assert translated(_l("Something went wrong"), "kk") not in page_text(refused)
    assert post(client, f"/petitions/{petition.id}/submit", CONFIRMED).status_code == 409


def test_submitting_asks_the_author_to_confirm_no_excluded_subject(app, client):
    """The law's 16 subjects are listed before writing (the first step) and beside the
    submit button; submitting without the confirmation is refused and writes nothing."""
    client.language = "en"
    author = make_user("confirming@example.kz")
    login(client, "confirming@example.kz")
    first_step = page_text(client.get("/petitions/new"))
    assert "Subjects the law excludes from petitions" in first_step
    assert "The status of the state language." in first_step and "Create a ministry of youth." in first_step
    petition = make_petition(author, state="draft")
    refused = post(client, f"/petitions/{petition.id}/submit", token_from=f"/petitions/{petition.id}")
    assert refused.status_code == 422
    assert ("Confirm that your petition touches none of the subjects the law excludes, or change it."
            in page_text(refused))
    db.session.expire_all()
    petition = db.session.get(Petition, petition.id)
    assert petition.state is PetitionState.DRAFT and petition.submitted_at is None
    assert post(client, f"/petitions/{petition.id}/submit", {"no_excluded_subject": "nonsense"},
                token_from=f"/petitions/{petition.id}").status_code == 302  # a checkbox: any value ticks it


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": "Too short"}, _l("The title must be 10 to 120 characters long.")),
        ({"title": "x" * 121}, _l("The title must be 10 to 120 characters long.")),
        # Long enough as typed, too short as kept (spaces collapse): a 500 before.
        ({"title": "ab" + " " * 20 + "cd"}, _l("The title must be 10 to 120 characters long.")),
        ({"title": "ab\n\n\n\n\n\n\n\n\ncd"}, _l("The title must be 10 to 120 characters long.")),
        ({"title": ""}, _l("Enter a title.")),
        ({"summary": ""}, _l("Enter a short summary of what you ask for.")),
        ({"summary": "y" * 501}, _l("The summary must be at most 500 characters long.")),
        ({"details": ""}, _l("Explain the problem and what should be done.")),
        ({"details": "z" * 4001}, _l("The details must be at most 4,000 characters long.")),
        ({"body": ""}, _l("Choose the state body the petition is addressed to.")),
        ({"body": "NO-SUCH-BODY"}, _l("Choose a state body from the list.")),
        ({"category": ""}, _l("Choose a category.")),
        ({"category": "astrology"}, _l("Choose a category.")),
        ({"language": "fr"}, _l("Choose a language.")),
        ({"body": "AKIMAT-KZ-35"},
         _l("You can address a petition to an akimat or a maslikhat only in your own region of residence.")),
    ],
)
def test_bad_petition_input(client, author, overrides, message):
    response = post(client, "/petitions/new/form", form(**overrides), token_from="/petitions/new/form")
    assert response.status_code == 422
    assert translated(message, "kk") in page_text(response)
    assert count_petitions() == 0


def test_inactive_body_is_refused(client, author):
    from app.models import StateBody

    body = db.session.scalar(select(StateBody).where(StateBody.code == "MIN-TOURISM"))
    body.active = False
    db.session.commit()
    try:
        response = post(client, "/petitions/new/form", form(body="MIN-TOURISM"), token_from="/petitions/new/form")
        assert response.status_code == 422
        assert translated(_l("Choose a state body from the list."), "kk") in page_text(response)
        assert count_petitions() == 0
    finally:
        body.active = True
        db.session.commit()


def test_regional_petition_by_a_resident(client, author):
    response = post(client, "/petitions/new/form", form(body="AKIMAT-KZ-75"), token_from="/petitions/new/form")
    assert response.status_code == 302


def test_unverified_user_cannot_start(client):
    make_user("fresh@example.kz", verified=False)
    login(client, "fresh@example.kz")
    response = client.get("/petitions/new")
    assert "Confirm your email address first" in translated(_l(
        "Confirm your email address first: open the link we sent you, or ask for a new one on your account page."), "en")
    assert translated(_l("Confirm your email address first: open the link we sent you, or ask for a new one on your "
                         "account page."), "kk") in page_text(response)
    response = post(client, "/petitions/new/form", form(), token_from="/petitions/new/form")
    assert response.status_code == 403
    assert count_petitions() == 0


def test_someone_elses_draft_cannot_be_edited_or_submitted(client, author, app):
    other = make_petition(state="draft")
    assert client.get(f"/petitions/{other.id}/edit").status_code == 404
    assert post(client, f"/petitions/{other.id}/submit", CONFIRMED).status_code == 404


def test_sponsors_move_it_to_moderation(client, author, app, mailbox, monkeypatch):
    monkeypatch.setitem(app.config, "SPONSORS_REQUIRED", 2)
    post(client, "/petitions/new/form", form(), token_from="/petitions/new/form")
    petition = db.session.scalar(select(Petition))
    post(client, f"/petitions/{petition.id}/submit", CONFIRMED, token_from=f"/petitions/{petition.id}")
    # The author's page gives the link to share (the page by number is theirs alone).
    shared = re.search(r'class="share" type="text" readonly value="http://localhost(/petitions/\d+/link/[\w-]+)"',
                       client.get(f"/petitions/{petition.id}").get_data(as_text=True)).group(1)
    for n in range(2):
        sponsor = app.test_client()
        make_user(f"sponsor{n}@example.kz")
        login(sponsor, f"sponsor{n}@example.kz")
        assert sponsor.get(f"/petitions/{petition.id}").status_code == 404
        page = sponsor.get(shared)
        assert "Демеуші болу" in page_text(page) or "Sponsor" in page_text(page)
        key = re.search(r'name="link" value="([\w-]+)"', page.get_data(as_text=True)).group(1)
        assert post(sponsor, f"/petitions/{petition.id}/sign", {"notify": "y", "link": key},
                    token_from=shared).status_code == 302
        assert sponsor.get(f"/petitions/{petition.id}").status_code == 200  # a sponsor now: by number too
    settle()
    db.session.expire_all()
    petition = db.session.get(Petition, petition.id)
    assert petition.state is PetitionState.PENDING_MODERATION
    assert petition.signature_count == 3 and petition.sponsor_count == 2
    assert petition.moderation_due_on is not None
    subjects = [m["Subject"] for m in mailbox.to("author@example.kz")]
    assert len(subjects) == 2  # submitted, then in moderation
    sponsors = db.session.scalar(select(func.count()).select_from(Signature).where(Signature.sponsor.is_(True)))
    assert sponsors == 2


def test_zero_sponsors_skips_the_stage(client, author, app, monkeypatch):
    monkeypatch.setitem(app.config, "SPONSORS_REQUIRED", 0)
    post(client, "/petitions/new/form", form(), token_from="/petitions/new/form")
    petition = db.session.scalar(select(Petition))
    post(client, f"/petitions/{petition.id}/submit", CONFIRMED, token_from=f"/petitions/{petition.id}")
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).state is PetitionState.PENDING_MODERATION


def test_returned_petition_is_edited_and_resubmitted(client, author, mailbox):
    petition = make_petition(author, state="returned")
    petition.return_note = "Please name the street."
    db.session.commit()
    page = client.get(f"/petitions/{petition.id}")
    assert "Please name the street." in page_text(page)
    edit_url = f"/petitions/{petition.id}/edit"
    assert post(client, edit_url, form(title="Build a crossing on Abai Avenue near School 12"),
                token_from=edit_url).status_code == 302
    assert post(client, f"/petitions/{petition.id}/submit", CONFIRMED, token_from=f"/petitions/{petition.id}").status_code == 302
    db.session.expire_all()
    petition = db.session.get(Petition, petition.id)
    assert petition.state is PetitionState.PENDING_MODERATION and petition.return_note is None
    assert len(mailbox.to("author@example.kz")) == 1


def test_account_page_lists_my_petitions_and_signatures(client, author):
    mine = make_petition(author, state="draft", title="My own draft petition title")
    theirs = make_petition(title="Somebody else's open petition")
    post(client, f"/petitions/{theirs.id}/sign", {"notify": "y"}, token_from=f"/petitions/{theirs.id}")
    text = page_text(client.get("/account"))
    assert mine.title in text and theirs.title in text


def test_a_refusal_after_a_partial_submit_leaves_nothing_behind(client, author, monkeypatch):
    """The service moves the petition and writes the author's signature, then a rule
    refuses: the answer is the refusal's 4xx and the request's transaction keeps none
    of it (no route commits or rolls back by hand)."""
    from app.models import OutboxEmail, SignatureDelta
    from app.petitions import services
    from app.petitions.services import PetitionError

    petition = make_petition(author, state="draft")

    def refuse_after_writing(petition, stage, *args, **kwargs):
        assert db.session.scalar(select(func.count()).select_from(Signature)) == 1  # flushed already
        raise PetitionError("not_open")

    monkeypatch.setattr(services, "notify_author", refuse_after_writing)
    response = post(client, f"/petitions/{petition.id}/submit", CONFIRMED, token_from=f"/petitions/{petition.id}")
    assert response.status_code == 409
    assert translated(_l("This petition is not open for signatures."), "kk") in page_text(response)
    db.session.expire_all()
    petition = db.session.get(Petition, petition.id)
    assert petition.state is PetitionState.DRAFT and petition.submitted_at is None
    for model in (Signature, SignatureDelta, OutboxEmail):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0, model.__name__


def test_submitted_message_states_the_moderation_period(client, author, app, monkeypatch):
    monkeypatch.setitem(app.config, "SPONSORS_REQUIRED", 0)
    monkeypatch.setitem(app.config, "MODERATION_DUE_WORKING_DAYS", 7)
    petition = make_petition(author, state="draft")
    response = post(client, f"/petitions/{petition.id}/submit", CONFIRMED, token_from=f"/petitions/{petition.id}")
    assert response.status_code == 302
    assert "7 жұмыс күні" in page_text(client.get(response.headers["Location"]))
