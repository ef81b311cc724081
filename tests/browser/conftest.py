"""A live server and headless Chromium (Debian's, driven by Playwright)."""

import os

import pytest
from flask_babel import lazy_gettext as _l

from tests.support import second_factor_code, translated

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
LANGUAGES = ("kk", "ru", "en")


@pytest.fixture
def page(browser, live_server):
    # A browser in Kazakhstan set to Kazakh: addresses without a language open in Kazakh.
    context = browser.new_context(base_url=live_server, locale="kk-KZ")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    refused = []  # the Content-Security-Policy at work: every page must run without a violation
    pg.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    yield pg
    context.close()
    assert not refused, refused


class Reader:
    """A person reading the site in one language: `t("Sign")` is the words they see,
    `url("/petitions/1")` the address in their language."""

    def __init__(self, page, language: str):
        self.page = page
        self.language = language

    def t(self, message: str, **values) -> str:
        return translated(_l(message, **values), self.language)

    def url(self, path: str) -> str:
        return f"/{self.language}{path}"

    def goto(self, path: str) -> None:
        self.page.goto(self.url(path))

    def log_in(self, email: str, password: str = "correct horse battery") -> None:
        page, t = self.page, self.t
        self.goto("/login")
        page.get_by_label(t("Email")).fill(email)
        page.get_by_label(t("Password"), exact=True).fill(password)
        page.get_by_role("button", name=t("Log in")).click()
        page.wait_for_load_state()
        if page.url.endswith("/login/code"):  # staff: the code from their authenticator app
            page.get_by_label(t("Code")).fill(second_factor_code(email))
            page.get_by_role("button", name=t("Log in")).click()
        assert page.get_by_role("heading", level=1).inner_text() == t("My account")

    def log_out(self) -> None:
        self.page.get_by_role("button", name=self.t("Log out")).click()

    def register(self, *, name: str, email: str, password: str, region: str, iin: str) -> None:
        """Fill and send the registration form as a person would."""
        page, t = self.page, self.t
        self.goto("/register")
        given, _, surname = name.partition(" ")
        page.get_by_label(t("Surname"), exact=True).fill(surname)
        page.get_by_label(t("Given name"), exact=True).fill(given)
        page.get_by_label(t("Email")).fill(email)
        page.get_by_label(t("Password"), exact=True).fill(password)
        page.get_by_label(t("Repeat the password")).fill(password)
        page.get_by_label(t("Region of residence")).select_option(region)
        page.get_by_label(t("IIN"), exact=True).fill(iin)
        page.get_by_label(t("I have read the privacy notice and agree to Dauys processing my personal data, my IIN "
                            "included, to run my account and count my signatures.")).check()
        page.get_by_role("button", name=t("Create account")).click()


@pytest.fixture(params=LANGUAGES)
def reader(request, page):
    return Reader(page, request.param)
