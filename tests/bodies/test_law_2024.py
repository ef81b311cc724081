"""The law's rules as data (#24): thresholds per level and kind of body under both
profiles, and a petition's course under `law-2024` with a frozen clock: 50 sponsors within
20 working days or it lapses, moderation in 20 working days, six months of collection,
a district maslikhat's threshold of 10 % of a small city's population, crossed by the
signatures the law counts; the petition keeps the rule it was submitted under when the
configured profile changes."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from sqlalchemy import select

from app.bodies.thresholds import petition_threshold, threshold_for
from app.core import clock as app_clock
from app.core.clock import ALMATY
from app.core.workdays import add_working_days
from app.extensions import db
from app.models import District, IdentityLevel, OutboxEmail, Petition, PetitionState, ReviewCase, Role, StateBody
from app.moderation import services as moderation
from app.petitions import services
from app.petitions.jobs import lapse_unsponsored
from app.petitions.lifecycle import add_months
from app.petitions.services import PetitionData, PetitionError
from tests.support import make_user, page_text, settle

S = PetitionState


def body(code: str) -> StateBody:
    return db.session.scalar(select(StateBody).where(StateBody.code == code))


def district(kato: str) -> District:
    return db.session.scalar(select(District).where(District.kato == kato))


@pytest.fixture
def law(app, monkeypatch):
    monkeypatch.setitem(app.config, "THRESHOLD_PROFILE", "law-2024")


@pytest.fixture
def small_city(app):
    """Karaganda City, said to have 600 people: its maslikhat needs 60 signatures (10 %),
    its akimat 30 (5 %)."""
    city = district("351000000")
    saved = city.population
    city.population = 600
    db.session.commit()
    yield city
    city = district("351000000")
    city.population = saved
    db.session.commit()


def test_law_2024_thresholds_per_level_and_kind(app, law):
    assert threshold_for(body("GOV")).signatures == 50_000
    assert threshold_for(body("MIN-HEALTH")).signatures == 50_000
    assert threshold_for(body("AKIMAT-KZ-35")).signatures == 11_313  # ceil(1 % of 1,131,287)
    maslikhat = threshold_for(body("MASLIKHAT-KZ-35"))
    assert (maslikhat.signatures, maslikhat.kind) == (22_626, "percent")  # ceil(2 % of 1,131,287)
    assert threshold_for(body("MASLIKHAT-KZ-11")).signatures == 10_000  # Akmola: population not known

    city = district("351000000")
    assert threshold_for(body("MASLIKHAT-351000000")).kind == "fallback"  # no figure in the file
    assert threshold_for(body("MASLIKHAT-351000000")).signatures == 5_000
    assert threshold_for(body("AKIMAT-351000000")).signatures == 2_500
    city.population = 500_000
    assert (threshold_for(body("MASLIKHAT-351000000")).signatures, threshold_for(body("MASLIKHAT-351000000")).kind) \
        == (5_000, "floor")
    assert threshold_for(body("AKIMAT-351000000")).signatures == 2_500
    city.population = 50_000  # "more than 50,000" is the law's floor: exactly 50,000 takes the percentage
    assert threshold_for(body("MASLIKHAT-351000000")).kind == "percent"
    city.population = 32_001
    assert threshold_for(body("MASLIKHAT-351000000")).signatures == 3_201  # ceil(10 %)
    assert threshold_for(body("AKIMAT-351000000")).signatures == 1_601  # ceil(5 %)
    medeu = district("751710000")  # a district of Almaty: an akim's office, 5 %
    medeu.population = 220_000
    assert threshold_for(body("AKIMAT-751710000")).signatures == 2_500
    db.session.rollback()


def test_movement_2016_keeps_its_numbers_and_takes_the_laws_for_districts(app):
    assert threshold_for(body("GOV")).signatures == 15_000
    assert threshold_for(body("MASLIKHAT-KZ-35")).signatures == 11_313  # 1 %, as for every regional body
    assert threshold_for(body("MASLIKHAT-351000000")).signatures == 5_000


def test_the_threshold_explained_in_words(app, client, law):
    client.language = "en"
    answer = client.get("/api/v1/bodies/MASLIKHAT-KZ-35").get_json()["threshold"]
    assert answer["signatures"] == 22_626 and answer["profile"] == "law-2024"
    assert answer["reason"]["en"] == "2 % of the population of Karaganda Region (1,131,287)"
    assert answer["reason"]["ru"].startswith("2 % населения: Карагандинская область")
    city = client.get("/api/v1/bodies/MASLIKHAT-351000000").get_json()["threshold"]
    assert city["reason"]["en"] == "fixed number: the population of Karaganda City is not known"


def draft(author, code: str) -> Petition:
    petition = services.create_draft(author, PetitionData(
        title="Вернуть автобусный маршрут № 32", summary="Маршрут связывал Майкудук с центром.",
        details="Просим восстановить маршрут.", body_code=code, category="transport_roads", language="ru"))
    db.session.commit()
    return petition


def sign(petition: Petition, n: int, *, assurance=IdentityLevel.EDS) -> None:
    """`n` residents of Karaganda Region sign (with an EDS: the service as the EDS route
    calls it once the signature is verified, tests/eds)."""
    for _ in range(n):
        signer = make_user(region="KZ-35", commit=False)
        services.sign(petition.id, signer, show_name=False, notify=False, link_key=petition.link_key,
                      assurance=assurance)
    db.session.commit()
    settle()
    db.session.expire_all()


def emails_to(address: str) -> list[str]:
    return list(db.session.scalars(select(OutboxEmail.subject).where(OutboxEmail.to_address == address)
                                   .order_by(OutboxEmail.id)))


def test_a_city_petition_under_the_law_from_sponsors_to_review(app, client, clock, law, small_city, monkeypatch):
    author = make_user("author@example.kz", region="KZ-35", language="en")
    petition = draft(author, "MASLIKHAT-351000000")
    services.submit(petition, author)
    db.session.commit()
    today = app_clock.today()
    assert petition.state is S.COLLECTING_SPONSORS and petition.threshold_profile == "law-2024"
    assert petition.sponsors_due_on == add_working_days(today, 20)
    assert "Your petition has been submitted" in emails_to("author@example.kz")

    sign(petition, 49)
    # The configured profile changes: this petition still needs the law's 50 sponsors
    # (movement-2016 would have sent it on at SPONSORS_REQUIRED).
    monkeypatch.setitem(app.config, "THRESHOLD_PROFILE", "movement-2016")
    assert app.config["SPONSORS_REQUIRED"] < 49
    settle()
    petition = db.session.get(Petition, petition.id)
    assert (petition.state, petition.sponsor_count) == (S.COLLECTING_SPONSORS, 49)

    clock.advance(days=3)
    sign(petition, 1)
    petition = db.session.get(Petition, petition.id)
    assert petition.state is S.PENDING_MODERATION
    assert petition.moderation_due_on == add_working_days(app_clock.today(), 20)

    moderator = make_user(roles=(Role.MODERATOR,))
    moderation.approve(moderator, petition)
    db.session.commit()
    assert petition.state is S.OPEN
    assert petition.closes_at == add_months(petition.opened_at, 6)

    threshold = petition_threshold(petition)
    assert (threshold.signatures, threshold.kind) == (60, "percent")
    sign(petition, 9)  # 59 made with an EDS; the author's own signature is not one
    sign(petition, 5, assurance=IdentityLevel.SELF_DECLARED)  # 65 in all, but the law counts EDS only
    petition = db.session.get(Petition, petition.id)
    assert petition.signature_count == 65 and petition.threshold_reached_at is None
    assert db.session.scalar(select(ReviewCase).where(ReviewCase.petition_id == petition.id)) is None

    sign(petition, 1)
    case = db.session.scalar(select(ReviewCase).where(ReviewCase.petition_id == petition.id))
    assert case is not None and case.body.code == "MASLIKHAT-351000000"
    assert case.petition.threshold_at_crossing == 60
    assert case.due_on == add_working_days(app_clock.today(), 20)

    client.language = "en"
    page = page_text(client.get(f"/petitions/{petition.id}"))
    assert "Threshold: 10 % of the population of Karaganda City (600)" in page
    assert "Toward the threshold count only signatures made with an EDS: 60 so far." in page


def test_a_petition_keeps_the_profile_it_was_submitted_under(app, monkeypatch):
    author = make_user(region="KZ-35")
    before = draft(author, "GOV")
    services.submit(before, author)
    db.session.commit()
    monkeypatch.setitem(app.config, "THRESHOLD_PROFILE", "law-2024")
    after = draft(author, "GOV")
    services.submit(after, author)
    db.session.commit()
    assert (before.threshold_profile, after.threshold_profile) == ("movement-2016", "law-2024")
    assert petition_threshold(before).signatures == 15_000
    assert petition_threshold(after).signatures == 50_000
    assert after.sponsors_due_on is not None and before.sponsors_due_on is None


def test_a_petition_without_its_sponsors_lapses_and_its_author_is_told(app, client, clock, law):
    author = make_user("lapsing@example.kz", region="KZ-35", language="en")
    petition = draft(author, "AKIMAT-351000000")
    services.submit(petition, author)
    db.session.commit()
    sign(petition, 3)
    due = petition.sponsors_due_on

    # The last day of the stage: still signable, and nothing lapses.
    clock.set(datetime.combine(due, time(23, 0), tzinfo=ALMATY))
    sign(petition, 1)
    assert lapse_unsponsored() == 0
    # The next day: no more sponsors, and the sweep lapses it.
    clock.advance(hours=2)
    late = make_user(region="KZ-35")
    with pytest.raises(PetitionError) as refused:
        services.sign(petition.id, late, show_name=False, notify=False, link_key=petition.link_key)
    assert refused.value.code == "not_open"
    db.session.rollback()
    assert lapse_unsponsored() == 1
    petition = db.session.get(Petition, petition.id)
    assert (petition.state, petition.sponsor_count) == (S.LAPSED, 4)
    assert "Your petition did not find its supporters in time" in emails_to("lapsing@example.kz")
    assert lapse_unsponsored() == 0

    # Never public: not in the list, the API or the feed; not by its link either.
    client.language = "en"
    assert f"/petitions/{petition.id}\"" not in client.get("/petitions?state=all").get_data(as_text=True)
    assert petition.id not in [p["id"] for p in client.get("/api/v1/petitions").get_json()["data"]]
    assert client.get(f"/petitions/{petition.id}").status_code == 404
    assert client.get(f"/petitions/{petition.id}/link/{petition.link_key}").status_code == 404
