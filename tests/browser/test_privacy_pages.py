"""The pages of #13 in Chromium, in each language: the operator's public pages, consent,
moving region, deleting the account, the unsubscribe page; axe-core finds no violation."""

import pytest

from app.extensions import db
from app.petitions.services import unsubscribe_url
from tests.browser.test_pictures_and_accessibility import violations
from tests.support import make_petition, make_user, sign_as

pytestmark = pytest.mark.browser


def test_privacy_pages_pass_axe(reader, app):
    page = reader.page
    for name in ("privacy", "terms", "standards", "help", "accessibility"):
        reader.goto(f"/{name}")
        assert page.get_by_role("heading", level=1).is_visible()
        assert not violations(page), (name, violations(page))
    user = make_user(f"axe-privacy-{reader.language}@example.kz", language=reader.language)
    petition = make_petition(state="open", title="Қала көшелерін жарықтандыру туралы")
    sign_as(petition, user, notify=True)
    link = unsubscribe_url(user, petition.id).replace("http://localhost", "")
    page.goto(link)
    assert "/petitions/unsubscribe" in page.url
    assert not violations(page), ("unsubscribe", violations(page))
    reader.log_in(user.email)
    for path in ("/account", "/account/region", "/account/delete", "/account/name"):
        reader.goto(path)
        assert not violations(page), (path, violations(page))
    user.consent_version = "2000-01-01"
    db.session.commit()
    reader.goto("/account/consent")
    assert not violations(page), ("consent", violations(page))
    # A name split by the migration: the page that asks to check it, with an error shown.
    from app import legal

    user.consent_version, user.name_unconfirmed = legal.notice_version(), True
    db.session.commit()
    reader.goto("/petitions")
    assert "/account/name" in page.url
    page.get_by_label(reader.t("Given name"), exact=True).fill("")
    page.get_by_role("button", name=reader.t("This is my name")).click()
    assert page.get_by_text(reader.t("Enter your given name.")).first.is_visible()
    assert not violations(page), ("name", violations(page))
