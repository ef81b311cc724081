"""Home, list with filters and sorts, search, the petition page, visibility."""

import pytest

from app.extensions import db
from tests.support import make_petition, make_user, page_text


def test_home_shows_totals_and_popular(client):
    make_petition(title="Popular petition about clean air", signatures=5)
    make_petition(title="Quiet petition about libraries", signatures=1)
    make_petition(state="draft", title="A draft nobody should see")
    text = page_text(client.get("/"))
    assert "Popular petition about clean air" in text
    assert "A draft nobody should see" not in text
    assert "6" in text  # signatures in all


@pytest.mark.parametrize("state", ["draft", "hidden", "returned"])
def test_unpublished_petitions_are_404_to_the_public(client, state):
    petition = make_petition(state=state)
    assert client.get(f"/petitions/{petition.id}").status_code == 404
    assert petition.title not in page_text(client.get("/petitions?state=all"))


def test_hidden_is_visible_to_its_author(client):
    author = make_user("hidden.author@example.kz")
    petition = make_petition(author, state="hidden")
    from tests.support import login

    login(client, "hidden.author@example.kz")
    assert client.get(f"/petitions/{petition.id}").status_code == 200


def test_collecting_sponsors_is_reachable_by_link_but_not_listed(client):
    petition = make_petition(state="collecting_sponsors", title="Link only petition for sponsors")
    assert client.get(f"/petitions/{petition.id}").status_code == 404
    assert client.get(f"/petitions/{petition.id}/link/{petition.link_key}").status_code == 200
    assert "Link only petition" not in page_text(client.get("/petitions?state=all"))


def test_rejected_petition_shows_its_reason(client):
    from app.models import RejectionCode

    petition = make_petition(state="rejected", title="A petition that was rejected")
    petition.rejection_code = RejectionCode.DUPLICATE
    petition.rejection_explanation = "See petition 12 which asks the same."
    db.session.commit()
    text = page_text(client.get(f"/petitions/{petition.id}"))
    assert "See petition 12 which asks the same." in text
    assert "A petition that was rejected" in page_text(client.get("/petitions?state=rejected"))


def test_petition_page_shows_progress_and_breakdown(client):
    petition = make_petition(signatures=3)
    text = page_text(client.get(f"/petitions/{petition.id}"))
    assert "15 000" in text  # the Government's threshold under movement-2016
    assert "Алматы" in text  # regional breakdown
    assert 'aria-valuenow="3"' in client.get(f"/petitions/{petition.id}").get_data(as_text=True)


def test_filters_and_sorts(client):
    a = make_petition(title="Health petition about clinics in Almaty", category="health", signatures=2)
    b = make_petition(title="Road petition about potholes everywhere", category="transport_roads", signatures=4,
                      body="MIN-TRANSPORT")
    karaganda_author = make_user(region="KZ-35")
    c = make_petition(karaganda_author, title="Karaganda petition about parks", body="AKIMAT-KZ-35",
                      category="environment", signatures=1)
    make_petition(state="closed", title="Closed petition about noise at night")

    def titles(query):
        return page_text(client.get("/petitions" + query))

    popular = titles("?sort=popular")
    assert popular.index(b.title) < popular.index(a.title) < popular.index(c.title)
    assert a.title in titles("?category=health") and b.title not in titles("?category=health")
    assert b.title in titles("?body=MIN-TRANSPORT") and a.title not in titles("?body=MIN-TRANSPORT")
    assert c.title in titles("?region=KZ-35") and a.title not in titles("?region=KZ-35")
    assert "Closed petition about noise" in titles("?state=closed")
    assert "Closed petition about noise" not in titles("")
    for sort in ("newest", "closing", "trending"):
        assert client.get(f"/petitions?sort={sort}").status_code == 200


@pytest.mark.parametrize("query", ["?state=bogus", "?sort=random", "?category=astrology", "?page=x"])
def test_bad_list_parameters_are_400(client, query):
    assert client.get("/petitions" + query).status_code == 400


@pytest.mark.parametrize(
    ("title", "summary", "query"),
    [
        ("Жол жөндеу керек: Алматыдағы жолдар", "Көшелердегі шұңқырлар", "жолдар"),
        ("Ремонт дорог в Караганде необходим", "Ямы на улицах города", "ДОРОГ"),
        ("Repair the roads of Shymkent now", "Potholes on every street", "roads shymkent"),
        ("Мектеп асханаларын жақсарту", "Балаларға сапалы тамақ керек", "тамақ"),
    ],
)
def test_search_in_cyrillic_and_latin(client, title, summary, query):
    make_petition(title=title, summary=summary)
    make_petition(title="Unrelated petition about libraries", summary="Books for every village")
    text = page_text(client.get(f"/petitions?q={query}"))
    assert title in text
    assert "Unrelated petition" not in text


def test_pagination(client):
    for n in range(23):
        make_petition(title=f"Petition number {n:02d} about something", signatures=0)
    first = page_text(client.get("/petitions?sort=newest"))
    second = page_text(client.get("/petitions?sort=newest&page=2"))
    assert first.count("about something") == 20
    assert second.count("about something") == 3


def test_petition_page_queries_do_not_grow_with_signatures(app, client, count_queries):
    small = make_petition(signatures=2)
    big = make_petition(signatures=40)
    from tests.support import login

    make_user("viewer@example.kz")
    login(client, "viewer@example.kz")
    with count_queries() as on_small:
        assert client.get(f"/petitions/{small.id}").status_code == 200
    with count_queries() as on_big:
        assert client.get(f"/petitions/{big.id}").status_code == 200
    assert on_small.n == on_big.n
    assert on_big.n <= 16  # (the counts by assurance level are one query of their own)
