"""What officials and moderators read when a review rule says no, in their language: the
one table of the review domain's refusals (CaseError: app.core.refusals)."""

from flask_babel import lazy_gettext as _l

MESSAGES = {
    # An official's acknowledgement and response (the workspace).
    "wrong_state": _l("This case has moved on: reload the page."),
    ("response", "empty"): _l("Write the response."),
    ("response", "too_long"): _l("The response must be at most 20,000 characters long."),
    # A moderator's reassignment (on the petition's moderation page).
    ("body", "unknown_body"): _l("Choose a state body from the list."),
    ("body", "same_body"): _l("The case is already with this state body."),
    ("body", "answered"): _l("An answered case cannot be reassigned."),
    ("note", "note_required"): _l("Write a note."),
}
