"""The threshold engine's periodic reads: only unfinished fan-outs are found."""

from datetime import date, timedelta

from sqlalchemy import select

from app.core import clock
from app.extensions import db
from app.models import CaseState, ReviewCase, StateBody
from app.review.engine import pending_fanouts
from tests.support import make_petition


def a_case(*, threshold_done: bool, state: CaseState = CaseState.QUEUED, response_done: bool = False) -> int:
    now = clock.now()
    petition = make_petition()
    case = ReviewCase(petition_id=petition.id, body_id=db.session.scalar(select(StateBody.id).where(
        StateBody.code == "GOV")), due_on=date(2030, 1, 1), state=state,
        threshold_fanout_done_at=now if threshold_done else None,
        response_fanout_done_at=now if response_done else None)
    if state is CaseState.ANSWERED:
        case.response_text, case.answered_at = "The answer.", now - timedelta(days=400)
    db.session.add(case)
    db.session.commit()
    return case.id


def test_pending_fanouts_are_the_unfinished_ones_only(app):
    new = a_case(threshold_done=False)
    a_case(threshold_done=True)  # queued, its signers told: nothing to do
    answered_now = a_case(threshold_done=True, state=CaseState.ANSWERED)
    a_case(threshold_done=True, state=CaseState.ANSWERED, response_done=True)  # answered long ago, all told
    both = a_case(threshold_done=False, state=CaseState.ANSWERED)
    assert pending_fanouts() == [(new, "threshold"), (answered_now, "response"), (both, "threshold"),
                                 (both, "response")]
