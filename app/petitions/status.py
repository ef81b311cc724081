"""Where a petition stands, in one word and in figures, the same on its page, its card,
the list's filters and (later) the API: a petition that reached its threshold is
"awaiting response" until its state body publishes one, then "responded"."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from app.bodies.thresholds import petition_threshold
from app.models import CaseState, Petition, PetitionState
from app.petitions import counting
from app.petitions.names import AWAITING_RESPONSE, RESPONDED

S = PetitionState


def public_status(petition: Petition) -> str:
    """"responded", "awaiting_response", or the petition's state."""
    case = petition.review_case
    if case is not None and petition.state in (S.OPEN, S.CLOSED):
        return RESPONDED if case.state is CaseState.ANSWERED else AWAITING_RESPONSE
    return petition.state.value


@dataclass(frozen=True)
class Progress:
    count: int
    threshold: int
    percent: int        # whole percent of the threshold, at most 100
    bar_width: str      # CSS width in %, a visible sliver from the first signature
    days_left: int | None

    @property
    def below_one_percent(self) -> bool:
        """Signed, but by fewer than 1 % of the threshold: "less than 1 %", not "0 %"."""
        return self.count > 0 and self.count * 100 < self.threshold

    @property
    def aria_now(self) -> int:
        """The progress bar's value, within its range (a petition may pass its threshold)."""
        return min(self.count, self.threshold)

    @property
    def reached(self) -> bool:
        return self.threshold > 0 and self.count >= self.threshold


def progress(petition: Petition, now: datetime) -> Progress:
    threshold = petition_threshold(petition).signatures
    count = counting.counted(petition)  # what counts toward the threshold (the body's rule)
    exact = count * 100 / threshold if threshold else 0
    bar = 0 if count == 0 else min(100, max(exact, 0.75))
    days_left = None
    if petition.state is S.OPEN and petition.closes_at:
        days_left = max(0, math.ceil((petition.closes_at - now) / timedelta(days=1)))
    return Progress(count, threshold, min(100, math.floor(exact)), f"{bar:.2f}", days_left)


@dataclass(frozen=True)
class Step:
    label: object           # a lazy string
    when: datetime


def timeline(petition: Petition, lang: str) -> list[Step]:
    """The petition's public history in time order: writing and moderation, signing,
    the threshold, and its review (acknowledged, moved to another body, answered);
    state bodies named in `lang`."""
    steps = [Step(_l("Created"), petition.created_at), Step(_l("Submitted"), petition.submitted_at),
             Step(_l("Sent to moderation"), petition.moderation_started_at)]
    if petition.state is S.REJECTED:
        steps.append(Step(_l("Rejected"), petition.decided_at))
    steps += [Step(_l("Opened for signatures"), petition.opened_at),
              Step(_l("Threshold reached: sent for review"), petition.threshold_reached_at)]
    case = petition.review_case
    if case is not None:
        for move in case.reassignments:
            steps.append(Step(_l("Passed to %(body)s", body=move.to_body.name(lang)), move.at))
        # Publishing a response also acknowledges a case nobody had acknowledged.
        if case.acknowledged_at is not None and case.acknowledged_at != case.answered_at:
            steps.append(Step(_l("Acknowledged by the state body"), case.acknowledged_at))
        if case.state is CaseState.ANSWERED:
            steps.append(Step(_l("Response published by %(body)s", body=case.body.name(lang)), case.answered_at))
    steps.append(Step(_l("Closed"), petition.closed_at))
    return sorted((s for s in steps if s.when is not None), key=lambda s: s.when)
