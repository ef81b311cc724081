"""Registration and email verification, as a new user tries them."""

from datetime import date, timedelta

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.accounts.messages import ERRORS
from app.core import clock as app_clock
from app.extensions import db
from app.models import User
from tests.support import (
    CSRF_RE,
    csrf_token,
    link_in,
    make_user,
    page_text,
    post,
    text_part,
    translated,
    valid_iin,
)


def form(**overrides):
    data = {
        "surname": "Серікова",
        "given_name": "Айгерім",
        "email": "aigerim@example.kz",
        "password": "steppe-wind-2026",
        "confirm": "steppe-wind-2026",
        "region": "KZ-75",
        "iin": valid_iin(date(1995, 3, 8), male=False),
        "consent": "y",
    }
    data.update(overrides)
    return data


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_register_page_is_kazakh_by_default(client):
    response = client.get("/register")
    assert response.status_code == 200
    text = page_text(response)
    assert "Тіркелу" in text
    assert "Алматы" in text  # regions listed in Kazakh
    assert '<html lang="kk">' in response.get_data(as_text=True)


def registered(response) -> None:
    """The answer to every well-formed registration, new account or not."""
    assert response.status_code == 200
    assert translated(_l("Check your email"), "kk") in page_text(response)


def test_register_verify_and_log_in(client, mailbox, auth):
    response = post(client, "/register", form(), token_from="/register")
    registered(response)
    assert "aigerim@example.kz" in page_text(response)
    assert client.get("/account").status_code == 302  # not logged in before confirming

    user = db.session.scalar(select(User).where(User.email == "aigerim@example.kz"))
    assert user is not None and not user.is_verified
    assert user.birth_date == date(1995, 3, 8)
    assert user.region.code == "KZ-75"
    assert len(user.iin_hmac) == 32

    [message] = mailbox.to("aigerim@example.kz")
    assert message["Subject"] == "Dauys үшін электрондық поштаңызды растаңыз"
    assert message.get_body(preferencelist=("html",)) is not None
    link = link_in(message, "/verify/")

    # Opening the link (as a mail scanner would) changes nothing; the token leaves the
    # address at once (into the session), so no later request or Referer carries it.
    opened = client.get(link)
    assert opened.status_code == 302 and opened.headers["Location"] == "/kk/verify/confirm"
    page = client.get("/verify/confirm")
    assert page.status_code == 200
    assert "Электрондық поштамды растау" in page_text(page)
    db.session.expire_all()
    assert not db.session.get(User, user.id).is_verified

    confirmed = post(client, "/verify/confirm", token_from="/verify/confirm")
    assert confirmed.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).is_verified

    # The link is spent.
    again = client.get(link, follow_redirects=True)
    assert again.status_code == 400
    assert translated(ERRORS[("token", "used")], "kk") in page_text(again)

    assert client.get("/account").status_code == 302
    assert auth.login("aigerim@example.kz", "steppe-wind-2026").status_code == 302
    assert "aigerim@example.kz" in page_text(client.get("/account"))


def _expect_refused(client, data, field_message, language="kk", status=422):
    before = user_count()
    response = post(client, "/register", data, token_from="/register")
    assert response.status_code == status
    assert translated(field_message, language) in page_text(response)
    db.session.rollback()
    assert user_count() == before
    return response


def test_wrong_check_digit(client):
    iin = valid_iin()
    bad = iin[:11] + str((int(iin[11]) + 1) % 10)
    _expect_refused(client, form(iin=bad), ERRORS[("iin", "checksum")])


def test_impossible_birth_date(client):
    _expect_refused(client, form(iin="900231300011"), ERRORS[("iin", "date")])


def eighteenth_birthday_today(today: date) -> date:
    """The birth date of someone who turns 18 today (born on 29 February: the 28th,
    whose 18th birthday in a leap year is yesterday, so they are 18 as well)."""
    try:
        return today.replace(year=today.year - 18)
    except ValueError:
        return date(today.year - 18, 2, 28)


# Today in Almaty, not in UTC: 23:30 on 31 December is already next year there.
AGE_DAYS = ["2026-11-23T12:00+05:00", "2028-02-29T12:00+05:00", "2026-12-31T19:30+00:00", "2027-03-01T00:10+05:00"]


@pytest.mark.parametrize("now", AGE_DAYS)
def test_under_eighteen(client, clock, now):
    clock.set(now)
    born = eighteenth_birthday_today(app_clock.today()) + timedelta(days=1)
    _expect_refused(client, form(iin=valid_iin(born)),
                    _l("You must be at least %(age)d years old to register.", age=18))


@pytest.mark.parametrize("now", AGE_DAYS)
def test_exactly_eighteen_today_is_allowed(client, clock, now):
    clock.set(now)
    born = eighteenth_birthday_today(app_clock.today())
    before = user_count()
    registered(post(client, "/register", form(iin=valid_iin(born)), token_from="/register"))
    assert user_count() == before + 1


def test_eighteen_in_almaty_though_not_yet_in_utc(client, clock):
    clock.set("2026-12-31T20:30+00:00")  # 01:30 on 1 January 2027 in Almaty
    before = user_count()
    registered(post(client, "/register", form(iin=valid_iin(date(2009, 1, 1))), token_from="/register"))
    assert user_count() == before + 1


def _body_without_csrf(response) -> str:
    return CSRF_RE.sub("", response.get_data(as_text=True))


def test_registration_reveals_nothing_about_who_is_registered(app, mailbox):
    """A taken IIN, a taken email and a fresh registration get byte-for-byte the same
    page (apart from the CSRF token); what happened is told by email."""
    owner = make_user("owner@example.kz", language="ru")
    owner_iin = valid_iin(date(1980, 1, 2))
    from app.accounts.identity import provider

    owner.iin_hmac = provider().claim(owner_iin).person_key
    db.session.commit()

    def attempt(**overrides):
        return post(app.test_client(), "/register", form(**overrides), token_from="/register")

    fresh = attempt(email="new@example.kz")
    taken_iin = attempt(email="new2@example.kz", iin=owner_iin)
    taken_email = attempt(email="new@example.kz")
    taken_email_other_spelling = attempt(email=" NEW@Example.KZ ")
    assert {r.status_code for r in (fresh, taken_iin, taken_email, taken_email_other_spelling)} == {200}
    assert _body_without_csrf(taken_iin).replace("new2@", "new@") == _body_without_csrf(fresh)
    assert _body_without_csrf(taken_email) == _body_without_csrf(fresh)
    assert _body_without_csrf(taken_email_other_spelling) == _body_without_csrf(fresh)
    assert user_count() == 2  # the owner and the one fresh account

    # The fresh account got its confirmation link; the address given with a taken IIN is
    # told an account exists (without saying whose); the owners are told someone tried.
    [verify, tried_email, tried_again] = mailbox.to("new@example.kz")
    assert "/verify/" in text_part(verify)
    assert "this email address" in text_part(tried_email) or "электрондық" in text_part(tried_email)
    [iin_taken] = mailbox.to("new2@example.kz")
    assert "owner@example.kz" not in text_part(iin_taken)
    assert "/reset" in text_part(iin_taken)
    [owner_told] = mailbox.to("owner@example.kz")
    assert owner_told["Subject"] == translated(_l("Someone tried to register with your details"), "ru")


def test_an_unconfirmed_email_change_reserves_nothing(client, mailbox, auth):
    """Someone asking to move their account to your address (and never confirming) does
    not stop you registering with it; their link then fails."""
    squatter = make_user("squatter@example.kz")
    auth.login("squatter@example.kz")
    post(client, "/account/email", {"email": "aigerim@example.kz", "password": "correct horse battery"})
    auth.logout()
    before = user_count()
    registered(post(client, "/register", form(), token_from="/register"))
    assert user_count() == before + 1
    link = link_in(mailbox.to("aigerim@example.kz")[0], "/account/email/confirm/")
    auth.login("squatter@example.kz")
    client.get(link)
    response = post(client, "/account/email/confirm", token_from="/account/email/confirm")
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, squatter.id).email == "squatter@example.kz"


def test_an_internationalised_domain_written_two_ways_is_one_mailbox(app, mailbox):
    before = user_count()
    registered(post(app.test_client(), "/register", form(email="aigerim@қазақстан.kz"), token_from="/register"))
    registered(post(app.test_client(), "/register",
                    form(email="Aigerim@XN--80AAA0A6AWH12ED.kz", iin=valid_iin(date(1991, 2, 3))),
                    token_from="/register"))
    assert user_count() == before + 1
    assert db.session.scalar(select(User.email).where(User.id == db.session.scalar(select(func.max(User.id))))) \
        == "aigerim@xn--80aaa0a6awh12ed.kz"


@pytest.mark.parametrize("second", ["aigerim.s+2@gmail.com", "AigerimS+petitions@googlemail.com", "a.i.g.e.r.i.m.s@gmail.com",
                                    "aigerims@gmail.com", "ａｉｇｅｒｉｍｓ@gmail.com"])
def test_one_mailbox_holds_one_account_whatever_its_spelling(app, mailbox, second):
    """name+2@ (and dots, the provider's other domain, full-width letters) of an existing
    name@ at a provider that delivers them there: no second account, and the page is the
    one a fresh registration gets; the mailbox's owner is told someone tried."""
    first = post(app.test_client(), "/register", form(email="aigerims@gmail.com"), token_from="/register")
    registered(first)
    before = user_count()
    again = post(app.test_client(), "/register", form(email=second, iin=valid_iin(date(1991, 2, 3))),
                 token_from="/register")
    assert again.status_code == 200 and user_count() == before
    from app.core.mailboxes import normalize_email

    assert _body_without_csrf(again).replace(normalize_email(second), "ADDRESS") == \
        _body_without_csrf(first).replace("aigerims@gmail.com", "ADDRESS")
    told = [m for m in mailbox.to("aigerims@gmail.com") if "/verify/" not in text_part(m)]
    assert len(told) == 1


def test_a_provider_that_does_not_honour_tags_keeps_them_apart(app, mailbox):
    """mail.ru delivers nothing to "name+2@": those are two mailboxes."""
    registered(post(app.test_client(), "/register", form(email="aigerim@mail.ru"), token_from="/register"))
    before = user_count()
    registered(post(app.test_client(), "/register", form(email="aigerim+2@mail.ru", iin=valid_iin(date(1991, 2, 3))),
                    token_from="/register"))
    assert user_count() == before + 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password": "short1", "confirm": "short1"},
         _l("The password must be %(min)d to %(max)d characters long.", min=8, max=128)),
        ({"password": "x" * 129, "confirm": "x" * 129},
         _l("The password must be %(min)d to %(max)d characters long.", min=8, max=128)),
        ({"password": "password123", "confirm": "password123"},
         _l("This password is too common and easy to guess. Choose another one.")),
        ({"password": "qwerty123", "confirm": "qwerty123"},
         _l("This password is too common and easy to guess. Choose another one.")),
        ({"confirm": "something-else-9"}, _l("The two passwords do not match.")),
        ({"region": ""}, _l("Choose your region of residence.")),
        ({"region": "KZ-99"}, _l("Choose your region of residence.")),
        ({"surname": ""}, _l("Enter your surname.")),
        ({"given_name": "  "}, _l("Enter your given name.")),
        ({"given_name": "Айгерім2"}, _l("Use letters only: a hyphen, an apostrophe or a space may join two parts.")),
        ({"surname": "<script>"}, _l("Use letters only: a hyphen, an apostrophe or a space may join two parts.")),
        ({"patronymic": "Болат--қызы"}, _l("Use letters only: a hyphen, an apostrophe or a space may join two parts.")),
        ({"surname": "С" * 101}, _l("At most %(max)d characters.", max=100)),
        ({"email": "not-an-email"}, _l("Enter a valid email address, like name@example.kz.")),
        ({"iin": ""}, _l("Enter your IIN.")),
        ({"iin": "12345"}, _l("The IIN is 12 digits.")),
        ({"iin": "900517700011"}, ERRORS[("iin", "century")]),
        ({"iin": valid_iin(date(1890, 5, 17))}, ERRORS[("iin", "born_1800s")]),
        ({"iin": valid_iin(date(1899, 12, 31), male=False)}, ERRORS[("iin", "born_1800s")]),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(client, overrides, message):
    _expect_refused(client, form(**overrides), message)


def test_long_password_up_to_128_is_accepted(client):
    pw = "верблюд-степь-" * 9  # 126 characters, Cyrillic
    registered(post(client, "/register", form(password=pw, confirm=pw), token_from="/register"))


def test_messages_follow_the_chosen_language(client):
    client.language = "ru"
    response = _expect_refused(client, form(confirm="different-pass-1"),
                               _l("The two passwords do not match."), language="ru")
    assert "Пароли не совпадают." in page_text(response)


def test_post_without_csrf_token_is_400_and_creates_nothing(client):
    csrf_token(client, "/register")
    before = user_count()
    response = client.post("/register", data=form())
    assert response.status_code == 400
    assert "Форманың мерзімі өтті" in page_text(response)
    assert user_count() == before


def test_verification_link_tampered_or_expired(client, mailbox, app, monkeypatch):
    post(client, "/register", form(), token_from="/register")
    link = link_in(mailbox.to("aigerim@example.kz")[0], "/verify/")

    tampered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    response = client.get(tampered, follow_redirects=True)
    assert response.status_code == 400
    assert translated(ERRORS[("token", "invalid")], "kk") in page_text(response)
    assert post(client, "/verify/confirm", token_from="/login").status_code == 400

    monkeypatch.setitem(app.config, "VERIFY_EMAIL_MAX_AGE", -1)
    response = client.get(link, follow_redirects=True)
    assert response.status_code == 400
    assert translated(ERRORS[("token", "expired")], "kk") in page_text(response)
    assert post(client, "/verify/confirm", token_from="/login").status_code == 400
    db.session.expire_all()
    assert not db.session.scalar(select(User).where(User.email == "aigerim@example.kz")).is_verified


def test_a_reset_token_is_not_a_verification_token(client, mailbox):
    make_user("reset-me@example.kz", verified=False)
    post(client, "/reset", {"email": "reset-me@example.kz"})
    reset_link = link_in(mailbox.to("reset-me@example.kz")[0], "/reset/")
    token = reset_link.rsplit("/", 1)[1]
    assert client.get(f"/verify/{token}", follow_redirects=True).status_code == 400


def test_a_verification_page_without_a_link_is_400(client):
    response = client.get("/verify/confirm")
    assert response.status_code == 400
    assert translated(ERRORS[("token", "invalid")], "kk") in page_text(response)


def test_resend_verification(client, mailbox, auth):
    post(client, "/register", form(), token_from="/register")
    assert len(mailbox.to("aigerim@example.kz")) == 1
    assert auth.login("aigerim@example.kz", "steppe-wind-2026").status_code == 302
    response = post(client, "/verify/resend", token_from="/verify/sent")
    assert response.status_code == 302
    assert len(mailbox.to("aigerim@example.kz")) == 2


def test_how_long_the_link_works_is_the_setting_it_follows(client, mailbox, monkeypatch):
    monkeypatch.setitem(client.application.config, "VERIFY_EMAIL_MAX_AGE", 2 * 24 * 3600)
    client.language = "ru"
    response = post(client, "/register", form(), token_from="/register")
    assert "действует 2 дня" in page_text(response)
    [message] = mailbox.to("aigerim@example.kz")
    assert "Ссылка действует 2 дня." in text_part(message)
    assert "3 дня" not in text_part(message)
