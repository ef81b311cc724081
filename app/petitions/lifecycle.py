"""The petition lifecycle (DOMAIN.md). Every state change goes through one of the
named functions here; each checks the source state with a guarded UPDATE, so an
illegal transition (or a race with another moderator) raises IllegalTransition and
changes nothing. Flushes, never commits.

    draft -> collecting_sponsors -> pending_moderation -> open -> closed
                   |                  |        ^            |
                   v                  v        |            +-> hidden (taken down)
                 lapsed        returned -------+
                      rejected / hidden (from pending_moderation)

The stages' lengths and the sponsors needed are those of the profile the petition was
submitted under (app.bodies.thresholds), recorded on it at submission.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

from flask import current_app

from app.bodies.thresholds import Profile, profile, profile_of
from app.core import clock
from app.core.clock import local_date
from app.core.refusals import Refusal
from app.core.transitions import move_state
from app.core.workdays import add_working_days
from app.models import Petition, PetitionState, RejectionCode
from app.petitions.messages import MESSAGES

S = PetitionState


class IllegalTransition(Refusal):
    """Raised when a petition is not in a state the transition starts from: 409, the
    message in app.petitions.messages."""

    status = 409
    messages = MESSAGES

    def __init__(self, action: str, state: PetitionState):
        super().__init__("illegal_transition", action=action, state=state)
        self.action = action
        self.state = state

    def __str__(self) -> str:
        return f"cannot {self.action} a petition that is {self.state.value}"


def _move(petition: Petition, action: str, sources: tuple[PetitionState, ...],
          target: PetitionState, **values) -> None:
    if not move_state(petition, sources, state=target, updated_at=clock.now(), **values):
        raise IllegalTransition(action, petition.state)


def submit(petition: Petition) -> None:
    """draft -> collecting_sponsors, or straight to moderation when no sponsors are needed.
    The petition keeps the profile in force now for the rest of its life."""
    now = clock.now()
    rules = profile()
    values = {"submitted_at": now, "threshold_profile": rules.name}
    if rules.sponsors_required() == 0:
        _move(petition, "submit", (S.DRAFT,), S.PENDING_MODERATION, **values, **_moderation_clock(rules, now))
    else:
        due = (add_working_days(local_date(now), rules.sponsor_working_days)
               if rules.sponsor_working_days is not None else None)
        _move(petition, "submit", (S.DRAFT,), S.COLLECTING_SPONSORS, sponsors_due_on=due, **values)


def _moderation_clock(rules: Profile, now) -> dict:
    due = add_working_days(local_date(now), rules.moderation_days())
    return {"moderation_started_at": now, "moderation_due_on": due}


def enter_moderation(petition: Petition) -> None:
    """collecting_sponsors -> pending_moderation, once enough sponsors have signed."""
    _move(petition, "enter moderation", (S.COLLECTING_SPONSORS,), S.PENDING_MODERATION,
          **_moderation_clock(profile_of(petition), clock.now()))


def lapse(petition: Petition) -> None:
    """collecting_sponsors -> lapsed: the link-only stage ended without its supporters.
    Never public; its author keeps reading it."""
    _move(petition, "lapse", (S.COLLECTING_SPONSORS,), S.LAPSED, decided_at=clock.now())


def resubmit(petition: Petition) -> None:
    """returned -> pending_moderation (sponsors are not gathered again)."""
    _move(petition, "resubmit", (S.RETURNED,), S.PENDING_MODERATION, return_note=None,
          **_moderation_clock(profile_of(petition), clock.now()))


def add_months(moment: datetime, months: int) -> datetime:
    """The same time `months` calendar months later (the 31st: the month's last day)."""
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def approve(petition: Petition) -> None:
    """pending_moderation -> open, for its profile's collection period (six months under
    the law; PETITION_DURATION_DAYS under movement-2016)."""
    now = clock.now()
    months = profile_of(petition).collection_months
    closes = (add_months(now, months) if months is not None
              else now + timedelta(days=current_app.config["PETITION_DURATION_DAYS"]))
    _move(petition, "approve", (S.PENDING_MODERATION,), S.OPEN, opened_at=now, closes_at=closes, decided_at=now)


def return_to_author(petition: Petition, note: str) -> None:
    _move(petition, "return", (S.PENDING_MODERATION,), S.RETURNED, return_note=note,
          decided_at=clock.now())


def reject(petition: Petition, code: RejectionCode, explanation: str, subject: str | None = None) -> None:
    """pending_moderation -> rejected, shown with its reason (and, for an excluded
    topic, the subject of the law's list it touches)."""
    _move(petition, "reject", (S.PENDING_MODERATION,), S.REJECTED, rejection_code=code,
          rejection_explanation=explanation, excluded_subject=subject, decided_at=clock.now())


def hide(petition: Petition, code: RejectionCode) -> None:
    """pending_moderation -> hidden: rejected for a reason that must not be shown."""
    _move(petition, "hide", (S.PENDING_MODERATION,), S.HIDDEN, rejection_code=code,
          rejection_explanation=None, hidden_from=S.PENDING_MODERATION, decided_at=clock.now())


def take_down(petition: Petition, code: RejectionCode) -> None:
    """open or closed -> hidden."""
    source = petition.state
    _move(petition, "take down", (S.OPEN, S.CLOSED), S.HIDDEN, rejection_code=code,
          hidden_from=source if source in (S.OPEN, S.CLOSED) else None, decided_at=clock.now())


def restore(petition: Petition) -> None:
    """hidden -> the state it was hidden from (an open one whose time ran out: closed)."""
    if petition.state is not S.HIDDEN or petition.hidden_from is None:
        raise IllegalTransition("restore", petition.state)
    target = petition.hidden_from
    values = {"hidden_from": None, "rejection_code": None}
    if target is S.OPEN and petition.closes_at is not None and petition.closes_at <= clock.now():
        target = S.CLOSED
        values["closed_at"] = clock.now()
    _move(petition, "restore", (S.HIDDEN,), target, **values)


def close(petition: Petition) -> None:
    """open -> closed: its signing period has ended."""
    _move(petition, "close", (S.OPEN,), S.CLOSED, closed_at=clock.now())
