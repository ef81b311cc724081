"""Signing in with the state's identity provider, against a real OpenID Connect server the
tests start (tests/oidc_provider.py): a first sign-in makes an account from the claims,
a typed-IIN account is linked only after its password (and code), and every answer that
fails a check is refused with a clear page and nothing written."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import func, select

from app.accounts.identity import provider as identity_provider
from app.extensions import db
from app.models import IdentityLevel, User
from tests.support import make_user, page_text, post, redis_dump, valid_iin


@pytest.fixture(autouse=True)
def _in_english(client):
    client.language = "en"  # the messages below read as an English reader sees them


def go_to_provider(client, start: str = "/login/state"):
    """Press "Sign in with eGov": our redirect, then the provider's answer (it signs the
    person in at once). Returns the callback's path and query as the provider sent it."""
    response = client.get(start)
    assert response.status_code == 302, response.status_code
    authorize = response.headers["Location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"][0] and query["state"][0]
    answer = requests.get(authorize, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    callback = urlsplit(answer.headers["Location"])
    assert callback.path.endswith("/login/state/callback")
    return f"{callback.path}?{callback.query}"


def sign_in(client, start: str = "/login/state"):
    return client.get(go_to_provider(client, start))


def users() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(User))


def finish(client, **fields):
    data = {"email": "aigerim@example.kz", "region": "KZ-75", "consent": "y", **fields}
    return post(client, "/login/state/finish", data, token_from="/login/state/finish")


def test_first_sign_in_makes_a_confirmed_account_from_the_claims(client, oidc, mailbox):
    before = users()
    response = sign_in(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/state/finish")
    assert users() == before  # nothing is made until the person finishes
    page = client.get("/login/state/finish")
    text = page_text(page)
    assert page.status_code == 200
    assert "Сапарова Айгерім Қайратқызы" in text and oidc.person["iin"] not in page.get_data(as_text=True)
    assert 'value="aigerim@example.kz"' in page.get_data(as_text=True)

    response = finish(client)
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "aigerim@example.kz"))
    assert user.identity_level is IdentityLevel.STATE_IDP and user.identity_verified_at is not None
    assert (user.given_name, user.surname, user.patronymic) == ("Айгерім", "Сапарова", "Қайратқызы")
    assert user.birth_date == date(1990, 5, 17) and not user.has_password
    assert user.iin_hmac == identity_provider().claim(oidc.person["iin"]).person_key
    account = client.get("/account")
    assert account.status_code == 200  # logged in
    assert "eGov" in page_text(account)
    assert user.is_verified and not mailbox.to("aigerim@example.kz"), "the provider confirmed the address"

    # The next sign-in logs straight in to the same account.
    post(client, "/logout")
    response = sign_in(client)
    assert response.status_code == 302 and "/account" in response.headers["Location"]
    assert users() == before + 1


def test_the_finish_page_refuses_bad_input_and_keeps_nothing(client, oidc):
    sign_in(client)
    before = users()
    for fields, expected in (({"email": "not-an-address"}, 422), ({"region": "KZ-00"}, 422),
                             ({"consent": ""}, 422)):
        response = finish(client, **fields)
        assert response.status_code == expected, fields
    make_user("taken@example.kz")
    response = finish(client, email="Taken@example.kz")
    assert response.status_code == 422 and "cannot be used" in page_text(response)
    assert users() == before + 1  # only the one made above


def test_finishing_without_a_sign_in_is_refused(client, oidc):
    response = client.get("/login/state/finish")
    assert response.status_code == 400 and "ran out" in page_text(response)


def test_a_typed_iin_account_is_linked_only_after_its_password(client, oidc):
    owner = make_user("owner@example.kz", iin=oidc.person["iin"])
    before = users()
    response = sign_in(client, "/login/state?next=/kk/petitions")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    db.session.refresh(owner)
    assert owner.identity_level is IdentityLevel.SELF_DECLARED  # not before the password

    wrong = post(client, "/login?next=/kk/petitions", {"email": "owner@example.kz", "password": "wrong wrong wrong"},
                 token_from="/login")
    assert wrong.status_code == 401
    db.session.refresh(owner)
    assert owner.identity_level is IdentityLevel.SELF_DECLARED

    right = post(client, "/login?next=/kk/petitions", {"email": "owner@example.kz",
                                                      "password": "correct horse battery"}, token_from="/login")
    assert right.status_code == 302 and right.headers["Location"].endswith("/kk/petitions")
    db.session.refresh(owner)
    assert owner.identity_level is IdentityLevel.STATE_IDP
    assert (owner.given_name, owner.surname) == ("Айгерім", "Сапарова")
    assert users() == before


def test_another_account_s_password_links_nothing(client, oidc):
    make_user("owner@example.kz", iin=oidc.person["iin"])
    other = make_user("other@example.kz")
    sign_in(client)
    response = post(client, "/login", {"email": "other@example.kz", "password": "correct horse battery"},
                    token_from="/login")
    assert response.status_code == 302
    db.session.refresh(other)
    assert other.identity_level is IdentityLevel.SELF_DECLARED
    assert "another IIN" in page_text(client.get("/account"))


def test_with_a_second_factor_the_link_waits_for_the_code(client, oidc):
    from tests.support import second_factor_code

    owner = make_user("staff@example.kz", iin=oidc.person["iin"], second_factor=True)
    sign_in(client)
    response = post(client, "/login", {"email": "staff@example.kz", "password": "correct horse battery"},
                    token_from="/login")
    assert "/login/code" in response.headers["Location"]
    db.session.refresh(owner)
    assert owner.identity_level is IdentityLevel.SELF_DECLARED
    post(client, "/login/code", {"code": second_factor_code("staff@example.kz")}, token_from="/login/code")
    db.session.refresh(owner)
    assert owner.identity_level is IdentityLevel.STATE_IDP


def test_a_confirmed_name_is_not_changed_by_hand(client, oidc):
    sign_in(client)
    finish(client)
    response = post(client, "/account/name", {"given_name": "Other", "surname": "Name"}, token_from="/account/name")
    assert response.status_code == 403 and "cannot be changed" in page_text(response)
    user = db.session.scalar(select(User).where(User.email == "aigerim@example.kz"))
    assert user.given_name == "Айгерім"


BROKEN = {
    "wrong issuer": ({"issuer": "https://idp.example.invalid"}, "did not pass our checks"),
    "wrong audience": ({"audience": "another-client"}, "did not pass our checks"),
    "expired": ({"lifetime": -600}, "did not pass our checks"),
    "foreign key": ({"foreign_key": True}, "did not pass our checks"),
    "tampered": ({"tamper": True}, "did not pass our checks"),
    "wrong nonce": ({"wrong_nonce": True}, "did not pass our checks"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_an_answer_that_fails_a_check_is_refused(client, oidc, case):
    knobs, message = BROKEN[case]
    for name, value in knobs.items():
        setattr(oidc.knobs, name, value)
    before = users()
    response = sign_in(client)
    assert response.status_code == 400 and message in page_text(response)
    assert users() == before
    assert client.get("/login/state/finish").status_code == 400  # nothing kept for later either


@pytest.mark.parametrize(("claims", "message"), [
    ({"iin": None}, "did not give us your IIN"),
    ({"iin": "123456789012"}, "not valid"),
    ({"given_name": None}, "did not give us your name"),
])
def test_an_answer_without_what_an_account_needs_is_refused(client, oidc, claims, message):
    for name, value in claims.items():
        if value is None:
            oidc.person.pop(name)
        else:
            oidc.person[name] = value
    before = users()
    response = sign_in(client)
    assert response.status_code == 400 and message in page_text(response)
    assert users() == before


def test_a_minor_is_refused(client, oidc, clock):
    clock.set("2026-12-03T09:00:00+05:00")
    oidc.person["iin"] = valid_iin(date(2010, 1, 1))
    response = sign_in(client)
    assert response.status_code == 403 and "at least" in page_text(response)


def test_a_replayed_answer_is_refused(client, oidc):
    callback = go_to_provider(client)
    assert client.get(callback).status_code == 302
    before = users()
    again = client.get(callback)  # the same code and state, once more
    assert again.status_code == 400 and "used already" in page_text(again)
    assert users() == before


def test_a_code_the_provider_accepts_twice_is_still_used_once(client, oidc):
    oidc.knobs.reuse_codes = True
    callback = go_to_provider(client)
    client.get(callback)
    # Another browser (no state of its own) replays the provider's answer.
    stranger = client.application.test_client()
    stranger.language = "en"
    response = stranger.get(callback)
    assert response.status_code == 400 and oidc.codes_exchanged == 1


def test_the_person_saying_no_is_a_clear_page(client, oidc):
    oidc.person = {}
    response = sign_in(client)
    assert response.status_code == 400 and "did not finish signing in" in page_text(response)


def test_a_provider_that_does_not_answer(client, oidc, monkeypatch, app):
    from tests.support import free_port

    monkeypatch.setitem(app.config, "OIDC_DISCOVERY_URL", f"http://127.0.0.1:{free_port()}/.well-known/openid-configuration")
    response = client.get("/login/state")
    assert response.status_code == 503 and "not answering" in page_text(response)


def test_off_without_a_provider(client):
    assert client.get("/login/state").status_code == 404
    assert "Sign in with" not in page_text(client.get("/login"))


def test_the_log_in_page_offers_it(client, oidc):
    assert "Sign in with eGov" in page_text(client.get("/login"))


def test_deleted_and_suspended_accounts(client, oidc):
    from app.core import clock as app_clock

    user = make_user("gone@example.kz", iin=oidc.person["iin"])
    user.suspended_at, user.suspension_reason = app_clock.now(), "Spam."
    db.session.commit()
    response = sign_in(client)
    assert response.status_code == 403 and "suspended" in page_text(response)
    user.suspended_at, user.deleted_at = None, app_clock.now()
    db.session.commit()
    response = sign_in(client)
    assert response.status_code == 403 and "deleted" in page_text(response)


def test_no_raw_iin_after_the_journey(app, client, oidc, caplog):
    """The database, Redis, the logs and the session (a cookie the browser keeps) hold no
    raw IIN after a first sign-in and after linking a typed-IIN account."""
    import logging

    from app.core import redis_client
    from tests.accounts.test_no_raw_iin import database_dump

    first, linked = oidc.person["iin"], valid_iin(date(1975, 3, 3))
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)
    try:
        sign_in(client)
        with client.session_transaction() as kept:
            session_between = repr(dict(kept))
        assert "person_key" in session_between  # what the finish page reads, hashed
        finish(client)
        make_user("linked@example.kz", iin=linked)
        oidc.person["iin"] = linked
        stranger = app.test_client()
        stranger.language = "en"
        sign_in(stranger)
        with stranger.session_transaction() as kept:
            session_between += repr(dict(kept))
        post(stranger, "/login", {"email": "linked@example.kz", "password": "correct horse battery"},
             token_from="/login")
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    db.session.commit()
    dump, memory = database_dump(app), redis_dump(redis_client.connection(app))
    assert "aigerim@example.kz" in dump and "linked@example.kz" in dump
    for iin in (first, linked):
        for where, text in (("database", dump), ("redis", memory), ("logs", caplog.text),
                            ("session", session_between)):
            assert iin not in text, where


def test_with_self_declared_identity_off_registration_goes_through_the_provider(app, client, oidc, monkeypatch):
    monkeypatch.setitem(app.config, "SELF_DECLARED_IDENTITY", False)
    page = client.get("/register")
    assert page.status_code == 200 and "Sign in with eGov" in page_text(page) and 'name="iin"' not in page_text(page)
    before = users()
    typed = post(client, "/register", {"given_name": "Typed", "surname": "Person", "email": "typed@example.kz",
                                       "password": "steppe-wind-2026", "confirm": "steppe-wind-2026",
                                       "region": "KZ-71", "iin": valid_iin(), "consent": "y"})
    assert typed.status_code == 403 and users() == before
    sign_in(client)
    assert finish(client).status_code == 302 and users() == before + 1


def test_another_address_than_the_provider_s_is_confirmed_by_a_link(client, oidc, mailbox):
    sign_in(client)
    assert finish(client, email="other@example.kz").status_code == 302
    user = db.session.scalar(select(User).where(User.email == "other@example.kz"))
    assert not user.is_verified and mailbox.to("other@example.kz")
    oidc.person["email_verified"] = False
    post(client, "/logout")
    db.session.delete(user)
    db.session.commit()
    sign_in(client)
    finish(client)
    assert not db.session.scalar(select(User).where(User.email == "aigerim@example.kz")).is_verified


def test_someone_else_logged_in_on_this_browser_is_left_alone(client, oidc):
    make_user("owner@example.kz", iin=oidc.person["iin"])
    make_user("other@example.kz")
    post(client, "/login", {"email": "other@example.kz", "password": "correct horse battery"}, token_from="/login")
    response = sign_in(client)
    assert response.status_code == 403 and "another IIN" in page_text(response)


def test_no_password_by_email_for_an_unconfirmed_address(client, oidc, mailbox):
    oidc.person["email_verified"] = False
    sign_in(client)
    finish(client)
    post(client, "/logout")
    before = len(mailbox.to("aigerim@example.kz"))
    post(client, "/reset", {"email": "aigerim@example.kz"}, token_from="/reset")
    assert len(mailbox.to("aigerim@example.kz")) == before  # the confirmation link only
