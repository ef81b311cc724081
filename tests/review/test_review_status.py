"""Where the review stands, right everywhere: the petition page, its timeline, its card,
the list's filters and the home page say "awaiting response" until the state body
answers and "responded" after, in the reader's language."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ReviewCase, Role
from app.review import services as review
from tests.support import make_petition, make_user, page_text, settle, sign_as


@pytest.fixture
def case(app, small_threshold, clock):
    petition = make_petition(body="MIN-HEALTH", signatures=1, title="Аурухана салу керек: Ақсу қаласы")
    for n in range(2):
        sign_as(petition, make_user(f"fan{n}@example.kz"), notify=False)
    settle()
    return db.session.scalar(select(ReviewCase).where(ReviewCase.petition_id == petition.id))


def _official():
    return make_user("official@health.kz", roles=(Role.OFFICIAL,), body="MIN-HEALTH")


def _cards(client, **args):
    return page_text(client.get("/en/petitions", query_string=args))


def test_awaiting_then_responded_on_page_card_list_and_home(client, case, clock):
    petition = case.petition
    health = case.body.name("en")
    page = page_text(client.get(f"/en/petitions/{petition.id}"))
    assert "Awaiting response" in page and f"is being reviewed by {health}" in page
    assert "Threshold reached: sent for review" in page
    assert petition.title in _cards(client, state="awaiting_response")
    assert petition.title not in _cards(client, state="responded")
    assert "Latest responses" not in page_text(client.get("/en/"))

    official = _official()
    clock.advance(timedelta(days=3))
    review.acknowledge(official, case)
    db.session.commit()
    clock.advance(timedelta(days=2))
    review.publish_response(official, case, "Құрылыс 2027 жылы басталады.")
    db.session.commit()

    page = page_text(client.get(f"/en/petitions/{petition.id}"))
    assert "is being reviewed" not in page
    assert f"{health} responded on" in page
    assert "Құрылыс 2027 жылы басталады." in page
    timeline = page[page.index("Timeline"):]
    for step in ("Threshold reached: sent for review", "Acknowledged by the state body",
                 f"Response published by {health}"):
        assert step in timeline
    assert timeline.index("Threshold reached") < timeline.index("Acknowledged") < timeline.index("Response published")

    responded = _cards(client, state="responded")
    assert petition.title in responded and "Responded" in responded
    assert petition.title not in _cards(client, state="awaiting_response")
    home = page_text(client.get("/en/"))
    assert "Latest responses" in home and petition.title in home

    ru = page_text(client.get(f"/ru/petitions/{petition.id}"))
    assert "Есть ответ" in ru and f"Ответ опубликован: {case.body.name('ru')}" in ru
    kk = page_text(client.get("/kk/petitions", query_string={"state": "responded"}))
    assert "Жауап берілді" in kk


def test_the_timeline_names_the_body_a_case_was_passed_to(client, case):
    moderator = make_user("moderator@example.kz", roles=(Role.MODERATOR,))
    review.reassign(moderator, case, "MIN-EDU", "It is about schools.")
    db.session.commit()
    education = case.body.name("en")
    assert education.startswith("Ministry of Education")
    page = page_text(client.get(f"/en/petitions/{case.petition.id}"))
    assert f"Passed to {education}" in page
    assert "It is about schools." not in page  # the moderator's note is for staff
    assert f"is being reviewed by {education}" in page


def test_cards_show_status_progress_and_days_left(client, app, clock):
    make_petition(title="Жаңа мектеп салу туралы өтініш", signatures=3)
    text = _cards(client)
    assert "Жаңа мектеп салу туралы өтініш" in text
    assert "Open for signatures" in text
    assert "of the 15,000 signatures needed for review" in text
    assert "days left to sign" in text


def test_an_unknown_list_state_is_a_400(client):
    assert client.get("/en/petitions", query_string={"state": "answered"}).status_code == 400


def test_cards_cost_the_same_queries_for_one_petition_or_many(client, app, count_queries):
    for n in range(2):
        make_petition(title=f"Petition number {n} about the roads", body="AKIMAT-KZ-75" if n % 2 else "GOV",
                      signatures=1)
    client.get("/en/petitions")
    with count_queries() as few:
        client.get("/en/petitions")
    for n in range(2, 12):
        make_petition(title=f"Petition number {n} about the roads", body="AKIMAT-KZ-75" if n % 2 else "GOV",
                      signatures=1)
    with count_queries() as many:
        client.get("/en/petitions")
    assert many.n == few.n


def test_responded_everywhere_a_reader_looks(client, case, clock):
    """The acceptance walk: page, card, list filter, home, the body's accountability
    page, the JSON and the Atom feed all say the petition was answered."""
    import xml.etree.ElementTree as ET

    official = _official()
    clock.advance(timedelta(days=1))
    review.publish_response(official, case, "Жауап жарияланды.")
    db.session.commit()
    title, pid = case.petition.title, case.petition.id
    assert "Responded" in page_text(client.get(f"/en/petitions/{pid}"))
    listed = _cards(client, state="responded")
    card = listed[listed.index(title):]
    assert 'data-testid="card-status">Responded<' in card[:2000]
    home = page_text(client.get("/en/"))
    assert title in home[home.index("Latest responses"):]
    body = page_text(client.get("/en/bodies/MIN-HEALTH"))
    latest = body[body.index("Latest responses</h2>"):]
    assert title in latest and "Responded" in latest
    assert client.get(f"/api/v1/petitions/{pid}").get_json()["status"] == "responded"
    assert client.get(f"/api/v1/petitions/{pid}/count").get_json()["status"] == "responded"
    feed = ET.fromstring(client.get("/en/feeds/responses.atom").get_data())  # noqa: S314 (our own feed)
    assert any(title in e.find("{http://www.w3.org/2005/Atom}title").text
               for e in feed.iter("{http://www.w3.org/2005/Atom}entry"))
