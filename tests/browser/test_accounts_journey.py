"""A new user in a real browser: language, registration, verification, log-in,
password reset."""

from datetime import date
from pathlib import Path

import pytest

from tests.browser.conftest import register_in_browser
from tests.support import link_in, valid_iin

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_language_switcher_keeps_the_page(page):
    page.goto("/")
    assert page.url.endswith("/kk/")
    assert page.locator("html").get_attribute("lang") == "kk"
    assert page.get_by_role("heading", level=1).inner_text() == "Сіздің үніңіз — мемлекетке"
    page.get_by_role("link", name="Русский").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Ваш голос — государству"
    page.get_by_role("navigation", name="Главное меню").get_by_role("link", name="Государственные органы").click()
    assert page.url.endswith("/ru/bodies")
    assert page.get_by_role("heading", level=1).inner_text() == "Государственные органы"
    page.reload()
    assert page.locator("html").get_attribute("lang") == "ru"
    page.get_by_role("link", name="English").click()
    assert page.url.endswith("/en/bodies")
    assert page.get_by_role("heading", level=1).inner_text() == "State bodies"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "bodies-en.png"), full_page=True)


def test_register_verify_login_and_reset(page, mailbox):
    register_in_browser(page, name="Мадина Ахметова", email="madina@example.kz", password="tulip-garden-2026", region="KZ-35",
                        iin=valid_iin(date(1992, 7, 1), male=False))
    assert page.get_by_role("heading", level=1).inner_text() == "Электрондық поштаңызды растаңыз"

    link = link_in(mailbox.to("madina@example.kz")[0], "/verify/")
    page.goto(link)
    page.get_by_role("button", name="Электрондық поштамды растау").click()
    assert "Рақмет: электрондық поштаңыз расталды." in page.content()
    assert page.get_by_text("расталған").is_visible()

    page.get_by_role("button", name="Шығу").click()
    page.goto("/login")
    page.get_by_label("Электрондық пошта").fill("madina@example.kz")
    page.get_by_label("Құпиясөз").fill("wrong-password-9")
    page.get_by_role("button", name="Кіру").click()
    assert page.get_by_text("Электрондық пошта немесе құпиясөз қате.", exact=True).is_visible()

    page.get_by_role("link", name="Құпиясөзді ұмыттыңыз ба?").click()
    page.get_by_label("Электрондық пошта").fill("madina@example.kz")
    page.get_by_role("button", name="Сілтемені жіберу").click()
    reset = link_in(mailbox.to("madina@example.kz")[-1], "/reset/")
    page.goto(reset)
    page.get_by_label("Жаңа құпиясөз").fill("new-tulip-garden-27")
    page.get_by_label("Құпиясөзді қайталаңыз").fill("new-tulip-garden-27")
    page.get_by_role("button", name="Жаңа құпиясөзді сақтау").click()

    page.get_by_label("Электрондық пошта").fill("madina@example.kz")
    page.get_by_label("Құпиясөз").fill("new-tulip-garden-27")
    page.get_by_role("button", name="Кіру").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Менің тіркелгім"


def test_form_errors_are_announced_next_to_fields(page):
    page.goto("/register")
    page.get_by_role("button", name="Тіркелгі жасау").click()
    name = page.get_by_label("Толық аты-жөні")
    assert name.get_attribute("aria-invalid") == "true"
    described_by = name.get_attribute("aria-describedby").split()
    assert "full_name-error" in described_by
    assert page.locator("#full_name-error").inner_text() == "Толық аты-жөніңізді енгізіңіз."
    # keyboard: the skip link is the first thing Tab reaches
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
