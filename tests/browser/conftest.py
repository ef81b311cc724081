"""A live server and headless Chromium (Debian's, driven by Playwright)."""

import os
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def page(browser, live_server):
    # A browser in Kazakhstan set to Kazakh: addresses without a language open in Kazakh.
    context = browser.new_context(base_url=live_server, locale="kk-KZ")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


def register_in_browser(page, *, name: str, email: str, password: str, region: str, iin: str) -> None:
    """Fill and send the registration form, in Kazakh, as a person would."""
    page.goto("/register")
    page.get_by_label("Толық аты-жөні").fill(name)
    page.get_by_label("Электрондық пошта").fill(email)
    page.get_by_label("Құпиясөз", exact=True).fill(password)
    page.get_by_label("Құпиясөзді қайталаңыз").fill(password)
    page.get_by_label("Тұратын өңірі").select_option(region)
    page.get_by_label("ЖСН").fill(iin)
    page.get_by_role("button", name="Тіркелгі жасау").click()
