"""Log in, log out, remember me, throttling, session handling, safe redirects."""

import pytest
from flask_babel import lazy_gettext as _l

from tests.support import make_user, page_text, post, translated


@pytest.fixture
def citizen(app):
    return make_user("citizen@example.kz", password="steppe-wind-2026")


def test_login_and_logout(client, auth, citizen):
    response = auth.login("citizen@example.kz", "steppe-wind-2026")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account")
    assert "citizen@example.kz" in page_text(client.get("/account"))
    assert auth.logout().status_code == 302
    assert client.get("/account").status_code == 302


def test_email_is_case_insensitive(auth, citizen):
    assert auth.login("  Citizen@Example.KZ ", "steppe-wind-2026").status_code == 302


def test_wrong_password_is_401_with_a_clear_message(client, auth, citizen):
    response = auth.login("citizen@example.kz", "wrong-password-1")
    assert response.status_code == 401
    assert translated(_l("The email or password is wrong."), "kk") in page_text(response)
    assert client.get("/account").status_code == 302


def test_unknown_email_gets_the_same_answer(auth):
    response = auth.login("nobody@example.kz", "whatever-123")
    assert response.status_code == 401
    assert translated(_l("The email or password is wrong."), "kk") in page_text(response)


def test_empty_form_is_422(auth):
    response = auth.login("", "")
    assert response.status_code == 422
    assert translated(_l("Enter your email address."), "kk") in page_text(response)


def test_logout_is_post_only(client, auth, citizen):
    auth.login("citizen@example.kz", "steppe-wind-2026")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no CSRF token
    assert client.get("/account").status_code == 200


def test_session_is_renewed_at_login(client, auth, citizen):
    client.get("/")
    with client.session_transaction() as s:
        s["planted"] = "by-an-attacker"
    before = client.get_cookie("dauys_session").value
    auth.login("citizen@example.kz", "steppe-wind-2026")
    after = client.get_cookie("dauys_session").value
    assert before != after
    with client.session_transaction() as s:
        assert "planted" not in s
        # The session names a server-side session, never the account's id.
        assert str(citizen.id) != s["_user_id"] and len(s["_user_id"]) >= 40


def test_cookie_flags(client, auth, citizen):
    response = auth.login("citizen@example.kz", "steppe-wind-2026", remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("dauys_session="))
    remember_cookie = next(c for c in cookies if c.startswith("dauys_remember="))
    for cookie in (session_cookie, remember_cookie):
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie


def test_remember_me_survives_a_new_browser_session(client, auth, citizen):
    auth.login("citizen@example.kz", "steppe-wind-2026", remember="y")
    remember = client.get_cookie("dauys_remember").value
    fresh = client.application.test_client()
    fresh.set_cookie("dauys_remember", remember)
    assert fresh.get("/account").status_code == 200
    no_remember = client.application.test_client()
    assert no_remember.get("/account").status_code == 302


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/kk/bodies", "/kk/bodies"),
        ("//evil.example/steal", "/kk/account"),
        ("https://evil.example/", "/kk/account"),
        ("/\\evil.example", "/kk/account"),
        ("javascript:alert(1)", "/kk/account"),
    ],
)
def test_next_redirect_is_local_only(client, citizen, next_url, expected):
    from urllib.parse import quote

    response = post(client, f"/login?next={quote(next_url)}",
                    {"email": "citizen@example.kz", "password": "steppe-wind-2026"})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_inactive_account_cannot_log_in(auth, citizen):
    from app.extensions import db

    citizen.active = False
    db.session.commit()
    assert auth.login("citizen@example.kz", "steppe-wind-2026").status_code == 401


def test_login_required_page_redirects_with_next(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]
