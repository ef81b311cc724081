"""How each state body keeps its legal deadlines, from the review cases: the figures
of the public accountability pages, their JSON and their CSV.

Definitions (said on the page too):
- addressed: published petitions (open, closed or rejected) addressed to the body;
- reached the threshold: of those, the ones that reached it;
- a case belongs to the body that holds it now (a moderator may pass it on; its due
  date then follows the new body's review period from the day it was queued);
- answered on time: the response was published on or before the due date (Almaty
  calendar dates);
- days to respond: working days (no weekends or public holidays of Kazakhstan) from
  the day the case was queued to the day of the response;
- overdue now: unanswered cases whose due date has passed, with the working days late.

A handful of queries for the whole country, whatever the number of petitions."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from app.bodies.queries import active_bodies
from app.core.clock import local_date
from app.core.workdays import working_days_between
from app.extensions import db
from app.models import CaseState, Petition, ReviewCase, StateBody
from app.models.petition import PUBLIC_STATES


@dataclass(frozen=True)
class OverdueCase:
    case: ReviewCase
    days_late: int


@dataclass
class BodyFigures:
    body: StateBody
    addressed: int = 0
    reached_threshold: int = 0
    cases: int = 0
    answered: int = 0
    answered_on_time: int = 0
    awaiting: int = 0
    days_to_respond: list[int] = field(default_factory=list)
    overdue: list[OverdueCase] = field(default_factory=list)

    @property
    def on_time_percent(self) -> float | None:
        """Share of answered cases answered within the legal period, or None if none."""
        if not self.answered:
            return None
        return round(100 * self.answered_on_time / self.answered, 1)

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.days_to_respond) if self.days_to_respond else None


def answered_on_time(case: ReviewCase) -> bool:
    return case.answered_at is not None and local_date(case.answered_at) <= case.due_on


def days_to_respond(case: ReviewCase) -> int:
    return working_days_between(local_date(case.queued_at), local_date(case.answered_at))


def _public_cases(body_id: int | None = None) -> list[ReviewCase]:
    query = (select(ReviewCase).join(Petition, ReviewCase.petition_id == Petition.id)
             .where(Petition.state.in_(PUBLIC_STATES)).order_by(ReviewCase.due_on, ReviewCase.id))
    if body_id is not None:
        query = query.where(ReviewCase.body_id == body_id)
    return list(db.session.scalars(query).unique())


def _add_case(figures: BodyFigures, case: ReviewCase, today: date) -> None:
    figures.cases += 1
    if case.state is CaseState.ANSWERED:
        figures.answered += 1
        figures.answered_on_time += answered_on_time(case)
        figures.days_to_respond.append(days_to_respond(case))
        return
    figures.awaiting += 1
    late = case.overdue_days(today)
    if late:
        figures.overdue.append(OverdueCase(case, late))


def _petition_counts(body_id: int | None = None) -> dict[int, tuple[int, int]]:
    query = (select(Petition.body_id, func.count(Petition.id),
                    func.count(Petition.threshold_reached_at))
             .where(Petition.state.in_(PUBLIC_STATES)).group_by(Petition.body_id))
    if body_id is not None:
        query = query.where(Petition.body_id == body_id)
    return {row[0]: (row[1], row[2]) for row in db.session.execute(query)}


def national(today: date, language: str | None = None) -> list[BodyFigures]:
    """The figures of every active body (national bodies first, in the order of /bodies
    in `language`), and of any body no longer active that still has petitions or cases."""
    by_id = {b.id: BodyFigures(b) for b in active_bodies(language)}

    def figures_of(body_id: int) -> BodyFigures:
        if body_id not in by_id:
            by_id[body_id] = BodyFigures(db.session.get(StateBody, body_id))
        return by_id[body_id]

    for body_id, (addressed, reached) in _petition_counts().items():
        figures = figures_of(body_id)
        figures.addressed, figures.reached_threshold = addressed, reached
    for case in _public_cases():
        _add_case(figures_of(case.body_id), case, today)
    for figures in by_id.values():
        figures.overdue.sort(key=lambda o: (-o.days_late, o.case.id))
    return list(by_id.values())


def for_body(body: StateBody, today: date) -> BodyFigures:
    figures = BodyFigures(body)
    figures.addressed, figures.reached_threshold = _petition_counts(body.id).get(body.id, (0, 0))
    for case in _public_cases(body.id):
        _add_case(figures, case, today)
    figures.overdue.sort(key=lambda o: (-o.days_late, o.case.id))
    return figures


def latest_responses(body: StateBody, limit: int = 5) -> list[ReviewCase]:
    return list(db.session.scalars(
        select(ReviewCase).join(Petition, ReviewCase.petition_id == Petition.id)
        .where(ReviewCase.body_id == body.id, ReviewCase.state == CaseState.ANSWERED,
               Petition.state.in_(PUBLIC_STATES))
        .order_by(ReviewCase.answered_at.desc(), ReviewCase.id.desc()).limit(limit)
    ).unique())
