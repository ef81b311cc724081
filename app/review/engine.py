"""The threshold engine: a petition that reaches its body's threshold is queued for
review exactly once.

"Exactly once" is the database's doing, not luck: `threshold_reached_at` is set by a
guarded UPDATE (... WHERE threshold_reached_at IS NULL AND its counted signatures >= t), the
review case is unique per petition, and the notification rows are written in the same
transaction, with a dedupe key per recipient. Flushes, never commits.
"""

from __future__ import annotations

import logging

from sqlalchemy import and_, or_, select, update

from app.bodies.thresholds import petition_threshold, profile_of, same_profile, sponsors_column, threshold_for
from app.core import clock
from app.core.clock import local_date
from app.core.workdays import add_working_days
from app.extensions import db
from app.models import (
    CaseState,
    Petition,
    PetitionState,
    ReviewCase,
    Role,
    StateBody,
    User,
    UserRole,
)
from app.petitions import counting, lifecycle
from app.petitions.notifications import notify_author
from app.review import notifications

log = logging.getLogger(__name__)
CROSSABLE = (PetitionState.OPEN, PetitionState.CLOSED)


def officials_of(body_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.OFFICIAL, UserRole.body_id == body_id, User.active.is_(True))
        .order_by(User.id)
    ))


def check_crossing(petition: Petition) -> ReviewCase | None:
    """Queue `petition` for review if its count has reached its threshold and it has
    not crossed before. Returns the new case, or None."""
    if petition.state not in CROSSABLE or petition.threshold_reached_at is not None:
        return None
    threshold = petition_threshold(petition).signatures
    now = clock.now()
    moved = db.session.execute(
        update(Petition)
        .where(Petition.id == petition.id, Petition.threshold_reached_at.is_(None),
               counting.counted_column(petition.body, petition.threshold_profile) >= threshold,
               Petition.state.in_(CROSSABLE))
        .values(threshold_reached_at=now, threshold_at_crossing=threshold)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        return None
    db.session.refresh(petition)
    case = ReviewCase(petition_id=petition.id, body_id=petition.body_id, queued_at=now,
                      due_on=add_working_days(local_date(now), petition.body.review_period_days))
    db.session.add(case)
    db.session.flush()
    notifications.threshold_reached(case, officials_of(petition.body_id))
    log.info("petition %s reached its threshold of %s: review case %s", petition.id, threshold, case.id)
    return case


def after_counting(petition_ids) -> list[ReviewCase]:
    """What new totals may cause: crossings, and sponsored petitions moving on."""
    cases = []
    # populate_existing: the totals were just changed in SQL; never decide on stale objects.
    fresh = select(Petition).where(Petition.id.in_(list(petition_ids))).execution_options(populate_existing=True)
    for petition in db.session.scalars(fresh):
        if (petition.state is PetitionState.COLLECTING_SPONSORS
                and petition.sponsor_count >= profile_of(petition).sponsors_required()):
            lifecycle.enter_moderation(petition)
            notify_author(petition, "in_moderation")
        case = check_crossing(petition)
        if case is not None:
            cases.append(case)
    return cases


def overdue_transitions() -> list[int]:
    """Petitions whose counts call for a move that has not happened (a crash, a Redis
    outage, a lowered threshold): not yet queued although at their body's threshold,
    or still collecting sponsors although they have enough. A query per state body and
    threshold profile with petitions not yet queued (each has its own threshold), whatever
    their number."""
    ids = set(db.session.scalars(
        select(Petition.id).where(Petition.state == PetitionState.COLLECTING_SPONSORS,
                                  Petition.sponsor_count >= sponsors_column())))
    # Each body and profile its waiting petitions were submitted under: one threshold each.
    pairs = db.session.execute(
        select(Petition.body_id, Petition.threshold_profile)
        .where(Petition.state.in_(CROSSABLE), Petition.threshold_reached_at.is_(None)).distinct()).all()
    bodies = {b.id: b for b in db.session.scalars(select(StateBody).where(StateBody.id.in_({b for b, _ in pairs})))}
    for body_id, profile_name in pairs:
        body = bodies[body_id]
        ids.update(db.session.scalars(
            select(Petition.id).where(Petition.body_id == body.id, Petition.state.in_(CROSSABLE),
                                      Petition.threshold_reached_at.is_(None), same_profile(profile_name),
                                      counting.counted_column(body, profile_name)
                                      >= threshold_for(body, profile_name).signatures)))
    return sorted(ids)


def pending_fanouts() -> list[tuple[int, str]]:
    """The (case id, kind) of every fan-out not finished. Only unfinished cases are read
    (the sweep runs every 30 s over a table that only grows); each condition is served by
    a partial index of ReviewCase."""
    rows = db.session.execute(
        select(ReviewCase.id, ReviewCase.threshold_fanout_done_at, ReviewCase.state, ReviewCase.response_fanout_done_at)
        .where(or_(ReviewCase.threshold_fanout_done_at.is_(None),
                   and_(ReviewCase.state == CaseState.ANSWERED, ReviewCase.response_fanout_done_at.is_(None))))
        .order_by(ReviewCase.id)).all()
    jobs = []
    for case_id, threshold_done, state, response_done in rows:
        if threshold_done is None:
            jobs.append((case_id, "threshold"))
        if state is CaseState.ANSWERED and response_done is None:
            jobs.append((case_id, "response"))
    return jobs
