"""Kazakhstan's individual identification number (IIN, ЖСН/ИИН).

12 digits: YYMMDD birth date, a century-and-sex digit, a 4-digit serial and a check
digit. The check digit is sum(d_i * i) mod 11 over the first 11 digits; if that is 10,
a second pass uses weights 3..11,1,2; if it is 10 again the number is invalid.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from flask import current_app

from app.accounts.messages import ERRORS
from app.core.refusals import Refusal

WEIGHTS_1 = tuple(range(1, 12))
WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
CENTURIES = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}


class IINError(enum.Enum):
    FORMAT = "format"
    CENTURY = "century"
    DATE = "date"
    CHECKSUM = "checksum"


class InvalidIIN(Refusal):
    """Raised with the reason an IIN is not valid (code: the reason's value, field
    "iin": messages in app.accounts.messages)."""

    messages = ERRORS

    def __init__(self, reason: IINError):
        super().__init__(reason.value, "iin")
        self.reason = reason


@dataclass(frozen=True)
class ParsedIIN:
    birth_date: date
    male: bool


def check_digit(digits: str) -> int | None:
    """The check digit for the first 11 digits, or None if no valid one exists."""
    values = [int(c) for c in digits[:11]]
    for weights in (WEIGHTS_1, WEIGHTS_2):
        remainder = sum(v * w for v, w in zip(values, weights, strict=True)) % 11
        if remainder != 10:
            return remainder
    return None


def parse_iin(raw: str) -> ParsedIIN:
    """Validate an IIN and return what it encodes. Raises InvalidIIN."""
    value = raw.strip().replace(" ", "")
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        raise InvalidIIN(IINError.FORMAT)
    century_digit = int(value[6])
    if century_digit not in CENTURIES:
        raise InvalidIIN(IINError.CENTURY)
    year = CENTURIES[century_digit] + int(value[0:2])
    try:
        born = date(year, int(value[2:4]), int(value[4:6]))
    except ValueError:
        raise InvalidIIN(IINError.DATE) from None
    expected = check_digit(value)
    if expected is None or expected != int(value[11]):
        raise InvalidIIN(IINError.CHECKSUM)
    return ParsedIIN(birth_date=born, male=century_digit % 2 == 1)


def make_iin(born: date, male: bool = True, serial: int = 1) -> str:
    """Build a valid IIN for a birth date (tests and demo data). Tries serials upward
    until one has a valid check digit."""
    century = (born.year // 100) * 100
    century_digit = {1800: 1, 1900: 3, 2000: 5}[century] + (0 if male else 1)
    for s in range(serial, serial + 100):
        head = f"{born:%y%m%d}{century_digit}{s:04d}"
        digit = check_digit(head)
        if digit is not None:
            return head + str(digit)
    raise ValueError("no valid IIN for this date and serial range")


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def is_adult(born: date, today: date) -> bool:
    """Whether someone born on `born` is at least MIN_AGE_YEARS old on `today`: the one
    adult rule, asked when an account is made and again when it signs or sponsors."""
    return age_on(born, today) >= current_app.config["MIN_AGE_YEARS"]
