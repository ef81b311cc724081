"""Kazakh and Russian polish (#13, item 8): regions and bodies in each language's
alphabetical order; region populations with their date and source on /bodies, entered by
an administrator (audited), never overwritten by a re-seed."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Region, Role
from tests.support import login, make_user, page_text, post, reauth

# As a reader of each language expects them (Қ after К, Ұ after У, Ш near the end).
KK = ["Абай облысы", "Ақмола облысы", "Ақтөбе облысы", "Алматы", "Алматы облысы", "Астана", "Атырау облысы",
      "Батыс Қазақстан облысы", "Жамбыл облысы", "Жетісу облысы", "Қарағанды облысы", "Қостанай облысы",
      "Қызылорда облысы", "Маңғыстау облысы", "Павлодар облысы", "Солтүстік Қазақстан облысы", "Түркістан облысы",
      "Ұлытау облысы", "Шығыс Қазақстан облысы", "Шымкент"]
RU = ["Абайская область", "Акмолинская область", "Актюбинская область", "Алматинская область", "Алматы", "Астана",
      "Атырауская область", "Восточно-Казахстанская область", "Жамбылская область", "Западно-Казахстанская область",
      "Карагандинская область", "Костанайская область", "Кызылординская область", "Мангистауская область",
      "Область Жетісу", "Область Ұлытау", "Павлодарская область", "Северо-Казахстанская область",
      "Туркестанская область", "Шымкент"]


def options(html: str, select_id: str) -> list[str]:
    block = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [re.sub(r"\s+", " ", label).strip() for value, label in
            re.findall(r'<option[^>]*value="([^"]*)"[^>]*>([^<]*)</option>', block) if value]


@pytest.mark.parametrize(("language", "expected"), [("kk", KK), ("ru", RU)])
def test_regions_follow_the_alphabet_of_the_language(app, language, expected):
    client = app.test_client()
    assert options(page_text(client.get(f"/{language}/register")), "region") == expected
    assert options(page_text(client.get(f"/{language}/petitions")), "region") == expected


def test_akimats_on_bodies_follow_their_regions_alphabet(app):
    html = page_text(app.test_client().get("/kk/bodies"))
    regional = html.split("<h2>", 2)[2]
    akimats = re.findall(r'<a href="/kk/bodies/AKIMAT-([A-Z0-9-]+)">', regional)
    by_code = {r.code: r.name_kk for r in db.session.scalars(select(Region))}
    assert [by_code[code] for code in akimats] == KK


def test_bodies_show_each_population_with_its_date_and_source(app):
    html = page_text(app.test_client().get("/en/bodies"))
    row = next(r for r in html.split("<tr>") if "/en/bodies/AKIMAT-KZ-15\"" in r)
    text = " ".join(re.sub(r"<[^>]+>", " ", row).split())
    assert "943,600" in text and "as of June 1, 2024" in text
    assert 'href="https://stat.gov.kz/en/region/aktobe/"' in row
    akmola = next(r for r in html.split("<tr>") if "/en/bodies/AKIMAT-KZ-11\"" in r)
    assert "not known" in akmola


@pytest.fixture
def aktobe(app):
    region = db.session.scalar(select(Region).where(Region.code == "KZ-15"))
    saved = (region.population, region.population_as_of, region.population_source, region.population_edited_at)
    yield region
    region = db.session.scalar(select(Region).where(Region.code == "KZ-15"))
    (region.population, region.population_as_of, region.population_source, region.population_edited_at) = saved
    db.session.commit()


def test_a_reseed_follows_the_file_until_an_administrator_enters_a_figure(app, runner, aktobe):
    aktobe.population = aktobe.population_as_of = aktobe.population_source = None  # loaded before the figure
    db.session.commit()
    result = runner.invoke(args=["seed"])
    assert "populations updated from the reference file: 1" in result.output
    db.session.expire_all()
    assert (aktobe.population, aktobe.population_as_of) == (943600, date(2024, 6, 1))
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "region.population"))
    assert entry.channel == "cli" and entry.actor_id is None and entry.target_id == aktobe.id
    assert entry.before["population"] is None and entry.after["population"] == 943600
    # A newer figure than the file's is not replaced by the older one.
    aktobe.population, aktobe.population_as_of = 950000, date(2025, 6, 1)
    db.session.commit()
    assert "populations updated from the reference file: 0" in runner.invoke(args=["seed"]).output
    # Nor, whatever its date, is an administrator's.
    aktobe.population, aktobe.population_as_of = 940000, date(2020, 1, 1)
    from app.core import clock

    aktobe.population_edited_at = clock.now()
    db.session.commit()
    runner.invoke(args=["seed"])
    db.session.expire_all()
    assert aktobe.population == 940000


def test_an_administrator_enters_a_population(app, aktobe):
    make_user("pop-admin@example.kz", roles=(Role.ADMIN,))
    client = app.test_client()
    login(client, "pop-admin@example.kz")
    assert "Ақтөбе облысы" in page_text(client.get("/kk/admin/regions"))
    url = f"/en/admin/regions/{aktobe.id}"
    good = {"population": "950123", "as_of": "2026-01-01", "source": "https://stat.gov.kz/en/region/aktobe/",
            "note": "The bureau's figure of 1 January"}
    for bad, message in [
        ({"population": "950 123"}, "Enter a whole number."),
        ({"population": "0"}, "Enter a number from 1 to 50,000,000."),
        ({"population": ""}, "Enter the population."),
        ({"as_of": "01.01.2026"}, "Write a date, such as 2026-01-01."),
        ({"as_of": "2031-01-01"}, "The date must be between 1990 and today."),
        ({"source": ""}, "Say where the figure comes from."),
        ({"note": ""}, "Write a note."),
    ]:
        answer = post(client, url, {**good, **bad, **reauth("pop-admin@example.kz")}, token_from=url)
        assert answer.status_code == 422, bad
        assert message in page_text(answer), bad
    wrong = post(client, url, {**good, **reauth("pop-admin@example.kz", password="not the password")},
                 token_from=url)
    assert wrong.status_code == 422
    db.session.expire_all()
    assert aktobe.population == 943600 and aktobe.population_edited_at is None
    ok = post(client, url, {**good, **reauth("pop-admin@example.kz")}, token_from=url)
    assert ok.status_code == 302
    db.session.expire_all()
    assert (aktobe.population, aktobe.population_as_of) == (950123, date(2026, 1, 1))
    assert aktobe.population_edited_at is not None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "region.population"))
    assert entry.before["population"] == 943600 and entry.after["population"] == 950123
    assert entry.reason == "The bureau's figure of 1 January"
    assert "950,123" in page_text(app.test_client().get("/en/bodies"))


@pytest.fixture
def karaganda_city(app):
    from app.models import District

    city = db.session.scalar(select(District).where(District.kato == "351000000"))
    yield city
    db.session.rollback()
    city = db.session.scalar(select(District).where(District.kato == "351000000"))
    city.population = city.population_as_of = city.population_source = city.population_edited_at = None
    db.session.commit()


def test_an_administrator_enters_a_districts_population_and_its_bodies_follow(app, karaganda_city):
    make_user("district-admin@example.kz", roles=(Role.ADMIN,))
    client = app.test_client()
    login(client, "district-admin@example.kz")
    region_page = page_text(client.get(f"/en/admin/regions/{karaganda_city.region_id}"))
    assert "Karaganda City" in region_page and "351000000" in region_page
    before = page_text(app.test_client().get("/en/bodies?region=KZ-35"))
    assert "fixed number: the population of Karaganda City is not known" in before
    url = f"/en/admin/districts/{karaganda_city.id}"
    good = {"population": "40000", "as_of": "2026-01-01", "source": "https://stat.gov.kz/", "note": "A test figure"}
    refused = post(client, url, {**good, "population": "-5", **reauth("district-admin@example.kz")}, token_from=url)
    assert refused.status_code == 422
    ok = post(client, url, {**good, **reauth("district-admin@example.kz")}, token_from=url)
    assert ok.status_code == 302 and ok.headers["Location"].endswith(f"/admin/regions/{karaganda_city.region_id}")
    db.session.expire_all()
    assert karaganda_city.population == 40000 and karaganda_city.population_edited_at is not None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "district.population"))
    assert entry.target_id == karaganda_city.id and entry.after["population"] == 40000
    after = page_text(app.test_client().get("/en/bodies?region=KZ-35"))
    # Movement-2016 takes the law's district numbers: 10 % and 5 % below 50,000 people.
    assert "10 % of the population of Karaganda City (40,000)" in after
    assert "5 % of the population of Karaganda City (40,000)" in after
    assert app.test_client().get("/en/bodies?region=KZ-99").status_code == 404


def test_citizens_and_moderators_cannot_enter_populations(app, aktobe):
    for email, roles in (("pop-citizen@example.kz", ()), ("pop-mod@example.kz", (Role.MODERATOR,))):
        make_user(email, roles=roles)
        client = app.test_client()
        login(client, email)
        assert client.get(f"/en/admin/regions/{aktobe.id}").status_code == 403
