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


def _state_idp(text):
    """A message that names the state's identity provider (OIDC_PROVIDER_NAME)."""
    return lambda _refusal: _(text, provider=current_app.config["OIDC_PROVIDER_NAME"])


def _idp_under_age(_refusal) -> str:
    return _("You must be at least %(age)d years old to have an account.", age=current_app.config["MIN_AGE_YEARS"])


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
    "name_verified": _l("Your name came with your confirmed identity, as in your documents: it cannot be changed "
                        "here."),
    "staff": _l("A member of staff's account is closed by an administrator: ask one."),
    # Signing in with the state's identity provider (StateIdError); nothing is saved.
    ("state_idp", "cancelled"): _state_idp("You did not finish signing in with %(provider)s. Nothing was changed: "
                                           "you can try again."),
    ("state_idp", "state"): _l("This sign-in was not started in this browser, or its answer was used already. "
                               "Start again from the log-in page."),
    ("state_idp", "token"): _state_idp("The answer from %(provider)s did not pass our checks, so you are not signed "
                                       "in and nothing was saved. Try again; if it happens again, tell us."),
    ("state_idp", "unavailable"): _state_idp("%(provider)s is not answering at the moment. Try again in a few "
                                             "minutes, or log in with your password."),
    ("state_idp", "no_iin"): _state_idp("%(provider)s did not give us your IIN, which an account needs. Nothing was "
                                        "saved. When %(provider)s asks, allow it to share your IIN."),
    ("state_idp", "invalid_iin"): _state_idp("%(provider)s gave an IIN that is not valid, so nothing was saved. "
                                             "Tell us: this should not happen."),
    ("state_idp", "no_name"): _state_idp("%(provider)s did not give us your name, which an account needs. Nothing "
                                         "was saved. When %(provider)s asks, allow it to share your name."),
    ("state_idp", "under_age"): _idp_under_age,
    ("state_idp", "deleted"): _l("The account registered with your IIN was deleted by its owner, and an IIN is not "
                                 "registered again after that. Nothing was saved."),
    ("state_idp", "suspended"): _suspended,
    ("state_idp", "link_other"): _state_idp("The account you logged in to was registered with another IIN, so it is "
                                            "not linked to your %(provider)s sign-in."),
    ("state_idp", "exists"): _l("An account with your IIN or this email address has just been made. Log in to it."),
    "self_declared_off": _state_idp("Accounts here are opened through %(provider)s only: an IIN typed in a form "
                                    "is not accepted."),
    ("state_idp", "expired"): _state_idp("The time to finish your account ran out, and nothing was saved. Sign in "
                                         "with %(provider)s again."),
}
