"""Moderation actions: each goes through a lifecycle function, records a decision,
writes the audit log and tells the author. Flushes, never commits."""

from __future__ import annotations

import functools

from sqlalchemy import update

from app.audit.services import record
from app.bodies.queries import body_by_code
from app.core import clock
from app.core.refusals import Refusal
from app.extensions import db
from app.models import (
    HIDING_CODES,
    Category,
    DecisionAction,
    ModerationDecision,
    Petition,
    PetitionState,
    RejectionCode,
    Report,
    User,
)
from app.moderation.messages import MESSAGES
from app.petitions import lifecycle
from app.petitions.notifications import notify_author
from app.petitions.services import PetitionError, residency_problem
from app.petitions.subjects import BY_KEY

# Where a moderator may still correct the category or the addressee.
METADATA_STATES = (PetitionState.COLLECTING_SPONSORS, PetitionState.PENDING_MODERATION,
                   PetitionState.RETURNED, PetitionState.OPEN)


class ModerationError(Refusal):
    """A moderation rule refused the action (422 unless it says otherwise); the message is
    in app.moderation.messages."""

    messages = MESSAGES


class OwnPetition(ModerationError):
    """A moderator may not decide on a petition they wrote: another moderator must."""

    status = 403

    def __init__(self, petition_id: int):
        super().__init__("own_petition", petition_id=petition_id)


def independent(action):
    """For a moderator's action on a petition (moderator, petition, ...): refuse it on
    their own petition (OwnPetition) before anything changes."""

    @functools.wraps(action)
    def checked(moderator: User, petition: Petition, *args, **kwargs):
        if petition.author_id == moderator.id:
            raise OwnPetition(petition.id)
        return action(moderator, petition, *args, **kwargs)

    return checked


def _snapshot(p: Petition) -> dict:
    return {"state": p.state.value, "category": p.category.value, "body": p.body.code,
            "rejection_code": p.rejection_code.value if p.rejection_code else None,
            "excluded_subject": p.excluded_subject}


def _decide(moderator: User, petition: Petition, action: DecisionAction, before: dict, *,
            code: RejectionCode | None = None, note: str | None = None) -> None:
    db.session.add(ModerationDecision(petition_id=petition.id, moderator_id=moderator.id,
                                      action=action, reason_code=code, note=note))
    record(moderator, f"petition.{action.value}", "petition", petition.id, before=before,
           after=_snapshot(petition), reason=(f"{code.value}: " if code else "") + (note or ""))


@independent
def approve(moderator: User, petition: Petition) -> None:
    before = _snapshot(petition)
    lifecycle.approve(petition)
    _decide(moderator, petition, DecisionAction.APPROVE, before)
    notify_author(petition, "opened")


@independent
def return_to_author(moderator: User, petition: Petition, note: str) -> None:
    before = _snapshot(petition)
    lifecycle.return_to_author(petition, note)
    _decide(moderator, petition, DecisionAction.RETURN, before, note=note)
    notify_author(petition, "returned", note=note)


@independent
def reject(moderator: User, petition: Petition, code: RejectionCode, explanation: str,
           subject: str | None = None) -> None:
    """A hiding code hides the petition (its reason is not shown); others reject it
    publicly with the explanation. An excluded topic names the subject of the law's list
    (app.petitions.subjects) it touches; no other reason takes one."""
    if code is RejectionCode.EXCLUDED_TOPIC and subject not in BY_KEY:
        raise ModerationError("subject_required", "subject")
    if code is not RejectionCode.EXCLUDED_TOPIC and subject:
        raise ModerationError("subject_only_for_excluded_topic", "subject")
    before = _snapshot(petition)
    if code in HIDING_CODES:
        lifecycle.hide(petition, code)
        _decide(moderator, petition, DecisionAction.HIDE, before, code=code, note=explanation)
        notify_author(petition, "hidden", code=code, note=explanation)
    else:
        lifecycle.reject(petition, code, explanation, subject)
        _decide(moderator, petition, DecisionAction.REJECT, before, code=code, note=explanation)
        notify_author(petition, "rejected", code=code, note=explanation)


@independent
def take_down(moderator: User, petition: Petition, code: RejectionCode, note: str) -> None:
    """Raises ModerationError when the code is not one that hides."""
    if code not in HIDING_CODES:
        raise ModerationError("not_hiding_code", field="code")
    before = _snapshot(petition)
    lifecycle.take_down(petition, code)
    _decide(moderator, petition, DecisionAction.TAKE_DOWN, before, code=code, note=note)
    notify_author(petition, "hidden", code=code, note=note)


@independent
def restore(moderator: User, petition: Petition, note: str) -> None:
    before = _snapshot(petition)
    lifecycle.restore(petition)
    _decide(moderator, petition, DecisionAction.RESTORE, before, note=note)


@independent
def change_metadata(moderator: User, petition: Petition, category: str, body_code: str, note: str) -> None:
    """Raises PetitionError for an unknown category or an unknown/inactive body, and
    ModerationError when nothing would change."""
    if petition.state not in METADATA_STATES:
        raise lifecycle.IllegalTransition("change metadata", petition.state)
    try:
        new_category = Category(category)
    except ValueError:
        raise PetitionError("unknown_category", field="category") from None
    body = body_by_code(body_code)
    if body is None or not body.active:
        raise PetitionError("inactive_body", field="body")
    if residency_problem(petition.author, body):
        raise PetitionError("author_not_resident", field="body")
    if new_category is petition.category and body.id == petition.body_id:
        raise ModerationError("nothing_changed", field="note")
    before = _snapshot(petition)
    petition.category = new_category
    petition.body = body
    db.session.flush()
    _decide(moderator, petition, DecisionAction.CHANGE_METADATA, before, note=note)


@independent
def dismiss_reports(moderator: User, petition: Petition, note: str | None) -> int:
    """Mark the petition's open reports resolved. Returns how many."""
    result = db.session.execute(
        update(Report).where(Report.petition_id == petition.id, Report.resolved_at.is_(None))
        .values(resolved_at=clock.now(), resolved_by_id=moderator.id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:
        before = _snapshot(petition)
        _decide(moderator, petition, DecisionAction.DISMISS_REPORTS, before, note=note)
    return result.rowcount
