"""Every transition through its named function; an illegal one raises and changes nothing."""

from datetime import timedelta

import pytest

from app.core import clock
from app.core.jobs import worker
from app.extensions import db
from app.models import Petition, PetitionState, RejectionCode
from app.petitions import lifecycle
from app.petitions.jobs import close_expired
from tests.support import make_petition, make_user

S = PetitionState

LEGAL = {
    "submit": ({S.DRAFT}, lambda p: lifecycle.submit(p)),
    "enter_moderation": ({S.COLLECTING_SPONSORS}, lambda p: lifecycle.enter_moderation(p)),
    "resubmit": ({S.RETURNED}, lambda p: lifecycle.resubmit(p)),
    "approve": ({S.PENDING_MODERATION}, lambda p: lifecycle.approve(p)),
    "return": ({S.PENDING_MODERATION}, lambda p: lifecycle.return_to_author(p, "note")),
    "reject": ({S.PENDING_MODERATION}, lambda p: lifecycle.reject(p, RejectionCode.DUPLICATE, "dup")),
    "hide": ({S.PENDING_MODERATION}, lambda p: lifecycle.hide(p, RejectionCode.OFFENSIVE)),
    "take_down": ({S.OPEN, S.CLOSED}, lambda p: lifecycle.take_down(p, RejectionCode.ILLEGAL)),
    "restore": ({S.HIDDEN}, lambda p: lifecycle.restore(p)),
    "close": ({S.OPEN}, lambda p: lifecycle.close(p)),
}


@pytest.mark.parametrize("name", sorted(LEGAL))
@pytest.mark.parametrize("state", [s for s in S])
def test_transition_matrix(app, name, state):
    sources, move = LEGAL[name]
    petition = make_petition(state=state.value)
    if state in sources:
        move(petition)
        db.session.commit()
        assert db.session.get(Petition, petition.id).state is not state
    else:
        with pytest.raises(lifecycle.IllegalTransition):
            move(petition)
        db.session.rollback()
        db.session.expire_all()
        assert db.session.get(Petition, petition.id).state is state


def test_restore_of_an_expired_open_petition_closes_it(app):
    petition = make_petition(state="hidden")
    petition.closes_at = clock.now() - timedelta(days=1)
    db.session.commit()
    lifecycle.restore(petition)
    assert petition.state is S.CLOSED


def test_close_expired_job_closes_and_tells_the_author(app, mailbox):
    author = make_user("closing@example.kz")
    due = make_petition(author, state="open", signatures=1)
    due.closes_at = clock.now() - timedelta(minutes=1)
    still_open = make_petition(state="open")
    db.session.commit()
    assert close_expired() == 1
    assert close_expired() == 0  # idempotent
    db.session.expire_all()
    assert db.session.get(Petition, due.id).state is S.CLOSED
    assert db.session.get(Petition, still_open.id).state is S.OPEN
    [message] = mailbox.to("closing@example.kz")
    assert due.title in message.get_body(preferencelist=("plain",)).get_content()


def test_closing_runs_as_a_periodic_job(app):
    from app.core.jobs.scheduler import Scheduler

    due = make_petition(state="open")
    due.closes_at = clock.now() - timedelta(minutes=1)
    db.session.commit()
    start_of_minute = (clock.timestamp() // 60) * 60 + 1  # the job runs at the start of its period
    enqueued = Scheduler(app, tick=1).run_once(now=start_of_minute)
    assert any("close-expired-petitions" in job_id for job_id in enqueued)
    worker.drain(app)
    db.session.expire_all()
    assert db.session.get(Petition, due.id).state is S.CLOSED
