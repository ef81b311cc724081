"""A citizen's own data (#13, item 4): download everything held (and nothing about
anyone else), move to another region (signatures keep theirs), delete the account
(signatures stay counted and anonymous; the same IIN cannot sign those petitions again)."""

import json

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Petition, Role, Signature, User
from app.petitions import services as petitions
from tests.support import login, make_petition, make_user, page_text, post, settle, valid_iin


@pytest.fixture
def citizen(app):
    iin = valid_iin()
    from app.accounts.identity import provider

    user = make_user("own-data@example.kz", region="KZ-75")
    user.given_name, user.surname, user.patronymic = "Асель", "Бекова", "Нурланқызы"
    user.iin_hmac = provider().claim(iin).person_key
    db.session.commit()
    user.iin = iin  # the number itself, for registering again (never stored)
    return user


def test_the_download_holds_my_rows_and_nobody_elses(app, citizen):
    other = make_user("someone-else@example.kz")
    moderator = make_user("named-moderator@example.kz", roles=(Role.MODERATOR,))
    mine = make_petition(citizen, state="open", title="Менің петициям: саябақтар көбейсін")
    theirs = make_petition(other, state="open", title="Басқа біреудің петициясы туралы")
    petitions.sign(theirs, citizen, show_name=True, notify=True, meta={"ip": "10.1.1.1", "user_agent": "Firefox"})
    petitions.sign(mine, other, show_name=True, notify=True)
    db.session.commit()
    from app.moderation import accounts

    accounts.suspend(moderator, citizen, "Checking a report.")
    accounts.reactivate(moderator, citizen, "Cleared.")
    db.session.commit()
    client = app.test_client()
    login(client, citizen.email)
    response = client.get("/en/account/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "own-data@example.kz" and data["account"]["region"] == "KZ-75"
    assert [s["petition_id"] for s in data["signatures"]] == [theirs.id]
    assert data["signatures"][0]["network_fingerprint"] and data["signatures"][0]["name_shown"] is True
    assert [p["id"] for p in data["petitions"]] == [mine.id]
    assert [a["action"] for a in data["staff_actions_on_this_account"]] == ["user.suspend", "user.reactivate"]
    assert {a["by"] for a in data["staff_actions_on_this_account"]} == {"staff"}
    raw = response.get_data(as_text=True)
    for foreign in ("someone-else@example.kz", "named-moderator@example.kz", other.surname, moderator.surname):
        assert foreign not in raw
    assert citizen.iin not in raw


def test_moving_region_keeps_the_signatures_where_they_were_made(app, citizen, clock):
    petition = make_petition(state="open", title="Өңірлік көлік туралы петиция мәтіні")
    petitions.sign(petition, citizen, show_name=False, notify=False)
    db.session.commit()
    client = app.test_client()
    login(client, citizen.email)
    bad = post(client, "/en/account/region", {"region": "KZ-00"}, token_from="/en/account/region")
    assert bad.status_code == 422 and "Choose your region of residence." in page_text(bad)
    assert post(client, "/en/account/region", {"region": "KZ-11"}, token_from="/en/account/region").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, citizen.id).region.code == "KZ-11"
    assert db.session.scalar(select(Signature).where(Signature.user_id == citizen.id)).region.code == "KZ-75"
    from app.models import AuditEntry

    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.region_change"))
    assert entry.before == {"region": "KZ-75"} and entry.after == {"region": "KZ-11"}
    # Moving on to every region in turn (to sign each one's petitions) is not possible.
    again = post(client, "/en/account/region", {"region": "KZ-19"}, token_from="/en/account/region")
    assert again.status_code == 422 and "the next move is possible from" in page_text(again)
    same = post(client, "/en/account/region", {"region": "KZ-11"}, token_from="/en/account/region")
    assert same.status_code == 422 and "This is your region already." in page_text(same)
    from datetime import timedelta

    clock.advance(timedelta(days=181))
    login(client, citizen.email)
    assert post(client, "/en/account/region", {"region": "KZ-19"}, token_from="/en/account/region").status_code == 302


def test_three_moves_sent_at_once_make_one(app, citizen):
    """The once-in-N-days rule holds under concurrent requests (one guarded statement)."""
    from tests.support import at_once, csrf_token

    browsers = [app.test_client() for _ in range(3)]
    for browser in browsers:
        login(browser, citizen.email)
    tokens = [csrf_token(b, "/en/account/region") for b in browsers]

    def move(i, code):
        return lambda: browsers[i].post("/en/account/region", data={"csrf_token": tokens[i], "region": code}).status_code

    statuses = at_once(app, move(0, "KZ-11"), move(1, "KZ-19"), move(2, "KZ-31"))
    assert sorted(statuses) == [302, 422, 422], statuses
    db.session.expire_all()
    from app.models import AuditEntry

    moves = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.region_change")).all()
    assert len(moves) == 1
    assert db.session.get(User, citizen.id).region.code == moves[0].after["region"] != "KZ-75"


def test_deleting_keeps_the_counts_removes_the_name_and_the_same_iin_cannot_sign_again(app, citizen, mailbox):
    petition = make_petition(state="open", title="Жою сынағы: қол саналып қалады")
    authored = make_petition(citizen, state="open", title="Жойылған автордың петициясы")
    petitions.sign(petition, citizen, show_name=True, notify=True, meta={"ip": "10.2.2.2", "user_agent": "x"})
    db.session.commit()
    settle()
    anonymous = app.test_client()
    assert "Асель Б." in page_text(anonymous.get(f"/en/petitions/{petition.id}"))
    client = app.test_client()
    login(client, citizen.email)
    wrong = post(client, "/en/account/delete", {"password": "not-my-password", "understood": "y"},
                 token_from="/en/account/delete")
    assert wrong.status_code == 422 and "The password is wrong." in page_text(wrong)
    unticked = post(client, "/en/account/delete", {"password": "correct horse battery"},
                    token_from="/en/account/delete")
    assert unticked.status_code == 422 and "Tick the box to confirm." in page_text(unticked)
    assert db.session.get(User, citizen.id).deleted_at is None

    done = post(client, "/en/account/delete", {"password": "correct horse battery", "understood": "y"},
                token_from="/en/account/delete")
    assert done.status_code == 200 and "Your account is deleted" in page_text(done)
    assert client.get("/en/account").status_code == 302  # logged out
    db.session.expire_all()
    gone = db.session.get(User, citizen.id)
    assert gone.given_name == gone.surname == "" and gone.patronymic is None and "own-data" not in gone.email and gone.birth_date is None
    assert gone.iin_hmac == citizen.iin_hmac  # only this is kept
    signature = db.session.scalar(select(Signature).where(Signature.user_id == citizen.id))
    assert signature.valid and not signature.show_name and signature.network_hmac is None
    assert db.session.get(Petition, petition.id).signature_count == 1  # still counted
    for page in (anonymous.get(f"/en/petitions/{petition.id}"), anonymous.get(f"/en/petitions/{authored.id}")):
        assert "Асель" not in page_text(page) and "Бекова" not in page_text(page)
    assert "a former user" in page_text(anonymous.get(f"/en/petitions/{authored.id}"))
    api = anonymous.get(f"/api/v1/petitions/{petition.id}").get_data(as_text=True)
    assert "Асель" not in api
    assert login(app.test_client(), "own-data@example.kz").status_code == 401

    # Registering again with that IIN (anyone may know a number) makes no account and
    # hands nothing back: the address given is told to write to the operator.
    again = app.test_client()
    form = {"given_name": "Асель", "surname": "Бекова", "email": "asel-new@example.kz", "password": "steppe-wind-2026",
            "confirm": "steppe-wind-2026", "region": "KZ-75", "iin": citizen.iin, "consent": "y"}
    assert post(again, "/en/register", form, token_from="/en/register").status_code == 200
    assert db.session.scalar(select(User.id).where(User.email == "asel-new@example.kz")) is None
    [told] = mailbox.to("asel-new@example.kz")
    assert "deleted at its owner's request" in told.get_body(preferencelist=("plain",)).get_content()
    db.session.expire_all()
    assert db.session.get(User, citizen.id).deleted_at is not None
    # No email goes to the deleted account, and those it had are kept without address or text.
    from app.models import OutboxEmail

    assert db.session.scalar(select(OutboxEmail).where(OutboxEmail.to_address == "own-data@example.kz")) is None


def test_staff_cannot_delete_their_account_themselves(app):
    make_user("staff-delete@example.kz", roles=(Role.MODERATOR,))
    client = app.test_client()
    login(client, "staff-delete@example.kz")
    refused = post(client, "/en/account/delete", {"password": "correct horse battery", "understood": "y"},
                   token_from="/en/account/delete")
    assert refused.status_code == 403 and "administrator" in page_text(refused)
    assert db.session.scalar(select(User.deleted_at).where(User.email == "staff-delete@example.kz")) is None


def test_with_a_second_factor_deleting_asks_for_its_code(app):
    user = make_user("two-factor-citizen@example.kz", second_factor=True)
    client = app.test_client()
    login(client, user.email)
    page = client.get("/en/account/delete")
    assert 'name="code"' in page.get_data(as_text=True)
    refused = post(client, "/en/account/delete", {"password": "correct horse battery", "understood": "y",
                                                  "code": "000000"}, token_from="/en/account/delete")
    assert refused.status_code == 422 and "This code is not right" in page_text(refused)
    from tests.support import second_factor_code

    done = post(client, "/en/account/delete", {"password": "correct horse battery", "understood": "y",
                                               "code": second_factor_code(user.email)}, token_from="/en/account/delete")
    assert done.status_code == 200, page_text(done)
    db.session.expire_all()
    assert db.session.get(User, user.id).deleted_at is not None
