"""Signals at the door (#12, item 4): temporary-mailbox domains, a honeypot field and a
minimum time between showing a form and sending it, on registration and signing."""

import re

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from app.fraud.bot_signals import HONEYPOT_MESSAGE, TOO_FAST_MESSAGE
from app.models import Signature, User
from tests.accounts.test_registration import form
from tests.support import csrf_token, login, make_petition, make_user, page_text, post, translated

DISPOSABLE = _l("Addresses from temporary-mailbox services cannot be used: we write to you about your petitions "
                "for months. Use an address you will keep.")


def users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def shown_at(response) -> str:
    return re.search(r'name="shown_at" type="hidden" value="([^"]+)"', response.get_data(as_text=True)).group(1)



@pytest.mark.parametrize("address", ["someone@mailinator.com", "someone@sub.mailinator.com", "x@10minutemail.com",
                                     "X@MAILINATOR.COM"])
@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_a_temporary_mailbox_is_refused_with_a_clear_message(client, address, language):
    client.language = language
    before = users()
    response = post(client, "/register", form(email=address), token_from="/register")
    assert response.status_code == 422
    assert translated(DISPOSABLE, language) in page_text(response)
    assert users() == before


def test_ordinary_mail_services_are_welcome(client):
    for n, address in enumerate(["a@mail.ru", "b@gmail.com", "c@yandex.kz", "d@gov.kz"]):
        from datetime import date

        from tests.support import valid_iin

        response = post(client.application.test_client(), "/register",
                        form(email=address, iin=valid_iin(date(1990, 1, 1 + n))), token_from="/register")
        assert response.status_code == 200, address


def test_changing_to_a_temporary_mailbox_is_refused(client):
    make_user("owner@example.kz")
    login(client, "owner@example.kz")
    response = post(client, "/account/email", {"email": "me@mailinator.com", "password": "correct horse battery"})
    assert response.status_code == 422
    assert translated(DISPOSABLE, "kk") in page_text(response)


def test_the_honeypot_refuses_a_registration(client):
    before = users()
    response = post(client, "/register", form(website="http://spam.example"), token_from="/register")
    assert response.status_code == 422
    assert translated(HONEYPOT_MESSAGE, "kk") in page_text(response)
    assert re.search(r'name="website" tabindex="-1" type="text" value=""', response.get_data(as_text=True))
    assert users() == before


def test_a_registration_sent_faster_than_a_person_can_is_refused(app, client, clock, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTER_MIN_SECONDS", 4)
    page = client.get("/register")
    data = {"csrf_token": csrf_token(client, "/register"), **form(), "shown_at": shown_at(page)}
    before = users()
    clock.advance(seconds=1)
    response = client.post("/register", data=data)
    assert response.status_code == 422
    assert translated(TOO_FAST_MESSAGE, "kk") in page_text(response)
    assert users() == before
    for forged in ["", "1700000000", "bm90LXNpZ25lZA"]:  # missing, unsigned or tampered
        assert client.post("/register", data={**data, "shown_at": forged}).status_code == 422
    assert users() == before
    clock.advance(seconds=4)
    response = client.post("/register", data=data)
    assert response.status_code == 200 and users() == before + 1


def test_signing_too_fast_or_with_the_honeypot_is_refused_and_signs_nothing(app, client, clock, monkeypatch):
    monkeypatch.setitem(app.config, "SIGN_MIN_SECONDS", 2)
    petition = make_petition(state="open", title="Саябақтарды сақтау туралы өтініш")
    make_user("signer@example.kz")
    login(client, "signer@example.kz")
    client.language = "en"
    page = client.get(f"/petitions/{petition.id}")
    data = {"csrf_token": csrf_token(client, f"/petitions/{petition.id}"), "shown_at": shown_at(page), "notify": "y"}
    fast = client.post(f"/petitions/{petition.id}/sign", data=data)
    assert fast.status_code == 422 and translated(TOO_FAST_MESSAGE, "en") in page_text(fast)
    clock.advance(seconds=3)
    trap = client.post(f"/petitions/{petition.id}/sign", data={**data, "website": "x"})
    assert trap.status_code == 422 and translated(HONEYPOT_MESSAGE, "en") in page_text(trap)
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 0
    assert client.post(f"/petitions/{petition.id}/sign", data=data).status_code == 302


def test_a_form_shown_more_than_a_day_ago_is_refused_and_renewed(app, client, clock, monkeypatch):
    from app.fraud.bot_signals import STALE_MESSAGE

    monkeypatch.setitem(app.config, "REGISTER_MIN_SECONDS", 4)
    data = {"csrf_token": csrf_token(client, "/register"), **form(), "shown_at": shown_at(client.get("/register"))}
    clock.advance(hours=25)
    data["csrf_token"] = csrf_token(client, "/register")  # the CSRF token has its own, shorter, life
    stale = client.post("/register", data=data)
    assert stale.status_code == 422 and translated(STALE_MESSAGE, "kk") in page_text(stale)
    clock.advance(seconds=5)
    assert client.post("/register", data={**data, "shown_at": shown_at(stale)}).status_code == 200


def test_junk_posts_with_someones_address_do_not_use_up_their_registrations(client):
    for _ in range(6):  # refused forms (no IIN): the per-address daily limit is not touched
        assert post(client, "/register", form(iin=""), token_from="/register").status_code == 422
    assert post(client, "/register", form(), token_from="/register").status_code == 200


def test_a_registration_stamp_works_once_and_only_in_the_browser_it_was_shown_to(app, client, clock, monkeypatch):
    """One stamp fetched by a script passed 4 of 4 registrations from 4 addresses (#22)."""
    from app.fraud.bot_signals import USED_MESSAGE
    from tests.support import valid_iin

    monkeypatch.setitem(app.config, "REGISTER_MIN_SECONDS", 4)
    stamp = shown_at(client.get("/register"))
    clock.advance(seconds=5)
    before = users()
    for n in range(3):  # other browsers, each with its own session and CSRF token
        other = app.test_client()
        data = {"csrf_token": csrf_token(other, "/register"), **form(email=f"other{n}@example.kz",
                                                                     iin=valid_iin()), "shown_at": stamp}
        refused = other.post("/register", data=data)
        assert refused.status_code == 422 and translated(USED_MESSAGE, "kk") in page_text(refused)
    assert users() == before
    data = {"csrf_token": csrf_token(client, "/register"), **form(), "shown_at": stamp}
    assert client.post("/register", data=data).status_code == 200 and users() == before + 1
    again = client.post("/register", data={**data, **form(email="second@example.kz", iin=valid_iin())})
    assert again.status_code == 422 and translated(USED_MESSAGE, "kk") in page_text(again)
    assert users() == before + 1
    # The page shown again carries a stamp of its own, which works (once the person has read it).
    clock.advance(seconds=5)
    fresh = shown_at(again)
    assert client.post("/register", data={**data, **form(email="second@example.kz", iin=valid_iin()),
                                          "shown_at": fresh}).status_code == 200
