"""A reader in each of the three languages: from a shared link to a signature, the
language staying in the address all the way."""

import pytest
from flask_babel import lazy_gettext as _l

from tests.support import make_petition, make_user, settle, translated

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_a_reader_signs_in_their_language(page, language):
    def t(message):
        return translated(_l(message), language)

    petition = make_petition(title="Алматыда жаңа саябақ салу керек", signatures=1)
    make_user(f"reader-{language}@example.kz", language=language)
    page.goto(f"/{language}/petitions/{petition.id}")
    assert page.locator("html").get_attribute("lang") == language
    assert page.get_by_role("heading", level=1).inner_text() == petition.title  # shown as written
    page.get_by_role("link", name=t("Log in to sign")).click()
    assert f"/{language}/login" in page.url
    page.get_by_label(t("Email")).fill(f"reader-{language}@example.kz")
    page.get_by_label(t("Password"), exact=True).fill("correct horse battery")
    page.get_by_role("button", name=t("Log in")).click()
    assert page.url.endswith(f"/{language}/petitions/{petition.id}")  # back where they were
    page.get_by_role("button", name=t("Sign"), exact=True).click()
    assert f"/{language}/petitions/{petition.id}/signed" in page.url
    settle()
    page.goto(f"/{language}/petitions/{petition.id}")
    assert page.get_by_test_id("signature-count").inner_text() == "2"
    assert page.get_by_text(t("You have signed this petition.")).is_visible()


@pytest.mark.parametrize("language", ["ru", "en"])
def test_registration_and_verification_in_each_language(page, mailbox, language):
    """Kazakh is the journey of test_accounts_journey; the same in Russian and English,
    the confirmation email's link opening the page in the reader's language."""
    from datetime import date

    from tests.support import link_in, valid_iin

    def t(message, **values):
        return translated(_l(message, **values), language)

    page.goto(f"/{language}/register")
    page.get_by_label(t("Full name")).fill("Асель Нурланова")
    page.get_by_label(t("Email")).fill(f"asel-{language}@example.kz")
    page.get_by_label(t("Password"), exact=True).fill("saksaul-forest-2026")
    page.get_by_label(t("Repeat the password")).fill("saksaul-forest-2026")
    page.get_by_label(t("Region of residence")).select_option("KZ-71")
    page.get_by_label(t("IIN")).fill(valid_iin(date(1994, 9, 3), male=False))
    page.get_by_role("button", name=t("Create account")).click()
    assert page.get_by_role("heading", level=1).inner_text() == t("Confirm your email address")
    [message] = mailbox.to(f"asel-{language}@example.kz")
    assert message["Content-Language"] == language
    link = link_in(message, "/verify/")
    assert link.startswith(f"/{language}/verify/")
    page.goto(link)
    page.get_by_role("button", name=t("Confirm my email address")).click()
    assert t("Thank you: your email address is confirmed.") in page.content()
    assert page.locator("html").get_attribute("lang") == language
