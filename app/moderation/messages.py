"""What moderators read when a moderation rule says no, in their language: the one table
of the moderation domain's refusals (OwnPetition and ModerationError, SuspensionError,
RunError: app.core.refusals)."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.petitions.names import STATE_NAMES

MESSAGES = {
    # A petition's moderation (app.moderation.services).
    "own_petition": _l("You wrote this petition, so another moderator must decide on it."),
    "not_hiding_code": _l("Choose one of the reasons that hide a petition."),
    "nothing_changed": _l("Change the category or the state body, or cancel."),
    "subject_required": _l("Choose the excluded subject the petition touches."),
    "subject_only_for_excluded_topic": _l("An excluded subject goes with the reason “A topic the law excludes from "
                                          "petitions” only."),
    # Suspending and reactivating accounts (app.moderation.accounts).
    "self": _l("You cannot suspend or reactivate your own account."),
    "staff": _l("Only an administrator can suspend or reactivate a member of staff."),
    "already": _l("This account is already suspended."),
    "last_admin": _l("This is the last active administrator: make another one first."),
    "not_suspended": _l("This account is not suspended."),
    # Invalidation runs (app.moderation.integrity).
    "empty": _l("Give at least one criterion: a filter without one would take every signature."),
    "nothing": _l("No valid signature matches this filter now."),
    "not_invalidation": _l("Only an invalidation can be undone."),
    "still_running": _l("Wait until the run has finished or been cancelled."),
    "already_reversed": _l("This run has already been undone."),
    "not_running": _l("This run has already finished."),
    "not_cancellable": _l("A restoration is not cancelled: it finishes by itself in a moment."),
}


def not_possible_now(state) -> str:
    """A moderator's action the petition's state no longer allows (IllegalTransition)."""
    return _("This action is not possible now: the petition is “%(state)s”.", state=STATE_NAMES[state])
