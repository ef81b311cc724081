"""Account refusals through the request's unit of work: a refusal leaves nothing of its
request behind, except what must survive it (a wrong code counted); every refusal the
accounts domain raises has its message in the one table, which states the settings."""

from datetime import date, timedelta

import pyotp
import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.accounts import own_data
from app.accounts.iin import IINError, InvalidIIN
from app.accounts.own_data import OwnDataError
from app.accounts.services import AccountError
from app.accounts.tokens import TokenError
from app.accounts.two_factor import SecondFactorError
from app.core import clock as app_clock
from app.core.refusals import Refusal
from app.extensions import db
from app.models import AuditEntry, User
from tests.support import make_user, page_text, post


def reload(user):
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_a_refusal_after_a_partial_write_leaves_nothing_behind(app, client, auth, monkeypatch):
    user = make_user("mover@example.kz", region="KZ-75")
    assert auth.login("mover@example.kz").status_code == 302
    moved = own_data.change_region

    def moves_then_refuses(person, code):
        moved(person, code)  # the move and its audit entry, flushed
        raise OwnDataError("too_soon", "region", allowed_from=date(2031, 1, 1))

    monkeypatch.setattr(own_data, "change_region", moves_then_refuses)
    response = post(client, "/en/account/region", {"region": "KZ-11"}, token_from="/en/account/region")
    assert response.status_code == 422
    assert "the next move is possible from January 1, 2031" in page_text(response)
    assert reload(user).region.code == "KZ-75" and reload(user).region_changed_at is None
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "user.region_change")) == 0


def test_a_wrong_second_factor_code_is_still_counted_after_the_401(app, client, clock):
    user = make_user("careful@example.kz", second_factor=True)
    first = post(client, "/en/login", {"email": "careful@example.kz", "password": "correct horse battery"},
                 token_from="/en/login")
    assert first.status_code == 302 and "/login/code" in first.headers["Location"]
    totp, now = pyotp.TOTP(user.totp_secret), app_clock.now()
    accepted = {totp.at(now + timedelta(seconds=s)) for s in (-30, 0, 30)}
    wrong = next(c for c in ("000000", "111111", "222222", "333333") if c not in accepted)
    response = post(client, "/en/login/code", {"code": wrong}, token_from="/en/login/code")
    assert response.status_code == 401
    assert "This code is not right, or it was used already." in page_text(response)
    counted = reload(user)
    assert counted.second_factor_failures == 1 and counted.second_factor_failed_at is not None


REFUSALS = [
    *[InvalidIIN(reason) for reason in IINError],
    *[AccountError(code, "iin") for code in ("born_1800s", "under_age")],
    AccountError("unknown", "region"),
    AccountError("login_wrong", "password", status=401),
    AccountError("login_blocked", "password", status=429),
    AccountError("suspended", "password", status=403, reason="Spam."),
    AccountError("used", "token", status=400),
    AccountError("wrong", "current_password"),
    AccountError("wrong", "password"),
    AccountError("same", "email"),
    AccountError("taken", "email", status=400),
    TokenError(expired=True),
    TokenError(expired=False),
    *[SecondFactorError(field) for field in ("code", "password", "locked")],
    OwnDataError("unknown", "region"),
    OwnDataError("same", "region"),
    OwnDataError("too_soon", "region", allowed_from=date(2031, 1, 1)),
    OwnDataError("staff", status=403),
    OwnDataError("wrong_password", "password"),
    OwnDataError("wrong_code", "code"),
]


@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda r: f"{type(r).__name__}-{r}")
@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_every_account_refusal_has_its_message(app, refusal, language):
    assert isinstance(refusal, Refusal)
    with app.test_request_context(), force_locale(language):
        assert refusal.message().strip()


def test_the_messages_state_the_settings(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_FAILURE_WINDOW_SECONDS", 30 * 60)
    monkeypatch.setitem(app.config, "MIN_AGE_YEARS", 16)
    with app.test_request_context(), force_locale("en"):
        assert "Wait 30 minutes, then log in again" in SecondFactorError("locked").message()
        assert "Wait 30 minutes, or set a new password" in AccountError("login_blocked", "password").message()
        assert "at least 16 years old" in AccountError("under_age", "iin").message()
    monkeypatch.setitem(app.config, "LOGIN_FAILURE_WINDOW_SECONDS", 60)
    with app.test_request_context(), force_locale("en"):
        assert "Wait 1 minute, then" in SecondFactorError("locked").message()
