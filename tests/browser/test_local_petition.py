"""#24 in Chromium: a resident of Karaganda Region writes to the maslikhat of Karaganda
City, found by typing part of the city's name in Kazakh in the addressee picker; a
resident of another region is refused with the reason; the petition's page states its
threshold and where it comes from. Without JavaScript the grouped list is the form."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Petition, PetitionState, Role
from app.moderation import services as moderation
from tests.browser.conftest import Reader
from tests.support import make_user

pytestmark = pytest.mark.browser


def test_a_resident_writes_to_a_city_maslikhat_found_by_typing(page, app, monkeypatch):
    monkeypatch.setitem(app.config, "SPONSORS_REQUIRED", 0)
    reader = Reader(page, "kk")
    t = reader.t
    make_user("karaganda@example.kz", region="KZ-35", language="kk")
    reader.log_in("karaganda@example.kz")
    reader.goto("/petitions/new/form")
    page.get_by_label(t("Title")).fill("Қарағандыда № 32 автобус бағытын қайтару")
    page.get_by_label(t("Summary")).fill("Майқұдық пен орталықты байланыстыратын бағыт керек.")
    page.get_by_label(t("Details")).fill("Бағыт өткен жылы жабылды.\n\nОны қайта ашуды сұраймыз.")

    picker = page.get_by_test_id("body-picker")
    picker.get_by_label(t("A district or a city")).check()
    place = picker.get_by_role("combobox", name=t("Place"))
    place.fill("қарағанды қ")  # part of the name, in lower case
    suggestions = picker.get_by_role("option")
    assert suggestions.first.inner_text() == "Қарағанды қаласы (Қарағанды облысы)"
    suggestions.first.click()
    picker.get_by_label(t("State body")).select_option(label="Қарағанды қаласының мәслихаты")
    page.get_by_label(t("Category")).select_option("transport_roads")
    page.get_by_role("button", name=t("Save and preview")).click()

    petition = db.session.scalar(select(Petition).where(Petition.title.like("Қарағандыда № 32%")))
    assert petition is not None and petition.body.code == "MASLIKHAT-351000000"
    page.get_by_label(t("My petition touches none of the subjects the law excludes from petitions")).check()
    page.get_by_role("button", name=t("Submit the petition")).click()
    db.session.expire_all()
    petition = db.session.get(Petition, petition.id)
    assert petition.state is PetitionState.PENDING_MODERATION
    moderation.approve(make_user(roles=(Role.MODERATOR,)), petition)
    db.session.commit()
    reader.log_out()

    # The page states the threshold and where it comes from.
    reader.goto(f"/petitions/{petition.id}")
    reason = t("fixed number: the population of %(place)s is not known", place="Қарағанды қаласы")
    assert t("Threshold: %(reason)s", reason=reason) in page.content()
    assert page.get_by_role("progressbar").get_attribute("aria-valuemax") == "5000"

    # A resident of Almaty is refused, with the reason, before trying and when trying.
    make_user("almaty@example.kz", region="KZ-75", language="kk")
    reader.log_in("almaty@example.kz")
    reader.goto(f"/petitions/{petition.id}")
    refusal = t("Only residents of %(region)s can sign petitions to its akimats and maslikhats. Your region of "
                "residence is different.", region="Қарағанды облысы")
    assert refusal in page.locator("main").inner_text(), page.locator("main").inner_text()[:1500]
    assert page.get_by_role("button", name=t("Sign"), exact=True).count() == 0


def test_without_javascript_the_grouped_list_is_the_form(browser, live_server, app):
    context = browser.new_context(base_url=live_server, locale="kk-KZ", java_script_enabled=False)
    page = context.new_page()
    try:
        reader = Reader(page, "en")
        make_user("nojs@example.kz", region="KZ-35", language="en")
        reader.log_in("nojs@example.kz")
        reader.goto("/petitions/new/form")
        select = page.get_by_label(reader.t("Addressed to"))
        assert select.is_visible()
        groups = select.locator("optgroup")
        assert [groups.nth(i).get_attribute("label") for i in range(groups.count())] == [
            "National bodies", "Regions and cities of republican significance", "Districts and cities"]
        select.select_option("MASLIKHAT-351000000")
        assert page.get_by_test_id("body-picker").count() == 0
    finally:
        context.close()
