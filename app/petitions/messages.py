"""What citizens read when a petition rule refuses them, in their language."""

from flask import current_app
from flask_babel import lazy_gettext as _l

MESSAGES = {
    "unverified": _l("Confirm your email address first: open the link we sent you, or ask for a new one on your account page."),
    "no_identity": _l("Your account has no IIN on file, so it cannot create, sponsor or sign petitions."),
    "author_not_resident": _l("You can address a petition to an akimat only in your own region of residence."),
    "already_signed": _l("You have already signed this petition. Each person can sign once."),
    "not_open": _l("This petition is not open for signatures."),
    "inactive_body": _l("Choose a state body from the list."),
    "unknown_category": _l("Choose a category."),
    "unknown_language": _l("Choose a language."),
    "already_reported": _l("You have already reported this petition. Moderators will look at it."),
    "unknown_reason": _l("Choose a reason."),
    "login": _l("Log in to sign this petition."),
}

STATUS = {
    "already_signed": 409,
    "not_open": 409,
    "already_reported": 409,
    "unverified": 403,
    "no_identity": 403,
    "under_age": 403,
    "not_resident": 403,
    "author_not_resident": 422,
    "inactive_body": 422,
    "unknown_category": 422,
    "unknown_language": 422,
    "unknown_reason": 422,
}


def message_for(code: str, *, region=None, language: str = "kk"):
    if code == "under_age":
        return _l("You must be at least %(age)d years old to sign petitions.",
                  age=current_app.config["MIN_AGE_YEARS"])
    if code == "not_resident":
        name = region.name(language) if region is not None else ""
        return _l("Only residents of %(region)s can sign petitions to its akimat. Your region of residence is different.",
                  region=name)
    return MESSAGES[code]
