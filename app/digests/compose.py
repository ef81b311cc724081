"""What an official's digest says, for their own body only.

Digests are composed per body, not per official: a handful of queries for each body
that has officials, whatever the number of petitions or of officials in it; each
official's digest is then cut from the body's data by their own "since".
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, lazyload

from app.bodies.thresholds import petition_threshold, threshold_column
from app.core.clock import local_date
from app.core.workdays import working_days_between
from app.extensions import db
from app.models import CaseState, Petition, PetitionState, ReviewCase, Role, StateBody, User, UserRole
from app.models.digest import DigestFrequency, DigestPreference, DigestRecord
from app.petitions import counting

NEAR_THRESHOLD = 0.75


@dataclass
class CaseLine:
    case: ReviewCase
    working_days_left: int  # negative: late by that many

    @property
    def overdue(self) -> bool:
        return self.working_days_left < 0


@dataclass
class Digest:
    official: User
    body: StateBody
    language: str
    since: datetime
    new_cases: list[ReviewCase] = field(default_factory=list)
    open_cases: list[CaseLine] = field(default_factory=list)
    near_threshold: list[tuple[Petition, int]] = field(default_factory=list)  # (petition, per cent)
    newly_opened: list[Petition] = field(default_factory=list)

    @property
    def items(self) -> int:
        return len(self.new_cases) + len(self.open_cases) + len(self.near_threshold) + len(self.newly_opened)

    @property
    def is_empty(self) -> bool:
        return self.items == 0

    @property
    def overdue(self) -> int:
        return sum(1 for line in self.open_cases if line.overdue)


@dataclass
class Recipient:
    official: User
    body: StateBody
    frequency: DigestFrequency
    language: str


def recipients() -> list[Recipient]:
    """Every active official with a body, with their preference (one query)."""
    rows = db.session.execute(
        select(User, UserRole.body_id, DigestPreference)
        .join(UserRole, (UserRole.user_id == User.id) & (UserRole.role == Role.OFFICIAL))
        .outerjoin(DigestPreference, DigestPreference.user_id == User.id)
        .where(User.active.is_(True))
        .order_by(User.id)
        # Roles are not needed here, and their selectin loading would add a query per 500 officials.
        .options(lazyload(User.roles))
    ).all()
    bodies = {b.id: b for b in db.session.scalars(select(StateBody).options(joinedload(StateBody.region)))}
    out = []
    for user, body_id, pref in rows:
        frequency = pref.frequency if pref else DigestFrequency.DAILY
        language = (pref.language if pref and pref.language else None) or user.language
        out.append(Recipient(user, bodies[body_id], frequency, language))
    return out


def last_sent(user_ids: list[int]) -> dict[int, datetime]:
    """When each official last got a digest email (one query)."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(DigestRecord.user_id, DigestRecord.created_at)
        .where(DigestRecord.user_id.in_(user_ids), DigestRecord.outbox_email_id.is_not(None))
        .order_by(DigestRecord.created_at)
    ).all()
    return {user_id: created for user_id, created in rows}


def compose(items: list[tuple[Recipient, datetime]], now: datetime) -> list[Digest]:
    """Digests at `now` for (recipient, since) pairs, grouped by body. What is "new" in
    a digest happened after its `since` (the previous digest) and at or before `now`, so
    two digests never report the same event and none reports what happens after it."""
    today = local_date(now)
    by_body: dict[int, list[tuple[Recipient, datetime]]] = defaultdict(list)
    for recipient, since in items:
        by_body[recipient.body.id].append((recipient, since))
    digests = []
    for body_id, group in by_body.items():
        body = group[0][0].body
        earliest = min(since for _, since in group)
        # No author, no roles: a digest needs the petitions themselves, and a fixed number
        # of queries per body whatever is in it.
        cases = db.session.scalars(
            select(ReviewCase).where(ReviewCase.body_id == body_id,
                                     or_(ReviewCase.state != CaseState.ANSWERED, ReviewCase.queued_at > earliest))
            .options(joinedload(ReviewCase.petition).lazyload(Petition.author), lazyload(ReviewCase.body))
        ).all()
        # What counts toward each petition's threshold (the body's rule, the petition's profile).
        counted = counting.counted_by_profile(body)
        near = db.session.execute(
            select(Petition, counted).where(Petition.body_id == body_id, Petition.state == PetitionState.OPEN,
                                            Petition.threshold_reached_at.is_(None),
                                            counted >= threshold_column(body) * NEAR_THRESHOLD)
            .order_by(counted.desc()).options(lazyload(Petition.author), lazyload(Petition.body))
        ).all()
        opened = db.session.scalars(
            select(Petition).where(Petition.body_id == body_id, Petition.state == PetitionState.OPEN,
                                   Petition.opened_at > earliest, Petition.opened_at <= now)
            .order_by(Petition.opened_at)
            .options(lazyload(Petition.author), lazyload(Petition.body))
        ).all()
        open_lines = sorted(
            (CaseLine(c, working_days_between(today, c.due_on)) for c in cases if c.state is not CaseState.ANSWERED),
            key=lambda line: (line.case.due_on, line.case.id),
        )
        for recipient, since in group:
            digests.append(Digest(
                official=recipient.official, body=body, language=recipient.language, since=since,
                new_cases=sorted((c for c in cases if since < c.queued_at <= now), key=lambda c: c.queued_at),
                open_cases=open_lines,
                near_threshold=[(p, min(99, math.floor(n * 100 / petition_threshold(p).signatures))) for p, n in near],
                newly_opened=[p for p in opened if since < p.opened_at],
            ))
    return digests


def default_since(frequency: DigestFrequency, now: datetime) -> datetime:
    return now - (timedelta(days=7) if frequency is DigestFrequency.WEEKLY else timedelta(days=1))


def preview(official: User, now: datetime) -> Digest | None:
    """What this official's next digest would hold now (nothing is recorded)."""
    mine = [r for r in recipients() if r.official.id == official.id]
    if not mine:
        return None
    recipient = mine[0]
    since = last_sent([official.id]).get(official.id) or default_since(recipient.frequency, now)
    return compose([(recipient, since)], now)[0]
