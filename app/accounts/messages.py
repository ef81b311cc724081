"""What the user reads when a rule refuses a change, in their language."""

from flask_babel import lazy_gettext as _l

ERRORS = {
    ("iin", "format"): _l("The IIN is 12 digits."),
    ("iin", "century"): _l("This is not a valid IIN: the 7th digit must be from 1 to 6."),
    ("iin", "born_1800s"): _l("This IIN gives a birth date in the 1800s: check its 7th digit (3 or 4 for the 1900s, 5 or 6 for the 2000s)."),
    ("iin", "date"): _l("This is not a valid IIN: its first six digits are not a real birth date."),
    ("iin", "checksum"): _l("This is not a valid IIN: the check digit does not match. Check for typing mistakes."),
    ("iin", "taken"): _l("An account already exists for this IIN. If it is yours, log in or reset your password."),
    ("region", "unknown"): _l("Choose your region of residence."),
    ("email", "taken"): _l("This email address cannot be used. If you already have an account, log in or reset your password."),
    ("email", "same"): _l("This is already your email address."),
    ("current_password", "wrong"): _l("The current password is wrong."),
    ("password", "wrong"): _l("The current password is wrong."),
    ("token", "used"): _l("This link has already been used."),
    ("token", "expired"): _l("This link has expired. Ask for a new one."),
    ("token", "invalid"): _l("This link is not valid. Check that you copied it whole, or ask for a new one."),
}


def under_age_message(min_age: int):
    return _l("You must be at least %(age)d years old to register.", age=min_age)
