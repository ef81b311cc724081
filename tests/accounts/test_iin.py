from datetime import date

import pytest

from app.accounts.iin import IINError, InvalidIIN, age_on, check_digit, is_adult, make_iin, parse_iin


def test_known_valid_iin_parses():
    # 900517 3 0001 + check digit computed by hand: weights 1..11
    iin = make_iin(date(1990, 5, 17), male=True, serial=1)
    parsed = parse_iin(iin)
    assert parsed.birth_date == date(1990, 5, 17)
    assert parsed.male is True


def test_check_digit_by_hand():
    # digits 0,0,0,1,0,1,5,0,0,0,1: sum(d*i) = 4 + 6 + 35 + 11 = 56; 56 % 11 = 1
    assert check_digit("00010150001") == 1
    assert parse_iin("000101500011").birth_date == date(2000, 1, 1)


def test_second_weights_are_used_when_first_pass_gives_ten():
    # Find a head whose first pass gives 10, and check the second pass decides.
    for serial in range(10000):
        head = f"8501013{serial:04d}"
        values = [int(c) for c in head]
        if sum(v * w for v, w in zip(values, range(1, 12), strict=True)) % 11 == 10:
            second = sum(v * w for v, w in zip(values, (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2), strict=True)) % 11
            assert check_digit(head) == (None if second == 10 else second)
            if second != 10:
                assert parse_iin(head + str(second)).birth_date == date(1985, 1, 1)
                return
    pytest.fail("no head with a first-pass remainder of 10")


def test_female_and_centuries():
    assert parse_iin(make_iin(date(1899, 12, 31), male=False)).male is False
    assert parse_iin(make_iin(date(2005, 2, 28))).birth_date == date(2005, 2, 28)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", IINError.FORMAT),
        ("12345678901", IINError.FORMAT),
        ("1234567890123", IINError.FORMAT),
        ("90051730001a", IINError.FORMAT),
        ("９００５１７３００００１", IINError.FORMAT),  # full-width digits
        ("900517700011", IINError.CENTURY),
        ("900517000011", IINError.CENTURY),
        ("901317300011", IINError.DATE),  # month 13
        ("900230300011", IINError.DATE),  # 30 February
        ("010229500011", IINError.DATE),  # 2001 is not a leap year
    ],
)
def test_invalid_iins(raw, reason):
    with pytest.raises(InvalidIIN) as exc:
        parse_iin(raw)
    assert exc.value.reason is reason


def test_wrong_check_digit():
    good = make_iin(date(1990, 5, 17))
    bad = good[:11] + str((int(good[11]) + 1) % 10)
    with pytest.raises(InvalidIIN) as exc:
        parse_iin(bad)
    assert exc.value.reason is IINError.CHECKSUM


def test_age_on_birthday_boundary():
    born = date(2008, 11, 22)
    assert age_on(born, date(2026, 11, 21)) == 17
    assert age_on(born, date(2026, 11, 22)) == 18


def test_adult_from_the_birthday_of_min_age(app):
    years = app.config["MIN_AGE_YEARS"]
    born = date(2008, 11, 22)
    assert not is_adult(born, date(2008 + years, 11, 21))
    assert is_adult(born, date(2008 + years, 11, 22))
