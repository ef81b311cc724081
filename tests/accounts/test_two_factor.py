"""The second factor: enrolment with a QR code, codes at log-in, replay, recovery codes."""

import re

import pyotp
import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock as app_clock
from app.extensions import db
from app.models import AuditEntry, Role, User
from tests.support import login, make_user, page_text, post, second_factor_code, translated

WRONG = _l("This code is not right, or it was used already. Try the next one.")


def reload(user):
    db.session.expire_all()
    return db.session.get(User, user.id)


def enrol(client):
    """Turn the second factor on as a person with a phone would; returns (secret, codes)."""
    page = client.get("/account/two-factor")
    assert page.status_code == 200
    secret = re.search(r'class="secret">([A-Z2-7]+)<', page.get_data(as_text=True)).group(1)
    qr = client.get("/account/two-factor/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    code = pyotp.TOTP(secret).at(app_clock.now())
    response = post(client, "/account/two-factor", {"action": "enable", "enable-code": code},
                    token_from="/account/two-factor")
    assert response.status_code == 200
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", response.get_data(as_text=True))
    return secret, codes


@pytest.fixture
def moderator(app):
    return make_user("new.mod@example.kz", roles=(Role.MODERATOR,), second_factor=False)


def test_a_new_moderator_is_sent_to_enrol_and_then_reaches_the_queue(app, client, moderator, clock):
    login(client, "new.mod@example.kz")
    response = client.get("/moderation/")
    assert response.status_code == 302 and "/account/two-factor?next=" in response.headers["Location"]
    page = client.get(response.headers["Location"])
    assert translated(_l("Staff pages open only with a second factor. Turn it on to continue."), "kk") \
        in page_text(page)
    wrong = post(client, "/account/two-factor", {"action": "enable", "enable-code": "123456"},
                 token_from="/account/two-factor")
    assert wrong.status_code == 422 and translated(WRONG, "kk") in page_text(wrong)
    assert not reload(moderator).has_second_factor
    secret, codes = enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    user = reload(moderator)
    assert user.has_second_factor and user.totp_secret == secret
    assert client.get("/moderation/").status_code == 200  # this session passed just now
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.second_factor_on"))
    # No code is kept in clear: only hashes.
    from app.models import RecoveryCode

    stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and all(c.encode() not in stored for c in codes)


def test_log_in_asks_for_the_code_and_a_code_works_once(app, client, moderator, clock):
    login(client, "new.mod@example.kz")
    secret, _ = enrol(client)
    post(client, "/logout")
    response = post(client, "/login", {"email": "new.mod@example.kz", "password": "correct horse battery"},
                    token_from="/login")
    assert response.headers["Location"].endswith("/login/code")
    # The password alone opens nothing.
    assert client.get("/moderation/").status_code == 302
    assert client.get("/account").status_code == 302
    code = pyotp.TOTP(secret).at(app_clock.now())
    # The code used at enrolment, in the same 30 seconds, is spent.
    replay = post(client, "/login/code", {"code": code}, token_from="/login/code")
    assert replay.status_code == 401
    clock.advance(seconds=30)
    code = pyotp.TOTP(secret).at(app_clock.now())
    ok = post(client, "/login/code", {"code": f" {code[:3]} {code[3:]} "}, token_from="/login/code")
    assert ok.status_code == 302
    assert client.get("/moderation/").status_code == 200


def test_a_recovery_code_logs_in_once(app, client, moderator):
    login(client, "new.mod@example.kz")
    _, codes = enrol(client)
    post(client, "/logout")
    for attempt in range(2):
        browser = app.test_client()
        post(browser, "/login", {"email": "new.mod@example.kz", "password": "correct horse battery"},
             token_from="/login")
        response = post(browser, "/login/code", {"code": codes[0].upper()}, token_from="/login/code")
        assert response.status_code == (302 if attempt == 0 else 401)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.recovery_code_used"))


def test_the_code_step_expires(app, client, moderator, clock):
    login(client, "new.mod@example.kz")
    secret, _ = enrol(client)
    post(client, "/logout")
    post(client, "/login", {"email": "new.mod@example.kz", "password": "correct horse battery"}, token_from="/login")
    clock.advance(seconds=app.config["TWO_FACTOR_PENDING_SECONDS"] + 1)
    response = post(client, "/login/code", {"code": pyotp.TOTP(secret).at(app_clock.now())}, token_from="/login")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "x" * 30, "١٢٣٤٥٦"])
def test_bad_codes_are_refused_clearly(app, client, code):
    make_user("mod@example.kz", roles=(Role.MODERATOR,))
    post(client, "/login", {"email": "mod@example.kz", "password": "correct horse battery"}, token_from="/login")
    response = post(client, "/login/code", {"code": code}, token_from="/login/code")
    assert response.status_code in (401, 422)
    assert client.get("/account").status_code == 302


def test_staff_cannot_turn_it_off_but_a_citizen_can(app, client):
    make_user("mod@example.kz", roles=(Role.MODERATOR,))
    login(client, "mod@example.kz")
    data = {"action": "disable", "off-reauth_password": "correct horse battery",
            "off-reauth_code": second_factor_code("mod@example.kz")}
    assert post(client, "/account/two-factor", data, token_from="/account/two-factor").status_code == 400

    citizen = make_user("careful@example.kz")
    browser = app.test_client()
    login(browser, "careful@example.kz")
    enrol(browser)
    wrong = post(browser, "/account/two-factor", {"action": "disable", "off-reauth_password": "nope-nope-1",
                                                  "off-reauth_code": "000000"}, token_from="/account/two-factor")
    assert wrong.status_code == 422 and reload(citizen).has_second_factor
    data = {"action": "disable", "off-reauth_password": "correct horse battery",
            "off-reauth_code": second_factor_code("careful@example.kz")}
    assert post(browser, "/account/two-factor", data, token_from="/account/two-factor").status_code == 302
    assert not reload(citizen).has_second_factor


def test_renewing_recovery_codes_replaces_the_old_ones(app, client):
    make_user("mod@example.kz", roles=(Role.MODERATOR,))
    login(client, "mod@example.kz")
    page = post(client, "/account/two-factor", {"action": "renew", "code-code": second_factor_code("mod@example.kz")},
                token_from="/account/two-factor")
    assert page.status_code == 200
    new = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", page.get_data(as_text=True))
    assert len(new) == 10
    browser = app.test_client()
    post(browser, "/login", {"email": "mod@example.kz", "password": "correct horse battery"}, token_from="/login")
    assert post(browser, "/login/code", {"code": new[3]}, token_from="/login/code").status_code == 302


def test_enrolment_qr_is_only_for_the_session_enrolling(app, client):
    assert client.get("/account/two-factor/qr.svg").status_code == 302  # log in first
    make_user("mod@example.kz", roles=(Role.MODERATOR,))
    login(client, "mod@example.kz")
    assert client.get("/account/two-factor/qr.svg").status_code == 404  # already on: no secret shown again


def codes_on(response) -> list[str]:
    return re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", response.get_data(as_text=True))


def test_a_double_clicked_enrolment_shows_one_set_of_codes_and_they_work(app, client, moderator):
    """The same enrolment sent three times (at once, then again): one enrolment, one
    audit entry, and every answer shows the codes that work."""
    from tests.support import at_once, csrf_token

    login(client, "new.mod@example.kz")
    page = client.get("/account/two-factor")
    secret = re.search(r'class="secret">([A-Z2-7]+)<', page.get_data(as_text=True)).group(1)
    token = csrf_token(client, "/account/two-factor")
    code = pyotp.TOTP(secret).at(app_clock.now())

    # Two more browsers' worth of the same cookies: a double click sends one cookie twice.
    twins = [app.test_client() for _ in range(2)]
    for twin in twins:
        for name in (app.config["SESSION_COOKIE_NAME"], app.config["REMEMBER_COOKIE_NAME"]):
            cookie = client.get_cookie(name)
            if cookie is not None:
                twin.set_cookie(name, cookie.value)

    def submit(browser=client):
        return browser.post("/account/two-factor", data={"csrf_token": token, "action": "enable", "enable-code": code})

    answers = [*at_once(app, lambda: submit(twins[0]), lambda: submit(twins[1])), submit()]
    assert [a.status_code for a in answers] == [200, 200, 200]
    shown = [codes_on(a) for a in answers]
    assert len(shown[0]) == 10 and shown[0] == shown[1] == shown[2]
    assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.second_factor_on")).all()) == 1
    browser = app.test_client()
    post(browser, "/login", {"email": "new.mod@example.kz", "password": "correct horse battery"}, token_from="/login")
    assert post(browser, "/login/code", {"code": shown[2][7]}, token_from="/login/code").status_code == 302
    # Once the page is opened again, the enrolment is over: sending it again is a stale form.
    assert client.get("/account/two-factor").status_code == 200
    assert submit().status_code == 400



def test_a_stolen_session_guessing_at_turn_off_cannot_lock_the_owner_out_of_logging_in(app, clock):
    """Wrong answers to "prove it is you" count apart from the log-in's wrong codes."""
    citizen = make_user("careful@example.kz")
    thief = app.test_client()
    login(thief, "careful@example.kz")
    enrol(thief)
    clock.advance(seconds=31)  # the enrolment's code is spent; the next one is fresh
    for _ in range(app.config["TWO_FACTOR_MAX_FAILURES"]):
        wrong = post(thief, "/account/two-factor", {"action": "disable", "off-reauth_password": "nope-nope-1",
                                                    "off-reauth_code": "000000"}, token_from="/account/two-factor")
        assert wrong.status_code == 422
    # The form is closed to the thief now, even with right answers (they may have the password) ...
    right = {"action": "disable", "off-reauth_password": "correct horse battery",
             "off-reauth_code": second_factor_code("careful@example.kz")}
    assert post(thief, "/account/two-factor", right, token_from="/account/two-factor").status_code == 422
    assert reload(citizen).has_second_factor
    # ... but the owner logs in as ever: password, then a code.
    owner = app.test_client()
    step = post(owner, "/login", {"email": "careful@example.kz", "password": "correct horse battery"},
                token_from="/login")
    assert step.headers["Location"].endswith("/login/code")
    clock.advance(seconds=31)
    done = post(owner, "/login/code", {"code": second_factor_code("careful@example.kz")}, token_from="/login/code")
    assert done.status_code == 302 and not done.headers["Location"].endswith("/login")
