"""The whole journey in Chromium: register -> verify -> create -> sponsors sign ->
a moderator approves -> citizens sign -> the page shows the right count; and a
moderator rejecting with a reason."""

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Petition, PetitionState, Role
from tests.browser.conftest import register_in_browser
from tests.support import link_in, make_petition, make_user, settle, valid_iin

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def log_in(page, email, password="correct horse battery"):
    page.goto("/login")
    page.get_by_label("Электрондық пошта").fill(email)
    page.get_by_label("Құпиясөз").fill(password)
    page.get_by_role("button", name="Кіру").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Менің тіркелгім"


def log_out(page):
    page.get_by_role("button", name="Шығу").click()


def test_register_create_sponsor_approve_sign(page, mailbox, app, monkeypatch):
    monkeypatch.setitem(app.config, "SPONSORS_REQUIRED", 2)
    make_user("sponsor1@example.kz", region="KZ-35")
    make_user("sponsor2@example.kz", region="KZ-71")
    make_user("signer1@example.kz", region="KZ-79")
    make_user("signer2@example.kz", region="KZ-79")
    make_user("moderator@example.kz", roles=(Role.MODERATOR,))

    # Register and verify.
    register_in_browser(page, name="Ержан Сапаров", email="erzhan@example.kz", password="mountain-river-2026", region="KZ-75",
                        iin=valid_iin(date(1988, 2, 14)))
    page.goto(link_in(mailbox.to("erzhan@example.kz")[0], "/verify/"))
    page.get_by_role("button", name="Электрондық поштамды растау").click()

    # Idea, similar petitions, the form, preview, submit.
    page.get_by_role("link", name="Петиция бастау").first.click()
    page.get_by_label("Идеяңыз бірнеше сөзбен").fill("Шымкентте велосипед жолдары")
    page.get_by_role("button", name="Ұқсас петицияларды тексеру").click()
    page.get_by_role("link", name="Бұлардың ешқайсысы емес: өз петициямды жазу").click()
    assert page.get_by_label("Тақырып").input_value() == "Шымкентте велосипед жолдары"
    page.get_by_label("Тақырып").fill("Шымкентте қауіпсіз велосипед жолдарын салу")
    page.get_by_label("Қысқаша мазмұны").fill("Қаланың басты көшелеріне бөлек велосипед жолдары керек.")
    page.get_by_label("Толығырақ").fill("Велосипедшілер көлікпен бір жолда жүреді.\n\nБөлек жолдар салуды сұраймыз.")
    page.get_by_label("Кімге жолданған").select_option("MIN-TRANSPORT")
    page.get_by_label("Санат").select_option("transport_roads")
    page.get_by_role("button", name="Сақтап, алдын ала қарау").click()
    page.get_by_role("button", name="Петицияны жіберу").click()
    petition = db.session.scalar(select(Petition).where(Petition.title.like("Шымкентте%")))
    assert petition.state is PetitionState.COLLECTING_SPONSORS
    url = f"/petitions/{petition.id}"
    log_out(page)

    # Two sponsors through the link.
    for sponsor in ("sponsor1@example.kz", "sponsor2@example.kz"):
        log_in(page, sponsor)
        page.goto(url)
        page.get_by_role("button", name="Демеуші болу").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Қол қойғаныңызға рақмет"
        log_out(page)
    settle()  # the aggregator, which runs every second in production
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).state is PetitionState.PENDING_MODERATION

    # The moderator approves from the queue.
    log_in(page, "moderator@example.kz")
    page.goto("/moderation/")
    page.get_by_role("link", name="Шымкентте қауіпсіз велосипед жолдарын салу").click()
    page.get_by_role("button", name="Мақұлдап, ашу").click()
    assert "Дайын." in page.content()
    log_out(page)

    # Citizens sign; one shows their name.
    for n, signer in enumerate(("signer1@example.kz", "signer2@example.kz")):
        log_in(page, signer)
        page.goto(url)
        if n == 0:
            page.get_by_label("Петиция бетінде атымды (аты және тегінің бас әрпі) көрсету").check()
        page.get_by_role("button", name="Қол қою", exact=True).click()
        page.get_by_role("link", name="Петицияға оралу").click()
        assert page.get_by_text("Сіз бұл петицияға қол қойдыңыз.").is_visible()
        log_out(page)

    settle()
    page.goto(url)
    assert page.get_by_test_id("signature-count").inner_text() == "5"  # author, 2 sponsors, 2 signers
    assert page.get_by_role("progressbar").get_attribute("aria-valuenow") == "5"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "petition-open.png"), full_page=True)


def test_moderator_rejects_with_a_reason(page, app):
    petition = make_petition(state="pending_moderation", title="Сайлауды көктемге ауыстыру туралы петиция")
    make_user("moderator@example.kz", roles=(Role.MODERATOR,))
    log_in(page, "moderator@example.kz")
    page.goto(f"/moderation/petitions/{petition.id}")
    page.get_by_label("Себебі", exact=True).select_option("excluded_topic")
    page.get_by_label("Түсіндірме (себеп петицияны жасырмаса, петиция бетінде көрсетіледі)").fill(
        "Сайлау мәселелері заң бойынша петиция тақырыбы бола алмайды.")
    page.get_by_role("button", name="Қабылдамау", exact=True).click()
    assert "Дайын." in page.content()
    log_out(page)
    page.goto(f"/petitions/{petition.id}")
    assert page.get_by_text("Сайлау мәселелері заң бойынша петиция тақырыбы бола алмайды.").is_visible()
    assert page.get_by_text("Заң петициядан шығарып тастаған тақырып").is_visible()
