"""Slowing down guesses without denial of service: a stranger's wrong passwords never
lock the owner out of a browser they have logged in from before, nor after a reset;
one address guessing cannot lock out everyone behind a shared one."""

import pytest
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from app.models import Role
from tests.support import csrf_token, link_in, login, make_user, open_link, page_text, post, translated


@pytest.fixture
def owner(app):
    return make_user("owner@example.kz", password="steppe-wind-2026")


def attempt(client, email, password, address="203.0.113.7"):
    return post(client, "/login", {"email": email, "password": password}, token_from="/login",
                environ_base={"REMOTE_ADDR": address})


def test_a_wrong_password_is_401_and_the_limit_per_account_and_network_is_429(app, owner):
    stranger = app.test_client()
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_NETWORK"]
    for _ in range(limit):
        assert attempt(stranger, "owner@example.kz", "wrong-password-1").status_code == 401
    # Even the right password is not checked now, from that network (any of its addresses).
    response = attempt(app.test_client(), "owner@example.kz", "steppe-wind-2026", "203.0.113.99")
    assert response.status_code == 429
    # Not a dead end: the page says how to get in now.
    minutes = app.config["LOGIN_FAILURE_WINDOW_SECONDS"] // 60
    assert translated(lazy_ngettext(
        "Too many wrong passwords for this account from here. Wait %(num)d minute, or set a new "
        "password by email (the link below): that lets you in at once.",
        "Too many wrong passwords for this account from here. Wait %(num)d minutes, or set a new "
        "password by email (the link below): that lets you in at once.", minutes), "kk") in page_text(response)
    assert "/kk/reset" in response.get_data(as_text=True)
    # From another network the owner (on a new device) still gets in.
    assert attempt(app.test_client(), "owner@example.kz", "steppe-wind-2026", "198.51.100.9").status_code == 302


def test_fifty_wrong_passwords_from_fifty_addresses_lock_no_one_out(app, owner, mailbox):
    """Nothing counts per account alone: the owner logs in at once from their known
    browser, from a new one, and from a new one through the emailed link."""
    phone = app.test_client()
    assert attempt(phone, "owner@example.kz", "steppe-wind-2026", "198.51.100.9").status_code == 302
    post(phone, "/logout")
    for n in range(50):
        assert attempt(app.test_client(), "owner@example.kz", f"guess-{n}-xyz",
                       f"10.{n}.{n % 7}.{n + 1}").status_code == 401
    assert attempt(phone, "owner@example.kz", "steppe-wind-2026", "198.51.100.9").status_code == 302
    post(phone, "/logout")
    assert attempt(app.test_client(), "owner@example.kz", "steppe-wind-2026", "198.51.100.77").status_code == 302
    # Even a new browser inside a network the guesses filled gets in through the email.
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_NETWORK"]):
        attempt(app.test_client(), "owner@example.kz", "guess-again-xyz", "192.0.2.66")
    laptop = app.test_client()
    assert attempt(laptop, "owner@example.kz", "steppe-wind-2026", "192.0.2.9").status_code == 429
    post(laptop, "/reset", {"email": "owner@example.kz"}, environ_base={"REMOTE_ADDR": "192.0.2.9"})
    link = link_in(mailbox.to("owner@example.kz")[-1], "/reset/")
    _, path = open_link(laptop, link)
    post(laptop, path, {"password": "new-steppe-2027", "confirm": "new-steppe-2027"}, token_from=path)
    assert attempt(laptop, "owner@example.kz", "new-steppe-2027", "192.0.2.9").status_code == 302


def test_the_owner_logs_in_from_a_known_device_while_a_strangers_guesses_keep_arriving(app, owner):
    phone = app.test_client()
    assert attempt(phone, "owner@example.kz", "steppe-wind-2026", "198.51.100.9").status_code == 302
    post(phone, "/logout")
    assert phone.get_cookie(app.config["DEVICE_COOKIE_NAME"]) is not None
    # A botnet inside one network, far past its limit for the account.
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_NETWORK"]
    for n in range(limit + 5):
        attempt(app.test_client(), "owner@example.kz", f"guess-{n}-xyz", f"192.0.2.{n % 250}")
    # A new device in that network is held back now ...
    assert attempt(app.test_client(), "owner@example.kz", "steppe-wind-2026", "192.0.2.77").status_code == 429
    # ... but the owner's own browser is not, even from the address the guesses used.
    for address in ("198.51.100.9", "192.0.2.1"):
        assert attempt(phone, "owner@example.kz", "steppe-wind-2026", address).status_code == 302
        post(phone, "/logout")


def test_a_device_cookie_is_per_account_and_cannot_be_forged(app, owner):
    make_user("other@example.kz", password="steppe-wind-2026")
    browser = app.test_client()
    attempt(browser, "other@example.kz", "steppe-wind-2026")
    post(browser, "/logout")
    for n in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_NETWORK"]):
        attempt(app.test_client(), "owner@example.kz", f"guess-{n}-xyz", f"192.0.2.{n}")
    # Known for "other", not for "owner": held back like any new device in that network.
    assert attempt(browser, "owner@example.kz", "steppe-wind-2026", "192.0.2.200").status_code == 429
    forged = app.test_client()
    forged.set_cookie(app.config["DEVICE_COOKIE_NAME"], "eyJuIjoieCIsImEiOltdfQ.forged")
    assert attempt(forged, "owner@example.kz", "steppe-wind-2026", "192.0.2.201").status_code == 429


def test_a_known_device_is_slowed_down_too_if_it_guesses(app, owner):
    phone = app.test_client()
    attempt(phone, "owner@example.kz", "steppe-wind-2026")
    post(phone, "/logout")
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_DEVICE"]):
        assert attempt(phone, "owner@example.kz", "wrong-password-1").status_code == 401
    assert attempt(phone, "owner@example.kz", "steppe-wind-2026").status_code == 429


def test_after_a_password_reset_the_owner_gets_in_from_anywhere(app, owner, mailbox):
    for n in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT_NETWORK"]):
        attempt(app.test_client(), "owner@example.kz", f"guess-{n}-xyz", f"198.51.100.{n + 20}")
    laptop = app.test_client()
    assert attempt(laptop, "owner@example.kz", "steppe-wind-2026", "198.51.100.9").status_code == 429
    post(laptop, "/reset", {"email": "owner@example.kz"})
    link = link_in(mailbox.to("owner@example.kz")[0], "/reset/")
    _, path = open_link(laptop, link)
    post(laptop, path, {"password": "new-steppe-2027", "confirm": "new-steppe-2027"}, token_from=path)
    assert attempt(laptop, "owner@example.kz", "new-steppe-2027", "198.51.100.9").status_code == 302
    post(laptop, "/logout")
    # The guesses were at a password that is no more: another device in that network gets in too.
    assert attempt(app.test_client(), "owner@example.kz", "new-steppe-2027", "198.51.100.10").status_code == 302


def test_guesses_at_many_accounts_from_a_shared_address_lock_out_no_one_behind_it(app, owner):
    office = "203.0.113.50"  # one NAT address for a whole ministry, or a mobile carrier's
    for n in range(40):
        assert attempt(app.test_client(), f"guess{n}@example.kz", "wrong-password-1", office).status_code == 401
    # A colleague on a new device behind that address logs in.
    assert attempt(app.test_client(), "owner@example.kz", "steppe-wind-2026", office).status_code == 302


def test_the_second_factor_code_is_limited_too_and_a_replayed_cookie_does_not_reset_it(app, clock):
    from tests.support import second_factor_code

    make_user("mod@example.kz", roles=(Role.MODERATOR,))
    client = app.test_client()
    response = post(client, "/login", {"email": "mod@example.kz", "password": "correct horse battery"},
                    token_from="/login")
    assert response.headers["Location"].endswith("/login/code")
    pending_cookie = client.get_cookie("dauys_session").value
    for _ in range(app.config["TWO_FACTOR_MAX_FAILURES"] - 1):
        wrong = post(client, "/login/code", {"code": "000000"}, token_from="/login/code")
        assert wrong.status_code == 401
        assert translated(_l("This code is not right, or it was used already. Try the next one."), "kk") \
            in page_text(wrong)
    last = post(client, "/login/code", {"code": "000000"}, token_from="/login/code")
    assert last.status_code == 302 and last.headers["Location"].endswith("/login")
    # Replaying the cookie from before the lock, even with the right code: refused.
    client.set_cookie("dauys_session", pending_cookie)
    token = csrf_token(client, "/login")
    replay = client.post("/login/code", data={"csrf_token": token, "code": second_factor_code("mod@example.kz")})
    assert replay.status_code == 302 and replay.headers["Location"].endswith("/login")
    assert client.get("/account").status_code == 302
    # Logging in again does not reset it either; after the window it works.
    assert login(app.test_client(), "mod@example.kz").headers["Location"].endswith("/login")
    clock.advance(minutes=16)
    assert login(app.test_client(), "mod@example.kz").headers["Location"].endswith("/account")


def test_a_password_alone_is_not_a_log_in_for_an_account_with_a_second_factor(app):
    from app.extensions import db
    from app.models import User

    make_user("mod@example.kz", roles=(Role.MODERATOR,))
    client = app.test_client()
    post(client, "/login", {"email": "mod@example.kz", "password": "correct horse battery"}, token_from="/login")
    db.session.expire_all()
    assert db.session.query(User).filter_by(email="mod@example.kz").one().last_login_at is None
    assert client.get_cookie(app.config["DEVICE_COOKIE_NAME"]) is None  # not trusted on the password alone
