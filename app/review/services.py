"""Officials' actions on review cases, and moderators' reassignment. Flush, never commit."""

from __future__ import annotations

from app.audit.services import record
from app.bodies.queries import body_by_code
from app.core import clock
from app.core.clock import local_date
from app.core.refusals import Refusal
from app.core.transitions import move_state
from app.core.workdays import add_working_days
from app.extensions import db
from app.models import CaseReassignment, CaseState, ReviewCase, Role, User
from app.review import notifications
from app.review.messages import MESSAGES

MAX_RESPONSE = 20_000


class CaseError(Refusal):
    """A case action refused; `code` says why, `field` the form field it is about: 409
    for a case whose state has moved on, 422 for what was entered."""

    status = 422
    messages = MESSAGES


def may_handle(user: User, case: ReviewCase) -> bool:
    """Officials handle their own body's cases; administrators see every case."""
    if user.has_role(Role.ADMIN):
        return True
    body = user.official_body
    return body is not None and body.id == case.body_id


def _move(case: ReviewCase, sources: tuple[CaseState, ...], **values) -> None:
    if not move_state(case, sources, **values):
        raise CaseError("wrong_state", status=409)


def acknowledge(official: User, case: ReviewCase) -> None:
    """queued -> acknowledged. Raises CaseError("wrong_state")."""
    _move(case, (CaseState.QUEUED,), state=CaseState.ACKNOWLEDGED, acknowledged_at=clock.now(),
          acknowledged_by_id=official.id)
    record(official, "case.acknowledge", "review_case", case.id, before={"state": "queued"},
           after={"state": "acknowledged"})


def clean_response(text: str) -> str:
    """Raises CaseError for an empty or overlong response."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise CaseError("empty", "response")
    if len(text) > MAX_RESPONSE:
        raise CaseError("too_long", "response")
    return text


def publish_response(official: User, case: ReviewCase, text: str) -> None:
    """queued/acknowledged -> answered: the response goes on the petition page and to
    the author and the signers who asked for news. Raises CaseError."""
    text = clean_response(text)
    before = {"state": case.state.value}
    now = clock.now()
    _move(case, (CaseState.QUEUED, CaseState.ACKNOWLEDGED), state=CaseState.ANSWERED, answered_at=now,
          answered_by_id=official.id, response_text=text,
          acknowledged_at=case.acknowledged_at or now, acknowledged_by_id=case.acknowledged_by_id or official.id)
    record(official, "case.answer", "review_case", case.id, before=before, after={"state": "answered"})
    notifications.response_published(case)


def reassign(moderator: User, case: ReviewCase, body_code: str, note: str) -> None:
    """Move an unanswered case to another body; the due date follows that body's
    review period from the day the case was queued. Raises CaseError."""
    body = body_by_code(body_code)
    if body is None or not body.active:
        raise CaseError("unknown_body", "body")
    if body.id == case.body_id:
        raise CaseError("same_body", "body")
    if case.state is CaseState.ANSWERED:
        raise CaseError("answered", "body", status=409)
    if not (note or "").strip():
        raise CaseError("note_required", "note")
    before = {"body": case.body.code, "due_on": case.due_on.isoformat()}
    db.session.add(CaseReassignment(case=case, from_body_id=case.body_id, to_body_id=body.id, at=clock.now()))
    case.body = body
    case.due_on = add_working_days(local_date(case.queued_at), body.review_period_days)
    db.session.flush()
    record(moderator, "case.reassign", "review_case", case.id, before=before,
           after={"body": body.code, "due_on": case.due_on.isoformat()}, reason=note.strip())
