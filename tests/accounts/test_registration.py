"""Registration and email verification, as a new user tries them."""

from datetime import date, timedelta

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import clock as app_clock
from app.accounts.messages import ERRORS
from app.extensions import db
from app.models import User
from tests.support import csrf_token, link_in, make_user, page_text, post, translated, valid_iin


def form(**overrides):
    data = {
        "full_name": "Айгерім Серікова",
        "email": "aigerim@example.kz",
        "password": "steppe-wind-2026",
        "confirm": "steppe-wind-2026",
        "region": "KZ-75",
        "iin": valid_iin(date(1995, 3, 8), male=False),
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


def test_register_verify_and_log_in(client, mailbox, auth):
    response = post(client, "/register", form(), token_from="/register")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/verify/sent")

    user = db.session.scalar(select(User).where(User.email == "aigerim@example.kz"))
    assert user is not None and not user.is_verified
    assert user.birth_date == date(1995, 3, 8)
    assert user.region.code == "KZ-75"
    assert len(user.iin_hmac) == 32

    [message] = mailbox.to("aigerim@example.kz")
    assert message["Subject"] == "Dauys үшін электрондық поштаңызды растаңыз"
    assert message.get_body(preferencelist=("html",)) is not None
    link = link_in(message, "/verify/")

    # Opening the link (as a mail scanner would) changes nothing.
    page = client.get(link)
    assert page.status_code == 200
    assert "Электрондық поштамды растау" in page_text(page)
    db.session.expire_all()
    assert not db.session.get(User, user.id).is_verified

    confirmed = post(client, link, token_from=link)
    assert confirmed.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).is_verified

    # The link is spent.
    again = client.get(link)
    assert again.status_code == 400
    assert translated(ERRORS[("token", "used")], "kk") in page_text(again)

    auth.logout()
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
    response = post(client, "/register", form(iin=valid_iin(born)), token_from="/register")
    assert response.status_code == 302


def test_eighteen_in_almaty_though_not_yet_in_utc(client, clock):
    clock.set("2026-12-31T20:30+00:00")  # 01:30 on 1 January 2027 in Almaty
    response = post(client, "/register", form(iin=valid_iin(date(2009, 1, 1))), token_from="/register")
    assert response.status_code == 302


def test_iin_already_registered_does_not_say_whose(client):
    iin = valid_iin()
    assert post(client, "/register", form(iin=iin), token_from="/register").status_code == 302
    other = client.application.test_client()
    response = _expect_refused(other, form(iin=iin, email="someone.else@example.kz"),
                               ERRORS[("iin", "taken")])
    assert "aigerim@example.kz" not in page_text(response)


def test_email_already_registered(client):
    make_user("taken@example.kz")
    _expect_refused(client, form(email="TAKEN@example.kz"), ERRORS[("email", "taken")])


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
        ({"full_name": ""}, _l("Enter your full name.")),
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
    assert post(client, "/register", form(password=pw, confirm=pw), token_from="/register").status_code == 302


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
    response = client.get(tampered)
    assert response.status_code == 400
    assert translated(ERRORS[("token", "invalid")], "kk") in page_text(response)
    assert post(client, tampered, token_from="/").status_code == 400

    monkeypatch.setitem(app.config, "VERIFY_EMAIL_MAX_AGE", -1)
    response = client.get(link)
    assert response.status_code == 400
    assert translated(ERRORS[("token", "expired")], "kk") in page_text(response)
    assert post(client, link, token_from="/").status_code == 400
    db.session.expire_all()
    assert not db.session.scalar(select(User).where(User.email == "aigerim@example.kz")).is_verified


def test_a_reset_token_is_not_a_verification_token(client, mailbox):
    make_user("reset-me@example.kz", verified=False)
    post(client, "/reset", {"email": "reset-me@example.kz"})
    reset_link = link_in(mailbox.to("reset-me@example.kz")[0], "/reset/")
    token = reset_link.rsplit("/", 1)[1]
    assert client.get(f"/verify/{token}").status_code == 400


def test_resend_verification(client, mailbox):
    post(client, "/register", form(), token_from="/register")
    assert len(mailbox.to("aigerim@example.kz")) == 1
    response = post(client, "/verify/resend", token_from="/verify/sent")
    assert response.status_code == 302
    assert len(mailbox.to("aigerim@example.kz")) == 2
