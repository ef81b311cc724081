"""The whole journey in Chromium, in each of the three languages: register -> verify ->
create -> sponsors sign -> a moderator approves -> citizens sign -> the page shows the
right count; and a moderator rejecting with a reason."""

from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Petition, PetitionState, Role
from tests.support import link_in, make_petition, make_user, settle, valid_iin

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_register_create_sponsor_approve_sign(reader, mailbox, app, monkeypatch):
    page, t, language = reader.page, reader.t, reader.language
    monkeypatch.setitem(app.config, "SPONSORS_REQUIRED", 2)
    make_user("sponsor1@example.kz", region="KZ-35", language=language)
    make_user("sponsor2@example.kz", region="KZ-71", language=language)
    make_user("signer1@example.kz", region="KZ-79", language=language)
    make_user("signer2@example.kz", region="KZ-79", language=language)
    make_user("moderator@example.kz", roles=(Role.MODERATOR,), language=language)

    # Register and verify.
    reader.register(name="Ержан Сапаров", email="erzhan@example.kz", password="mountain-river-2026", region="KZ-75",
                    iin=valid_iin(date(1988, 2, 14)))
    page.goto(link_in(mailbox.to("erzhan@example.kz")[0], "/verify/"))
    page.get_by_role("button", name=t("Confirm my email address")).click()
    reader.log_in("erzhan@example.kz", "mountain-river-2026")

    # Idea, similar petitions, the form, preview, submit.
    page.get_by_role("link", name=t("Start a petition")).first.click()
    assert f"/{language}/" in page.url
    page.get_by_label(t("Your idea in a few words")).fill("Шымкентте велосипед жолдары")
    page.get_by_role("button", name=t("Check for similar petitions")).click()
    page.get_by_role("link", name=t("None of these: write my petition")).click()
    assert page.get_by_label(t("Title")).input_value() == "Шымкентте велосипед жолдары"
    page.get_by_label(t("Title")).fill("Шымкентте қауіпсіз велосипед жолдарын салу")
    page.get_by_label(t("Summary")).fill("Қаланың басты көшелеріне бөлек велосипед жолдары керек.")
    page.get_by_label(t("Details")).fill("Велосипедшілер көлікпен бір жолда жүреді.\n\nБөлек жолдар салуды сұраймыз.")
    picker = page.get_by_test_id("body-picker")
    picker.get_by_label(t("A national body")).check()
    picker.get_by_label(t("State body")).select_option("MIN-TRANSPORT")
    page.get_by_label(t("Category")).select_option("transport_roads")
    page.get_by_role("button", name=t("Save and preview")).click()
    # Without the confirmation the petition stays a draft, and the page says why.
    page.get_by_role("button", name=t("Submit the petition")).click()
    assert t("Confirm that your petition touches none of the subjects the law excludes, or change it.") in \
        page.locator(".error").first.inner_text()
    page.get_by_label(t("My petition touches none of the subjects the law excludes from petitions")).check()
    page.get_by_role("button", name=t("Submit the petition")).click()
    petition = db.session.scalar(select(Petition).where(Petition.title.like("Шымкентте%")))
    assert petition.state is PetitionState.COLLECTING_SPONSORS
    path = f"/petitions/{petition.id}"
    # Not public yet: the author copies the link the page gives to share.
    shared = urlsplit(page.locator("input.share").first.input_value()).path
    assert shared == f"/petitions/{petition.id}/link/{petition.link_key}"
    reader.log_out()

    # Two sponsors through the link.
    for sponsor in ("sponsor1@example.kz", "sponsor2@example.kz"):
        reader.log_in(sponsor)
        reader.goto(shared)
        page.get_by_role("button", name=t("Sponsor")).click()
        assert page.get_by_role("heading", level=1).inner_text() == t("Thank you for your support")  # thanked as a sponsor
        reader.log_out()
    settle()  # the aggregator, which runs every second in production
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).state is PetitionState.PENDING_MODERATION

    # The moderator approves from the queue.
    reader.log_in("moderator@example.kz")
    reader.goto("/moderation/")
    page.get_by_role("link", name="Шымкентте қауіпсіз велосипед жолдарын салу").click()
    page.get_by_role("button", name=t("Approve and open")).click()
    assert t("Done.") in page.content()
    assert page.locator("html").get_attribute("lang") == language
    reader.log_out()

    # Citizens sign; one shows their name.
    for n, signer in enumerate(("signer1@example.kz", "signer2@example.kz")):
        reader.log_in(signer)
        reader.goto(path)
        if n == 0:
            page.get_by_label(t("Show my name (first name and initial) on the petition page")).check()
        page.get_by_role("button", name=t("Sign"), exact=True).click()
        page.get_by_role("link", name=t("Back to the petition")).click()
        assert page.url.endswith(reader.url(path))
        assert page.get_by_text(t("You have signed this petition.")).is_visible()
        reader.log_out()

    settle()
    reader.goto(path)
    assert page.get_by_test_id("signature-count").inner_text() == "5"  # author, 2 sponsors, 2 signers
    assert page.get_by_role("progressbar").get_attribute("aria-valuenow") == "5"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"petition-open-{language}.png"), full_page=True)


def test_moderator_rejects_with_a_reason(reader):
    page, t = reader.page, reader.t
    petition = make_petition(state="pending_moderation", title="Сайлауды көктемге ауыстыру туралы петиция")
    make_user("moderator@example.kz", roles=(Role.MODERATOR,), language=reader.language)
    reader.log_in("moderator@example.kz")
    reader.goto(f"/moderation/petitions/{petition.id}")
    page.get_by_label(t("Reason"), exact=True).select_option("excluded_topic")
    page.get_by_label(t("Excluded subject (for “A topic the law excludes from petitions”)")).select_option("elections")
    page.get_by_label(t("Explanation (shown on the petition page unless the reason hides it)")).fill(
        "Сайлау мәселелері заң бойынша петиция тақырыбы бола алмайды.")
    page.get_by_role("button", name=t("Reject"), exact=True).click()
    assert t("Done.") in page.content()
    reader.log_out()
    reader.goto(f"/petitions/{petition.id}")
    assert page.get_by_text("Сайлау мәселелері заң бойынша петиция тақырыбы бола алмайды.").is_visible()
    assert page.get_by_text(t("A topic the law excludes from petitions")).is_visible()
    assert t("Elections, the republican referendum, political parties, Parliament and the status of its deputies") \
        in page.get_by_test_id("excluded-subject").inner_text()
