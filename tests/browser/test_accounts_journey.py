"""A new user in a real browser, in each of the three languages: registration, the
confirmation email in their language, log-in, a wrong password, password reset; and the
language switcher."""

from datetime import date
from pathlib import Path

import pytest

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


def test_register_verify_login_and_reset(reader, mailbox):
    page, t, language = reader.page, reader.t, reader.language
    email = f"madina-{language}@example.kz"
    reader.register(name="Мадина Ахметова", email=email, password="tulip-garden-2026", region="KZ-35",
                    iin=valid_iin(date(1992, 7, 1), male=False))
    assert page.get_by_role("heading", level=1).inner_text() == t("Check your email")

    [message] = mailbox.to(email)
    assert message["Content-Language"] == language
    link = link_in(message, "/verify/")
    assert link.startswith(f"/{language}/verify/")
    page.goto(link)
    assert page.url.endswith(f"/{language}/verify/confirm")  # the token is out of the address bar
    page.get_by_role("button", name=t("Confirm my email address")).click()
    assert t("Thank you: your email address is confirmed.") in page.content()
    reader.log_in(email, "tulip-garden-2026")
    assert page.get_by_text(t("confirmed"), exact=True).is_visible()
    assert page.locator("html").get_attribute("lang") == language

    reader.log_out()
    reader.goto("/login")
    page.get_by_label(t("Email")).fill(email)
    page.get_by_label(t("Password"), exact=True).fill("wrong-password-9")
    page.get_by_role("button", name=t("Log in")).click()
    assert page.get_by_text(t("The email or password is wrong."), exact=True).is_visible()

    page.get_by_role("link", name=t("Forgot your password?")).click()
    page.get_by_label(t("Email")).fill(email)
    page.get_by_role("button", name=t("Send the link")).click()
    reset = link_in(mailbox.to(email)[-1], "/reset/")
    assert reset.startswith(f"/{language}/reset/")
    page.goto(reset)
    assert page.url.endswith(f"/{language}/reset/password")
    page.get_by_label(t("New password")).fill("new-tulip-garden-27")
    page.get_by_label(t("Repeat the password")).fill("new-tulip-garden-27")
    page.get_by_role("button", name=t("Save the new password")).click()

    page.get_by_label(t("Email")).fill(email)
    page.get_by_label(t("Password"), exact=True).fill("new-tulip-garden-27")
    page.get_by_role("button", name=t("Log in")).click()
    assert page.get_by_role("heading", level=1).inner_text() == t("My account")


def test_form_errors_are_announced_next_to_fields(reader):
    page, t = reader.page, reader.t
    reader.goto("/register")
    page.get_by_role("button", name=t("Create account")).click()
    name = page.get_by_label(t("Surname"), exact=True)
    assert name.get_attribute("aria-invalid") == "true"
    described_by = name.get_attribute("aria-describedby").split()
    assert "surname-error" in described_by
    assert page.locator("#surname-error").inner_text() == t("Enter your surname.")
    # keyboard: the skip link is the first thing Tab reaches
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"


def test_a_new_moderator_sets_up_the_second_factor_before_the_queue(reader):
    """A moderator without a second factor clicks Moderation, is sent to set it up,
    scans (here: reads) the key, enters a code, keeps the recovery codes and reaches the
    queue; the next log-in asks for a code."""
    import pyotp

    from app.core import clock
    from app.models import Role
    from tests.support import make_user

    page, t = reader.page, reader.t
    email = f"new-mod-{reader.language}@example.kz"
    make_user(email, roles=(Role.MODERATOR,), language=reader.language, second_factor=False)
    reader.log_in(email)
    page.get_by_role("link", name=t("Moderation")).click()
    assert page.get_by_role("heading", level=1).inner_text() == t("Second factor")
    assert page.get_by_text(t("Staff pages open only with a second factor. Turn it on to continue.")).is_visible()
    qr = page.get_by_role("img", name=t("QR code for the authenticator app"))
    # The QR code loaded under the CSP (waiting for it if the page came before the image).
    assert qr.evaluate("img => img.complete ? img.naturalWidth > 0 : new Promise(resolve => {"
                       " img.onload = () => resolve(img.naturalWidth > 0); img.onerror = () => resolve(false); })")
    key = page.locator("code.secret").inner_text()
    page.get_by_label(t("Code from the app")).fill("000000")
    page.get_by_role("button", name=t("Turn on the second factor")).click()
    assert page.get_by_text(t("This code is not right, or it was used already. Try the next one.")).first.is_visible()
    page.get_by_label(t("Code from the app")).fill(pyotp.TOTP(key).at(clock.now()))
    page.get_by_role("button", name=t("Turn on the second factor")).click()
    assert page.get_by_role("heading", level=1).inner_text() == t("Recovery codes")
    assert page.locator("ol.recovery-codes li").count() == 10
    page.get_by_role("link", name=t("I have saved them: continue")).click()
    assert f"/{reader.language}/moderation/" in page.url
    reader.log_out()
    reader.log_in(email)  # asks for the code now (Reader.log_in enters it)
