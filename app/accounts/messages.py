"""What a person reads when an account rule says no, in their language: the one table of
the accounts domain's refusals (AccountError, SecondFactorError, OwnDataError, TokenError,
InvalidIIN), keyed by (field, code), or by code alone for a refusal that reads the same on
any field. A message that states a setting formats it from the configuration, so the page
never says "15 minutes" when the window is 30.
"""

from __future__ import annotations

import math

from flask import current_app
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l


def _window_minutes() -> int:
    """The wrong-password and wrong-code window, in whole minutes (rounded up: never
    tell someone to wait less than they must)."""
    return max(1, math.ceil(current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"] / 60))


def too_many_codes(_refusal=None) -> str:
    return ngettext("Too many wrong codes. Wait %(num)d minute, then log in again.",
                    "Too many wrong codes. Wait %(num)d minutes, then log in again.", _window_minutes())


def _too_many_passwords(_refusal) -> str:
    return ngettext("Too many wrong passwords for this account from here. Wait %(num)d minute, or set a new "
                    "password by email (the link below): that lets you in at once.",
                    "Too many wrong passwords for this account from here. Wait %(num)d minutes, or set a new "
                    "password by email (the link below): that lets you in at once.", _window_minutes())


def _under_age(_refusal) -> str:
    return _("You must be at least %(age)d years old to register.", age=current_app.config["MIN_AGE_YEARS"])


def _suspended(refusal) -> str:
    return _("This account is suspended: %(reason)s If you think this is a mistake, reply to any email from Dauys.",
             reason=refusal.details.get("reason") or "")


def _region_too_soon(refusal) -> str:
    return _("You moved region recently: the next move is possible from %(date)s.",
             date=format_date(refusal.details["allowed_from"], "long"))


ERRORS = {
    # Registration: the IIN (InvalidIIN and the rules after it), the region.
    ("iin", "format"): _l("The IIN is 12 digits."),
    ("iin", "century"): _l("This is not a valid IIN: the 7th digit must be from 1 to 6."),
    ("iin", "born_1800s"): _l("This IIN gives a birth date in the 1800s: check its 7th digit (3 or 4 for the 1900s, 5 or 6 for the 2000s)."),
    ("iin", "date"): _l("This is not a valid IIN: its first six digits are not a real birth date."),
    ("iin", "checksum"): _l("This is not a valid IIN: the check digit does not match. Check for typing mistakes."),
    ("iin", "under_age"): _under_age,
    ("iin", "taken"): _l("An account already exists for this IIN. If it is yours, log in or reset your password."),
    ("region", "unknown"): _l("Choose your region of residence."),
    # Logging in.
    ("password", "login_wrong"): _l("The email or password is wrong."),
    ("password", "login_blocked"): _too_many_passwords,
    ("password", "suspended"): _suspended,
    # Settings: email and password.
    ("email", "taken"): _l("This email address cannot be used. If you already have an account, log in or reset your password."),
    ("email", "same"): _l("This is already your email address."),
    ("current_password", "wrong"): _l("The current password is wrong."),
    ("password", "wrong"): _l("The current password is wrong."),
    # Links sent by email (TokenError, and a link already spent).
    ("token", "used"): _l("This link has already been used."),
    ("token", "expired"): _l("This link has expired. Ask for a new one."),
    ("token", "invalid"): _l("This link is not valid. Check that you copied it whole, or ask for a new one."),
    # The second factor (SecondFactorError), also asked again before deleting the account.
    "wrong_code": _l("This code is not right, or it was used already. Try the next one."),
    "wrong_password": _l("The password is wrong."),
    "too_many_codes": too_many_codes,
    # My own data (OwnDataError).
    ("region", "same"): _l("This is your region already."),
    ("region", "too_soon"): _region_too_soon,
    "staff": _l("A member of staff's account is closed by an administrator: ask one."),
}
