"""Password reset, change password, change email, the account page."""

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.messages import ERRORS
from app.extensions import db
from app.models import User
from tests.support import CSRF_RE, link_in, make_user, open_link, page_text, post, text_part, translated


@pytest.fixture
def citizen(app):
    return make_user("citizen@example.kz", password="steppe-wind-2026")


def reload(user):
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_password_reset_end_to_end(client, auth, mailbox, citizen):
    response = post(client, "/reset", {"email": "citizen@example.kz"})
    assert response.status_code == 200
    [message] = mailbox.to("citizen@example.kz")
    link = link_in(message, "/reset/")
    page, path = open_link(client, link)
    assert page.status_code == 200

    response = post(client, path, {"password": "new-steppe-2027", "confirm": "new-steppe-2027"},
                    token_from=path)
    assert response.status_code == 302
    assert auth.login("citizen@example.kz", "steppe-wind-2026").status_code == 401
    assert auth.login("citizen@example.kz", "new-steppe-2027").status_code == 302

    # Used once: the link is spent.
    again, _ = open_link(client, link)
    assert again.status_code == 400
    assert translated(ERRORS[("token", "used")], "kk") in page_text(again)


def test_reset_for_unknown_email_looks_the_same_and_sends_nothing(client, mailbox):
    response = post(client, "/reset", {"email": "nobody@example.kz"})
    assert response.status_code == 200
    assert "nobody@example.kz" in page_text(response)
    assert mailbox.messages == []


def test_reset_bad_inputs(client, mailbox, citizen, app, monkeypatch):
    post(client, "/reset", {"email": "citizen@example.kz"})
    link = link_in(mailbox.to("citizen@example.kz")[0], "/reset/")
    _, path = open_link(client, link)

    mismatch = post(client, path, {"password": "new-steppe-2027", "confirm": "other-steppe-2027"},
                    token_from=path)
    assert mismatch.status_code == 422
    assert translated(_l("The two passwords do not match."), "kk") in page_text(mismatch)

    common = post(client, path, {"password": "password1", "confirm": "password1"}, token_from=path)
    assert common.status_code == 422

    tampered = link.replace("/reset/", "/reset/x")
    assert open_link(client, tampered)[0].status_code == 400
    assert post(client, path, {"password": "new-steppe-2027", "confirm": "new-steppe-2027"},
                token_from="/login").status_code == 400

    monkeypatch.setitem(app.config, "RESET_PASSWORD_MAX_AGE", -1)
    expired, _ = open_link(client, link)
    assert expired.status_code == 400
    assert translated(ERRORS[("token", "expired")], "kk") in page_text(expired)
    assert reload(citizen).password_hash == citizen.password_hash


def test_a_reset_link_works_for_an_hour_by_the_clock(client, mailbox, citizen, clock):
    post(client, "/reset", {"email": "citizen@example.kz"})
    link = link_in(mailbox.to("citizen@example.kz")[0], "/reset/")
    clock.advance(minutes=59)
    assert open_link(client, link)[0].status_code == 200
    clock.advance(minutes=2)
    expired, _ = open_link(client, link)
    assert expired.status_code == 400
    assert translated(ERRORS[("token", "expired")], "kk") in page_text(expired)


def test_reset_empty_email_is_422(client):
    response = post(client, "/reset", {"email": ""})
    assert response.status_code == 422


def test_change_password_ends_other_sessions(client, auth, citizen, app):
    auth.login("citizen@example.kz", "steppe-wind-2026")
    other_device = app.test_client()
    post(other_device, "/login", {"email": "citizen@example.kz", "password": "steppe-wind-2026"})
    assert other_device.get("/account").status_code == 200

    wrong = post(client, "/account/password",
                 {"current_password": "nope-nope-1", "password": "new-steppe-2027", "confirm": "new-steppe-2027"})
    assert wrong.status_code == 422
    assert translated(ERRORS[("current_password", "wrong")], "kk") in page_text(wrong)

    ok = post(client, "/account/password",
              {"current_password": "steppe-wind-2026", "password": "new-steppe-2027", "confirm": "new-steppe-2027"})
    assert ok.status_code == 302
    assert client.get("/account").status_code == 200  # this browser stays in
    assert other_device.get("/account").status_code == 302  # the other one is out


def test_change_email_takes_effect_only_after_confirmation(client, auth, mailbox, citizen):
    auth.login("citizen@example.kz", "steppe-wind-2026")
    response = post(client, "/account/email", {"email": "new@example.kz", "password": "steppe-wind-2026"})
    assert response.status_code == 302
    assert reload(citizen).email == "citizen@example.kz"
    assert reload(citizen).pending_email == "new@example.kz"

    # The old address is told; the new one gets the link.
    assert len(mailbox.to("citizen@example.kz")) == 1
    link = link_in(mailbox.to("new@example.kz")[0], "/account/email/confirm/")
    page, path = open_link(client, link)
    assert page.status_code == 200
    assert reload(citizen).email == "citizen@example.kz"
    assert post(client, path, token_from=path).status_code == 302
    user = reload(citizen)
    assert user.email == "new@example.kz" and user.pending_email is None and user.is_verified
    assert open_link(client, link)[0].status_code == 400  # spent


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "new@example.kz", "password": "wrong-one-1"}, ERRORS[("password", "wrong")]),
        ({"email": "citizen@example.kz", "password": "steppe-wind-2026"}, ERRORS[("email", "same")]),
        ({"email": "bad", "password": "steppe-wind-2026"}, _l("Enter a valid email address, like name@example.kz.")),
    ],
)
def test_change_email_bad_inputs(client, auth, mailbox, citizen, data, message):
    make_user("taken@example.kz")
    auth.login("citizen@example.kz", "steppe-wind-2026")
    response = post(client, "/account/email", data)
    assert response.status_code == 422
    assert translated(message, "kk") in page_text(response)
    assert reload(citizen).pending_email is None
    assert mailbox.messages == []


def test_changing_to_an_address_in_use_answers_the_same_and_changes_nothing(client, auth, mailbox, citizen):
    """The answer must not tell who is registered: the taken address gets a note, the
    free one a link, and the page is the same."""
    make_user("taken@example.kz")
    auth.login("citizen@example.kz", "steppe-wind-2026")
    answers = []
    for address in ("taken@example.kz", "free@example.kz"):
        response = post(client, "/account/email", {"email": address, "password": "steppe-wind-2026"})
        assert response.status_code == 302
        page = page_text(client.get(response.headers["Location"]))
        answers.append(CSRF_RE.sub("", page).replace(address, "ADDRESS"))
    assert answers[0] == answers[1]
    [note] = mailbox.to("taken@example.kz")
    assert "/account/email/confirm/" not in text_part(note)
    assert "/account/email/confirm/" in text_part(mailbox.to("free@example.kz")[0])
    assert reload(citizen).email == "citizen@example.kz"


def test_account_page_shows_public_name_and_roles(client, auth, citizen):
    auth.login("citizen@example.kz", "steppe-wind-2026")
    text = page_text(client.get("/account"))
    assert "Test" in text and "Азамат" in text


def test_unverified_user_sees_a_reminder(client, auth):
    make_user("new@example.kz", password="steppe-wind-2026", verified=False)
    auth.login("new@example.kz", "steppe-wind-2026")
    assert "Петиция жасау, қолдау және қол қою үшін электрондық поштаңызды растаңыз." in page_text(client.get("/"))


def test_registration_email_matches_by_lowercase(client):
    make_user("mixed@example.kz")
    assert db.session.scalar(select(User).where(User.email == "mixed@example.kz")) is not None
