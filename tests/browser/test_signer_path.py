"""The signer's path (#13, item 7), in Chromium and each language: an anonymous visitor
on a petition, on a phone, finds the sign box within the first screen; chooses to
register; confirms by the emailed link; logs in; is back on that petition, ready to
sign; signs and sees it counted."""

from datetime import date

import pytest

from tests.support import link_in, make_petition, settle, valid_iin

pytestmark = pytest.mark.browser


def test_register_verify_log_in_and_back_on_the_petition_to_sign(reader, mailbox, app):
    page, t, language = reader.page, reader.t, reader.language
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    petition = make_petition(state="open", title="Аулаларға көбірек ағаш отырғызу керек", signatures=3)
    reader.goto(f"/petitions/{petition.id}")
    box = page.locator("section.sign-box")
    assert box.bounding_box()["y"] < 844, "the sign box must be in the first screen on a phone"

    box.get_by_role("link", name=t("register")).click()
    email = f"signer-path-{language}@example.kz"
    page.get_by_label(t("Surname"), exact=True).fill("Нурланқызы")
    page.get_by_label(t("Given name"), exact=True).fill("Асель")
    page.get_by_label(t("Email")).fill(email)
    page.get_by_label(t("Password"), exact=True).fill("apple-orchard-2026")
    page.get_by_label(t("Repeat the password")).fill("apple-orchard-2026")
    page.get_by_label(t("Region of residence")).select_option("KZ-75")
    page.get_by_label(t("IIN"), exact=True).fill(valid_iin(date(1995, 3, 8), male=False))
    page.get_by_label(t("I have read the privacy notice and agree to Dauys processing my personal data, my IIN "
                        "included, to run my account and count my signatures.")).check()
    page.get_by_role("button", name=t("Create account")).click()
    assert page.get_by_role("heading", level=1).inner_text() == t("Check your email")

    page.goto(link_in(mailbox.to(email)[-1], "/verify/"))
    page.get_by_role("button", name=t("Confirm my email address")).click()
    page.get_by_label(t("Email")).fill(email)
    page.get_by_label(t("Password"), exact=True).fill("apple-orchard-2026")
    page.get_by_role("button", name=t("Log in")).click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/{language}/petitions/{petition.id}")

    page.get_by_role("button", name=t("Sign"), exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == t("Thank you for signing")
    settle()
    reader.goto(f"/petitions/{petition.id}")
    assert page.get_by_test_id("signature-count").inner_text() == "4"
    assert t("You have signed this petition.") in page.locator("section.sign-box").inner_text()
