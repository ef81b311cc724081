"""What citizens read when a petition rule refuses them, in their language: the one table
of PetitionError and IllegalTransition (app.core.refusals), and the status each refusal
answers with. A message that states a setting or a detail is a function of the refusal."""

from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app.core.refusals import Refusal


def _under_age(refusal: Refusal):
    return _l("You must be at least %(age)d years old to sign petitions.", age=current_app.config["MIN_AGE_YEARS"])


def _not_resident(refusal: Refusal):
    region = refusal.details.get("region")
    return _l("Only residents of %(region)s can sign petitions to its akimats and maslikhats. Your region of "
              "residence is different.",
              region=region.name(str(get_locale())) if region is not None else "")


MESSAGES = {
    "unverified": _l("Confirm your email address first: open the link we sent you, or ask for a new one on your account page."),
    "no_identity": _l("Your account has no IIN on file, so it cannot create, sponsor or sign petitions."),
    "under_age": _under_age,
    "not_resident": _not_resident,
    "author_not_resident": _l("You can address a petition to an akimat or a maslikhat only in your own region of "
                              "residence."),
    "already_signed": _l("You have already signed this petition. Each person can sign once."),
    "not_open": _l("This petition is not open for signatures."),
    "inactive_body": _l("Choose a state body from the list."),
    "unknown_category": _l("Choose a category."),
    "unknown_language": _l("Choose a language."),
    "already_reported": _l("You have already reported this petition. Moderators will look at it."),
    "unknown_reason": _l("Choose a reason."),
    "login": _l("Log in to sign this petition."),
    # The same words as the error pages' (app.web.errors): the reader sees the page they saw before.
    "not_found": _l("There is no page at this address. It may have been moved or removed."),
    "not_author": _l("You do not have permission to open this page."),
    "illegal_transition": _l("This cannot be done in the current state of things, for example a petition that can no longer be edited or a case already answered. Reload the page to see where it stands."),
}

STATUS = {
    "already_signed": 409,
    "not_open": 409,
    "already_reported": 409,
    "unverified": 403,
    "no_identity": 403,
    "under_age": 403,
    "not_resident": 403,
    "not_author": 403,
    "not_found": 404,
    "author_not_resident": 422,
    "inactive_body": 422,
    "unknown_category": 422,
    "unknown_language": 422,
    "unknown_reason": 422,
}


def message_for(code: str, **details) -> str:
    """The message of a rule's code before anything is refused (why this reader cannot
    sign, shown on the petition's page), as the refusal with that code would say it."""
    text = MESSAGES[code]
    return str(text(Refusal(code, **details)) if callable(text) else text)
