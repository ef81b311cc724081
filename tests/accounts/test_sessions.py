"""Sessions that end: log-out on the server, copied cookies, lifetimes, __Host- names."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Role, UserSession
from tests.support import login, make_user, page_text, post


@pytest.fixture
def citizen(app):
    return make_user("citizen@example.kz", password="steppe-wind-2026")


def copy_cookies(app, client, *names):
    """A second browser holding copies of `client`'s cookies (as a thief would)."""
    thief = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        if cookie is not None:
            thief.set_cookie(name, cookie.value)
    return thief


def test_a_session_cookie_copied_before_log_out_gets_the_login_page_after(app, client, citizen):
    login(client, "citizen@example.kz", "steppe-wind-2026")
    thief = copy_cookies(app, client, "dauys_session")
    assert thief.get("/account").status_code == 200  # the copy works while the session lives
    post(client, "/logout")
    response = thief.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_remember_me_cookie_copied_before_log_out_stops_working(app, client, citizen):
    login(client, "citizen@example.kz", "steppe-wind-2026", remember="y")
    thief = copy_cookies(app, client, "dauys_remember")
    assert thief.get("/account").status_code == 200
    post(client, "/logout")
    assert thief.get("/account").status_code == 302
    assert db.session.scalars(select(UserSession.ended_at)).all()[-1] is not None


def test_a_password_change_ends_every_other_session(app, client, citizen):
    login(client, "citizen@example.kz", "steppe-wind-2026")
    laptop = app.test_client()
    login(laptop, "citizen@example.kz", "steppe-wind-2026", remember="y")
    response = post(client, "/account/password", {"current_password": "steppe-wind-2026",
                                                  "password": "new-steppe-2027", "confirm": "new-steppe-2027"})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # this browser stays in
    assert laptop.get("/account").status_code == 302


def test_citizen_sessions_have_an_absolute_lifetime(app, client, citizen, clock):
    login(client, "citizen@example.kz", "steppe-wind-2026", remember="y")
    max_age = app.config["CITIZEN_SESSION_MAX_AGE"]
    clock.advance(seconds=max_age - 60)
    assert client.get("/account").status_code == 200
    clock.advance(seconds=120)
    assert client.get("/account").status_code == 302


def test_citizens_have_no_idle_limit(client, citizen, clock):
    login(client, "citizen@example.kz", "steppe-wind-2026")
    clock.advance(hours=20)
    assert client.get("/account").status_code == 200


def test_a_staff_session_idle_for_31_minutes_gets_the_login_page(client, clock):
    make_user("mod@example.kz", roles=(Role.MODERATOR,))
    login(client, "mod@example.kz")
    clock.advance(minutes=29)
    assert client.get("/moderation/").status_code == 200  # activity keeps it alive
    clock.advance(minutes=29)
    assert client.get("/moderation/").status_code == 200
    clock.advance(minutes=31)
    response = client.get("/moderation/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_session_cookie_names_no_user_id(client, citizen):
    login(client, "citizen@example.kz", "steppe-wind-2026")
    with client.session_transaction() as s:
        key = s["_user_id"]
    assert str(citizen.id) not in key.split(".")
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == citizen.id))
    assert row.key_hash != key.encode()  # only the hash is stored


def test_production_cookies_use_the_host_prefix():
    """__Host- cookies: Secure, Path=/, no Domain, or the browser refuses them. Checked on
    a bare Flask app with production's cookie settings (a second full app would re-bind
    the shared extensions, such as the rate limiter, of the one under test)."""
    from flask import Flask, session

    from config import ProductionConfig

    for name in ("SESSION_COOKIE_NAME", "REMEMBER_COOKIE_NAME", "DEVICE_COOKIE_NAME"):
        assert getattr(ProductionConfig, name).startswith("__Host-")
    assert ProductionConfig.SESSION_COOKIE_SECURE and ProductionConfig.REMEMBER_COOKIE_SECURE
    assert ProductionConfig.DEVICE_COOKIE_SECURE
    bare = Flask(__name__)
    bare.config.from_object(ProductionConfig)
    bare.secret_key = "x" * 40
    with bare.test_request_context("/"):
        session["x"] = 1
        response = bare.make_response("ok")
        bare.session_interface.save_session(bare, session, response)
        cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-dauys_session=") and "Secure" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie


def test_old_ended_sessions_are_forgotten(app, client, citizen, clock):
    from app.accounts.jobs import forget_old_sessions

    login(client, "citizen@example.kz", "steppe-wind-2026")
    post(client, "/logout")
    login(client, "citizen@example.kz", "steppe-wind-2026")  # still in use
    clock.advance(days=29)
    assert forget_old_sessions() == 0
    clock.advance(days=2)
    assert forget_old_sessions() == 1
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 1  # the one not ended


def test_log_out_everywhere_else(app, client, citizen):
    login(client, "citizen@example.kz", "steppe-wind-2026")
    client.language = "en"
    assert "You are also logged in" not in page_text(client.get("/account"))
    phone = app.test_client()
    login(phone, "citizen@example.kz", "steppe-wind-2026", remember="y")
    page = page_text(client.get("/account"))
    assert "You are also logged in on 1 other browser or device." in page
    response = post(client, "/account/sessions/end-others", token_from="/account")
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # this one stays
    assert phone.get("/account").status_code == 302  # the phone (and its remember-me cookie) is out
    assert "You are also logged in" not in page_text(client.get("/account"))
    assert client.post("/account/sessions/end-others").status_code == 400  # no CSRF token
