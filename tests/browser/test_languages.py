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
