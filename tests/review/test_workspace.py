"""The officials' workspace, reassignment by moderators, and the admin's rule page."""

import pytest
from sqlalchemy import select

from app.core.jobs import worker
from app.extensions import db
from app.models import AuditEntry, CaseState, ReviewCase, Role, StateBody, ThresholdRule
from app.review import engine
from tests.support import login, make_petition, make_user, page_text, post, reauth, settle, sign_as, text_part


@pytest.fixture
def crossed(app, small_threshold):
    author = make_user("author@example.kz")
    petition = make_petition(author, body="MIN-HEALTH", signatures=1)
    for n in range(2):
        sign_as(petition, make_user(f"fan{n}@example.kz"), notify=True)
    settle()
    return db.session.scalar(select(ReviewCase).where(ReviewCase.petition_id == petition.id))


@pytest.fixture
def official(client):
    make_user("official@health.kz", roles=(Role.OFFICIAL,), body="MIN-HEALTH")
    login(client, "official@health.kz")


def test_official_sees_own_body_cases_overdue_first(client, official, crossed):
    gov_petition = make_petition(signatures=1, title="A petition for the Government body")
    from datetime import timedelta

    from app.core import clock

    other = ReviewCase(petition_id=gov_petition.id, body_id=db.session.scalar(
        select(StateBody.id).where(StateBody.code == "GOV")), due_on=clock.today())
    db.session.add(other)
    late = make_petition(body="MIN-HEALTH", signatures=1, title="An overdue petition for health")
    db.session.add(ReviewCase(petition_id=late.id, body_id=crossed.body_id, due_on=clock.today() - timedelta(days=10)))
    db.session.commit()
    text = page_text(client.get("/review/"))
    assert crossed.petition.title in text and "An overdue petition for health" in text
    assert "A petition for the Government body" not in text
    assert text.index("An overdue petition for health") < text.index(crossed.petition.title)
    assert client.get(f"/review/cases/{other.id}").status_code == 403
    assert post(client, f"/review/cases/{other.id}/acknowledge").status_code == 403


def test_citizen_gets_403_on_the_workspace(app, crossed):
    citizen = app.test_client()
    make_user("citizen@example.kz")
    login(citizen, "citizen@example.kz")
    assert citizen.get("/review/").status_code == 403
    assert citizen.get(f"/review/cases/{crossed.id}").status_code == 403


def test_acknowledge_preview_publish(app, client, official, crossed, mailbox):
    url = f"/review/cases/{crossed.id}"
    page = page_text(client.get(url))
    assert crossed.petition.title in page
    assert post(client, f"{url}/acknowledge", token_from=url).status_code == 302
    db.session.expire_all()
    assert db.session.get(ReviewCase, crossed.id).state is CaseState.ACKNOWLEDGED
    assert post(client, f"{url}/acknowledge", token_from=url).status_code == 409

    assert post(client, f"{url}/respond", {"response": "", "action": "publish"}, token_from=url).status_code == 422
    assert post(client, f"{url}/respond", {"response": "x" * 20001, "action": "preview"}, token_from=url).status_code == 422
    text = "We agree.\n\nThe plan is at https://gov.kz/plan?a=1&b=2 and <b>starts</b> in May."
    preview = post(client, f"{url}/respond", {"response": text, "action": "preview"}, token_from=url)
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert '<a href="https://gov.kz/plan?a=1&amp;b=2" rel="nofollow noopener noreferrer"' in html
    assert "&lt;b&gt;starts&lt;/b&gt;" in html
    db.session.expire_all()
    assert db.session.get(ReviewCase, crossed.id).state is CaseState.ACKNOWLEDGED  # a preview changes nothing

    assert post(client, f"{url}/respond", {"response": text, "action": "publish"}, token_from=url).status_code == 302
    db.session.expire_all()
    case = db.session.get(ReviewCase, crossed.id)
    assert case.state is CaseState.ANSWERED and case.response_text.startswith("We agree.")
    public = page_text(app.test_client().get(f"/petitions/{case.petition_id}"))
    assert "We agree." in public and "The plan is at" in public
    worker.drain(app)
    mails = [m for m in mailbox.to("author@example.kz") if "We agree." in text_part(m)]
    assert len(mails) == 1
    for n in range(2):
        assert len([m for m in mailbox.to(f"fan{n}@example.kz") if "We agree." in text_part(m)]) == 1
    # Answered: no second publication.
    again = post(client, f"{url}/respond", {"response": "Again", "action": "publish"}, token_from=url)
    assert again.status_code == 409


def test_moderator_reassigns_a_case_with_a_note(app, crossed):
    moderator = app.test_client()
    make_user("mod@example.kz", roles=(Role.MODERATOR,))
    login(moderator, "mod@example.kz")
    url = f"/moderation/cases/{crossed.id}/reassign"
    page = f"/moderation/petitions/{crossed.petition_id}"
    assert post(moderator, url, {"reassign-body": "MIN-EDU", "reassign-note": ""}, token_from=page).status_code == 422
    assert post(moderator, url, {"reassign-body": "MIN-HEALTH", "reassign-note": "x"}, token_from=page).status_code == 422
    assert post(moderator, url, {"reassign-body": "NOPE", "reassign-note": "x"}, token_from=page).status_code == 422
    ok = post(moderator, url, {"reassign-body": "MIN-EDU", "reassign-note": "It is about schools."}, token_from=page)
    assert ok.status_code == 302
    db.session.expire_all()
    assert db.session.get(ReviewCase, crossed.id).body.code == "MIN-EDU"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "case.reassign"))
    assert entry.reason == "It is about schools." and entry.before["body"] == "MIN-HEALTH"
    # The petition's page names its new addressee (and where it was first addressed).
    from app.models import StateBody

    names = {c: db.session.scalar(select(StateBody).where(StateBody.code == c)).name("en")
             for c in ("MIN-EDU", "MIN-HEALTH")}
    top = page_text(app.test_client().get(f"/en/petitions/{crossed.petition_id}")).split("Started by")[0]
    import re

    top = " ".join(re.sub(r"<[^>]+>", "", top).split())
    assert f"To: {names['MIN-EDU']} (first addressed to {names['MIN-HEALTH']})" in top
    # So do the lists: the cards, the CSV export and the API.
    listing = " ".join(re.sub(r"<[^>]+>", "", page_text(app.test_client().get("/en/petitions?state=all"))).split())
    assert f"{names['MIN-EDU']} (first addressed to {names['MIN-HEALTH']})" in listing
    import csv
    import io

    from app import API_PREFIX

    table = list(csv.reader(io.StringIO(app.test_client().get("/en/petitions/export.csv?state=all")
                                        .get_data(as_text=True).lstrip("\ufeff"))))
    row = next(r for r in table[1:] if r[0] == str(crossed.petition_id))
    assert row[table[0].index("Addressed to")] == names["MIN-HEALTH"]
    assert row[table[0].index("Review passed on to")] == names["MIN-EDU"]
    data = app.test_client().get(f"{API_PREFIX}/petitions?state=all").get_json()["data"]
    item = next(d for d in data if d["id"] == crossed.petition_id)
    assert item["addressee"]["code"] == "MIN-HEALTH" and item["reassigned_to"]["code"] == "MIN-EDU"
    assert all(d["reassigned_to"] is None for d in data if d["id"] != crossed.petition_id)
    citizen = app.test_client()
    make_user("c@example.kz")
    login(citizen, "c@example.kz")
    assert post(citizen, url, {"reassign-body": "GOV", "reassign-note": "x"}).status_code == 403


def test_admin_overrides_a_body_rule(app, client):
    make_user("admin@example.kz", roles=(Role.ADMIN,))
    login(client, "admin@example.kz")
    body = db.session.scalar(select(StateBody).where(StateBody.code == "AKIMAT-KZ-11"))
    url = f"/admin/bodies/{body.id}"
    bad = post(client, url, {"rule": "fixed", "review_period_days": "20", "note": "x"}, token_from=url)
    assert bad.status_code == 422
    assert post(client, url, {"rule": "population_percent", "percent": "0.5", "review_period_days": "20",
                              "note": "x"}, token_from=url).status_code == 422
    assert post(client, url, {"rule": "fixed", "fixed": "-5", "review_period_days": "20", "note": "x"},
                token_from=url).status_code == 422
    assert post(client, url, {"rule": "fixed", "fixed": "1000", "review_period_days": "999", "note": "x"},
                token_from=url).status_code == 422
    ok = post(client, url, {"rule": "fixed", "fixed": "1000", "review_period_days": "15", "active": "y",
                            "note": "Decision of the akim", **reauth("admin@example.kz")}, token_from=url)
    assert ok.status_code == 302
    db.session.expire_all()
    body = db.session.get(StateBody, body.id)
    try:
        assert body.threshold_rule is ThresholdRule.FIXED and body.threshold_fixed == 1000
        assert body.review_period_days == 15
        assert "1 000" in page_text(client.get("/bodies")).replace("\xa0", " ")
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "body.rule"))
        assert entry.before["rule"] == "profile" and entry.after["fixed"] == 1000
    finally:
        body.threshold_rule, body.threshold_fixed, body.review_period_days = ThresholdRule.PROFILE, None, 20
        db.session.commit()


def test_case_is_unique_per_petition(app, crossed):
    import sqlalchemy.exc

    db.session.add(ReviewCase(petition_id=crossed.petition_id, body_id=crossed.body_id, due_on=crossed.due_on))
    with pytest.raises(sqlalchemy.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert engine.check_crossing(crossed.petition) is None


def test_a_response_refused_after_the_case_moved_leaves_nothing_behind(app, client, official, crossed, mailbox,
                                                                         monkeypatch):
    """The case is already answered in the transaction when the refusal comes: the page
    answers 409, the case stays queued without a response, and nobody is written to."""
    from app.review import services

    def refuse_after_the_write(*args, **kwargs):
        raise services.CaseError("wrong_state", status=409)

    monkeypatch.setattr(services, "record", refuse_after_the_write)
    url = f"/review/cases/{crossed.id}"
    response = post(client, f"{url}/respond", {"response": "We agree.", "action": "publish"}, token_from=url)
    assert response.status_code == 409
    db.session.expire_all()
    case = db.session.get(ReviewCase, crossed.id)
    assert case.state is CaseState.QUEUED and case.response_text is None and case.answered_at is None
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "case.answer")).all() == []
    worker.drain(app)
    assert not [m for m in mailbox.to("author@example.kz") if "We agree." in text_part(m)]
