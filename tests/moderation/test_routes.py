"""The moderators' queue and actions, through the pages a moderator uses."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core import clock
from app.extensions import db
from app.models import AuditEntry, ModerationDecision, Petition, PetitionState, Role
from tests.support import login, make_petition, make_user, page_text, post


@pytest.fixture
def moderator(client):
    user = make_user("mod@example.kz", roles=(Role.MODERATOR,))
    login(client, "mod@example.kz")
    return user


def reload(petition):
    db.session.expire_all()
    return db.session.get(Petition, petition.id)


def act(client, petition, action, data=None):
    return post(client, f"/moderation/petitions/{petition.id}/{action}", data or {},
                token_from=f"/moderation/petitions/{petition.id}")


def test_queue_is_oldest_first_with_due_marks(client, moderator):
    old = make_petition(state="pending_moderation", title="Oldest petition waiting in the queue")
    new = make_petition(state="pending_moderation", title="Newest petition waiting in the queue")
    old.moderation_started_at = clock.now() - timedelta(days=30)
    # Any day of the year: a month holds working days; tomorrow is at most one away.
    old.moderation_due_on = clock.today() - timedelta(days=30)
    new.moderation_due_on = clock.today() + timedelta(days=1)
    db.session.commit()
    text = page_text(client.get("/moderation/"))
    assert text.index(old.title) < text.index(new.title)
    html = client.get("/moderation/").get_data(as_text=True)
    assert "due-overdue" in html and "due-nearly" in html


def test_similar_petitions_are_shown_beside(client, moderator):
    make_petition(title="Жол жөндеу: Алматыдағы жолдарды жөндеу керек", signatures=2)
    pending = make_petition(state="pending_moderation", title="Алматыдағы жолдарды жөндеу туралы петиция")
    html = page_text(client.get("/moderation/"))
    assert "Жол жөндеу: Алматыдағы жолдарды жөндеу керек" in html
    assert "Жол жөндеу: Алматыдағы" in page_text(client.get(f"/moderation/petitions/{pending.id}"))


def test_the_queue_finds_duplicates_for_the_whole_page_in_one_query(client, moderator, count_queries):
    """Before: one search per petition on the page (25 a page); now one for the page."""
    make_petition(title="Алматыдағы жолдарды жөндеу керек", signatures=3)
    make_petition(title="Мектептерге ыстық тамақ беру керек", signatures=2)
    make_petition(state="pending_moderation", title="Жолдарды жөндеу туралы екінші петиция")

    def searches():
        client.get("/moderation/")  # the first request of a session loads more
        with count_queries() as counted:
            html = page_text(client.get("/moderation/"))
        return sum("petitions" in s and ("LIKE" in s.upper() or "@@" in s) for s in counted.statements), html

    few, html = searches()
    assert "Алматыдағы жолдарды жөндеу керек" in html  # the duplicate is shown
    for n in range(8):
        make_petition(state="pending_moderation", title=f"Мектептерге тамақ беру туралы петиция {n}")
    many, html = searches()
    assert few == many == 1
    assert html.count("Мектептерге ыстық тамақ беру керек") >= 8  # beside each of the eight


def test_similar_for_many_matches_similar_one_by_one(app):
    from app.petitions import queries

    make_petition(title="Алматыдағы жолдарды жөндеу керек", signatures=3)
    make_petition(title="Жол жөндеу: Шымкенттегі жолдар", signatures=5)
    make_petition(title="Мектептерге ыстық тамақ беру керек", signatures=2)
    a = make_petition(state="pending_moderation", title="Жолдарды жөндеу туралы петиция")
    b = make_petition(state="pending_moderation", title="Ыстық тамақ мектептерге")
    c = make_petition(state="pending_moderation", title="Ұшақ билеттерінің бағасы")
    batched = queries.similar_for_many({p.id: p.title for p in (a, b, c)}, limit=3, include_pending=True)
    for p in (a, b, c):
        one = queries.similar(p.title, limit=3, exclude_id=p.id, include_pending=True)
        assert [x.id for x in batched[p.id]] == [x.id for x in one], p.title


def test_approve_opens_it_and_audits(client, moderator, mailbox, app):
    author = make_user("author@example.kz")
    petition = make_petition(author, state="pending_moderation")
    assert act(client, petition, "approve").status_code == 302
    p = reload(petition)
    assert p.state is PetitionState.OPEN and p.opened_at and p.closes_at
    assert (p.closes_at - p.opened_at).days == app.config["PETITION_DURATION_DAYS"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.target_id == p.id, AuditEntry.target_type == "petition"))
    assert entry.actor_id == moderator.id and entry.action == "petition.approve"
    assert entry.before["state"] == "pending_moderation" and entry.after["state"] == "open"
    assert entry.created_at is not None
    assert len(mailbox.to("author@example.kz")) == 1
    # The log is readable on the petition's moderation page, in the reader's language.
    assert "мақұлданды" in page_text(client.get(f"/kk/moderation/petitions/{p.id}"))
    assert "approved" in page_text(client.get(f"/en/moderation/petitions/{p.id}"))


def test_approving_an_open_petition_is_an_illegal_transition(client, moderator):
    petition = make_petition(state="open")
    response = act(client, petition, "approve")
    assert response.status_code == 409
    assert reload(petition).state is PetitionState.OPEN
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.target_type == "petition")) is None


def test_return_with_a_note(client, moderator, mailbox):
    author = make_user("author@example.kz")
    petition = make_petition(author, state="pending_moderation")
    assert act(client, petition, "return", {"return-note": ""}).status_code == 422
    assert reload(petition).state is PetitionState.PENDING_MODERATION
    assert act(client, petition, "return", {"return-note": "Name the street, please."}).status_code == 302
    p = reload(petition)
    assert p.state is PetitionState.RETURNED and p.return_note == "Name the street, please."
    [message] = mailbox.to("author@example.kz")
    assert "Name the street, please." in message.get_body(preferencelist=("plain",)).get_content()


def test_reject_with_reason_is_public(client, moderator, app):
    petition = make_petition(state="pending_moderation")
    response = act(client, petition, "reject", {"reject-code": "outside_competence",
                                                "reject-explanation": "Courts are independent."})
    assert response.status_code == 302
    p = reload(petition)
    assert p.state is PetitionState.REJECTED and p.rejection_code.value == "outside_competence"
    public = app.test_client().get(f"/petitions/{p.id}")
    assert public.status_code == 200 and "Courts are independent." in page_text(public)
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.target_type == "petition", AuditEntry.target_id == p.id))
    assert "outside_competence" in audit.reason and "Courts are independent." in audit.reason


def test_reject_with_a_hiding_code_hides(client, moderator, app):
    petition = make_petition(state="pending_moderation")
    act(client, petition, "reject", {"reject-code": "defamatory", "reject-explanation": "Names a private person."})
    p = reload(petition)
    assert p.state is PetitionState.HIDDEN
    assert app.test_client().get(f"/petitions/{p.id}").status_code == 404


def test_an_excluded_topic_names_the_subject_of_the_laws_list(client, moderator, app, mailbox):
    author = make_user("subject-author@example.kz", language="en")
    petition = make_petition(author, state="pending_moderation")
    response = act(client, petition, "reject", {"reject-code": "excluded_topic", "reject-subject": "state_language",
                                                "reject-explanation": "The law excludes the state language."})
    assert response.status_code == 302
    p = reload(petition)
    assert (p.state, p.excluded_subject) == (PetitionState.REJECTED, "state_language")
    reader = app.test_client()
    reader.language = "en"
    public = page_text(reader.get(f"/petitions/{p.id}"))
    assert "The subject: The status of the state language (item 14 of the law’s list of excluded subjects)." in public
    rejection = reader.get(f"/api/v1/petitions/{p.id}").get_json()["rejection"]
    assert rejection["excluded_subject"]["key"] == "state_language" and rejection["excluded_subject"]["item"] == 14
    assert rejection["excluded_subject"]["name"]["ru"] == "Статус государственного языка"
    [message] = mailbox.to("subject-author@example.kz")
    assert ("Reason: A topic the law excludes from petitions: The status of the state language (item 14 of the "
            "law’s list).") in " ".join(message.get_body(preferencelist=("plain",)).get_content().split())
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.target_type == "petition", AuditEntry.target_id == p.id))
    assert audit.after["excluded_subject"] == "state_language"


@pytest.mark.parametrize(("data", "message"), [
    ({"reject-code": "excluded_topic", "reject-explanation": "x"}, "Choose the excluded subject the petition touches."),
    ({"reject-code": "excluded_topic", "reject-subject": "weather", "reject-explanation": "x"},
     "Choose the excluded subject the petition touches."),
    ({"reject-code": "duplicate", "reject-subject": "symbols", "reject-explanation": "x"},
     "An excluded subject goes with the reason “A topic the law excludes from petitions” only."),
])
def test_an_excluded_subject_goes_with_its_reason_only(client, moderator, data, message):
    client.language = "en"
    petition = make_petition(state="pending_moderation")
    refused = act(client, petition, "reject", data)
    assert refused.status_code == 422 and message in page_text(refused)
    p = reload(petition)
    assert p.state is PetitionState.PENDING_MODERATION and p.excluded_subject is None


@pytest.mark.parametrize("data", [
    {"reject-code": "", "reject-explanation": "x"},
    {"reject-code": "because", "reject-explanation": "x"},
    {"reject-code": "duplicate", "reject-explanation": ""},
])
def test_reject_bad_input(client, moderator, data):
    petition = make_petition(state="pending_moderation")
    assert act(client, petition, "reject", data).status_code == 422
    assert reload(petition).state is PetitionState.PENDING_MODERATION


def test_take_down_and_restore_an_open_petition(client, moderator, app):
    petition = make_petition(state="open", signatures=2)
    assert act(client, petition, "take-down", {"takedown-code": "duplicate", "takedown-note": "x"}).status_code == 422
    assert act(client, petition, "take-down", {"takedown-code": "advertising",
                                               "takedown-note": "Sells windows."}).status_code == 302
    assert reload(petition).state is PetitionState.HIDDEN
    assert app.test_client().get(f"/petitions/{petition.id}").status_code == 404
    assert act(client, petition, "restore", {"restore-note": "Complaint was wrong."}).status_code == 302
    assert reload(petition).state is PetitionState.OPEN
    actions = [d.action.value for d in db.session.scalars(
        select(ModerationDecision).where(ModerationDecision.petition_id == petition.id).order_by(ModerationDecision.id))]
    assert actions == ["take_down", "restore"]


def test_change_category_and_addressee(client, moderator):
    petition = make_petition(state="pending_moderation")
    same = act(client, petition, "metadata", {"meta-category": petition.category.value, "meta-body": "GOV",
                                              "meta-note": "nothing"})
    assert same.status_code == 422
    assert act(client, petition, "metadata", {"meta-category": "health", "meta-body": "NOPE",
                                              "meta-note": "x"}).status_code == 422
    ok = act(client, petition, "metadata", {"meta-category": "health", "meta-body": "MIN-HEALTH",
                                            "meta-note": "It is about clinics."})
    assert ok.status_code == 302
    p = reload(petition)
    assert p.category.value == "health" and p.body.code == "MIN-HEALTH"
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.target_type == "petition", AuditEntry.target_id == p.id))
    assert audit.before["body"] == "GOV" and audit.after["body"] == "MIN-HEALTH"


def test_reported_list_and_dismiss(client, moderator, app):
    petition = make_petition(state="open", title="Reported petition about something")
    reporter = app.test_client()
    make_user("reporter@example.kz")
    login(reporter, "reporter@example.kz")
    post(reporter, f"/petitions/{petition.id}/report", {"reason": "offensive", "comment": "Rude words"})
    assert "Reported petition about something" in page_text(client.get("/moderation/reports"))
    assert act(client, petition, "dismiss-reports", {"dismiss-note": "Not offensive."}).status_code == 302
    assert "Reported petition about something" not in page_text(client.get("/moderation/reports"))


def test_unknown_action_is_404(client, moderator):
    petition = make_petition(state="pending_moderation")
    assert act(client, petition, "explode").status_code == 404


@pytest.mark.parametrize("action", ["approve", "return", "reject", "take-down", "restore", "metadata"])
def test_a_citizen_posting_a_moderation_action_gets_403(app, action):
    petition = make_petition(state="pending_moderation")
    citizen = app.test_client()
    make_user("plain@example.kz")
    login(citizen, "plain@example.kz")
    response = post(citizen, f"/moderation/petitions/{petition.id}/{action}",
                    {"return-note": "x", "reject-code": "duplicate", "reject-explanation": "x"})
    assert response.status_code == 403
    assert reload(petition).state is PetitionState.PENDING_MODERATION


def test_a_moderator_cannot_decide_on_their_own_petition(client, app):
    moderator = make_user("moderator@example.kz", roles=(Role.MODERATOR,))
    petition = make_petition(moderator, state="pending_moderation", title="A moderator's own petition about parks")
    login(client, "moderator@example.kz")
    client.language = "en"
    url = f"/moderation/petitions/{petition.id}"
    response = post(client, f"{url}/approve", {}, token_from=url)
    assert response.status_code == 403
    assert "another moderator must decide on it" in page_text(response)
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).state is PetitionState.PENDING_MODERATION
    other = app.test_client()
    make_user("colleague@example.kz", roles=(Role.MODERATOR,))
    login(other, "colleague@example.kz")
    assert post(other, f"{url}/approve", {}, token_from=url).status_code == 302
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).state is PetitionState.OPEN


def test_moderators_never_see_drafts(client):
    draft = make_petition(state="draft")
    make_user("mod@example.kz", roles=(Role.MODERATOR,))
    login(client, "mod@example.kz")
    assert client.get(f"/moderation/petitions/{draft.id}").status_code == 404
    response = post(client, f"/moderation/petitions/{draft.id}/metadata",
                    {"meta-category": "health", "meta-body": "GOV", "meta-note": "x"})
    assert response.status_code == 404


def test_metadata_cannot_change_on_a_closed_petition(client):
    closed = make_petition(state="closed")
    make_user("mod@example.kz", roles=(Role.MODERATOR,))
    login(client, "mod@example.kz")
    response = post(client, f"/moderation/petitions/{closed.id}/metadata",
                    {"meta-category": "health", "meta-body": "MIN-HEALTH", "meta-note": "x"})
    assert response.status_code == 409

