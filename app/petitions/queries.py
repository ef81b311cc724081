"""Reading petitions: search, lists, similar petitions, totals, breakdowns.

Full-text search uses PostgreSQL's `simple` configuration (no stemming: it must
serve Kazakh, Russian and English alike) with prefix matching, so "жол" finds
"жолдар" and "дорог" finds "дороги". SQLite, the embedded default, matches each
word as a case-folded substring instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Integer, Select, String, and_, desc, func, literal, literal_column, or_, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from app.core import clock
from app.extensions import db
from app.models import (
    CaseState,
    Category,
    Petition,
    PetitionHourlyCount,
    PetitionRegionCount,
    PetitionState,
    Region,
    RemovedSignatureCount,
    ReviewCase,
    Signature,
    SignatureInvalidation,
    StateBody,
    User,
)
from app.models.integrity import RemovalCategory
from app.models.petition import PUBLIC_STATES
from app.petitions.counting import hour_of
from app.petitions.names import AWAITING_RESPONSE, RESPONDED

WORD_RE = re.compile(r"\w+", re.UNICODE)
SORTS = ("popular", "newest", "closing", "trending")
MAX_WORDS = 8


def words(query: str) -> list[str]:
    return [w.lower() for w in WORD_RE.findall(query or "") if len(w) >= 2][:MAX_WORDS]


def _document():
    """to_tsvector('simple', title || ' ' || summary): the expression of the GIN index
    ix_petitions_fts, rendered literally so that PostgreSQL uses the index."""
    text = Petition.title.op("||")(literal_column("' '")).op("||")(Petition.summary)
    return func.to_tsvector(literal_column("'simple'"), text)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def search_filter(query: str):
    """A WHERE clause matching petitions whose title or summary has every word."""
    terms = words(query)
    if not terms:
        return None
    if _dialect() == "postgresql":
        # Words are \w+ only, so they are safe inside a tsquery.
        tsquery = " & ".join(f"{t}:*" for t in terms)
        return _document().op("@@")(func.to_tsquery(literal_column("'simple'"), tsquery))
    folded = func.dauys_fold(Petition.title + " " + Petition.summary)
    return and_(*[folded.like(f"%{t.casefold()}%") for t in terms])


# The list's "state" filter: petition states, or where the review stands.
LIST_STATES = {
    "open": (PetitionState.OPEN,),
    "closed": (PetitionState.CLOSED,),
    "rejected": (PetitionState.REJECTED,),
    AWAITING_RESPONSE: (PetitionState.OPEN, PetitionState.CLOSED),
    RESPONDED: (PetitionState.OPEN, PetitionState.CLOSED),
    "all": PUBLIC_STATES,
}


def for_cards(query: Select) -> Select:
    """Load what a petition card shows (its review case, its body's region for the
    threshold) with the petitions, not one query per card."""
    return query.options(selectinload(Petition.review_case),
                         joinedload(Petition.body).selectinload(StateBody.region))


@dataclass
class ListFilters:
    q: str = ""
    state: str = "open"
    category: str = ""
    body: str = ""
    region: str = ""
    sort: str = "popular"


def _last_day():
    """(petition_id, n): signatures per petition in the last 24 hours, from the
    aggregator's hourly counts: a national surge is a handful of rows here, never a
    count of signature rows per page view."""
    since = hour_of(clock.now() - timedelta(hours=24))
    return (select(PetitionHourlyCount.petition_id, func.sum(PetitionHourlyCount.count).label("n"))
            .where(PetitionHourlyCount.hour >= since)
            .group_by(PetitionHourlyCount.petition_id)
            .subquery())


def list_query(f: ListFilters) -> Select:
    """The public list: only open, closed and rejected petitions are ever listed.

    Raises ValueError for an unknown state, category, body, region or sort (its text
    says which)."""
    if f.state not in LIST_STATES:
        raise ValueError("unknown state")
    if f.sort not in SORTS:
        raise ValueError("unknown sort")
    query = for_cards(select(Petition).where(Petition.state.in_(LIST_STATES[f.state])))
    if f.state in (AWAITING_RESPONSE, RESPONDED):
        answered = ReviewCase.state == CaseState.ANSWERED
        query = query.where(select(ReviewCase.id).where(
            ReviewCase.petition_id == Petition.id, answered if f.state == RESPONDED else ~answered).exists())
    if f.category:
        if f.category not in {c.value for c in Category}:
            raise ValueError("unknown category")
        query = query.where(Petition.category == Category(f.category))
    if f.body:
        body_id = db.session.scalar(select(StateBody.id).where(StateBody.code == f.body))
        if body_id is None:
            raise ValueError("unknown body")
        query = query.where(Petition.body_id == body_id)
    if f.region:
        region_id = db.session.scalar(select(Region.id).where(Region.code == f.region))
        if region_id is None:
            raise ValueError("unknown region")
        query = query.where(Petition.body_id.in_(select(StateBody.id).where(StateBody.region_id == region_id)))
    clause = search_filter(f.q)
    if clause is not None:
        query = query.where(clause)
    if f.sort == "popular":
        query = query.order_by(desc(Petition.signature_count), desc(Petition.id))
    elif f.sort == "newest":
        query = query.order_by(desc(func.coalesce(Petition.opened_at, Petition.created_at)), desc(Petition.id))
    elif f.sort == "closing":
        query = query.order_by(Petition.closes_at.is_(None), Petition.closes_at, Petition.id)
    else:
        recent = _last_day()
        query = query.outerjoin(recent, recent.c.petition_id == Petition.id).order_by(
            desc(func.coalesce(recent.c.n, 0)), desc(Petition.signature_count), desc(Petition.id))
    return query


def trending(limit: int = 20) -> list[tuple[Petition, int]]:
    """Open petitions with signatures in the last 24 hours, most first, with that number."""
    recent = _last_day()
    rows = db.session.execute(for_cards(
        select(Petition, recent.c.n).join(recent, recent.c.petition_id == Petition.id)
        .where(Petition.state == PetitionState.OPEN, recent.c.n > 0)
        .order_by(desc(recent.c.n), desc(Petition.signature_count), desc(Petition.id)).limit(limit)
    )).unique().all()
    return [(petition, int(n)) for petition, n in rows]


def similar(text: str, *, limit: int = 5, exclude_id: int | None = None,
            include_pending: bool = False) -> list[Petition]:
    """Petitions that share words with `text` (any word), most signed first.
    Used to stop duplicates: when writing, and beside the moderation queue."""
    terms = [t for t in words(text) if len(t) >= 4] or words(text)
    if not terms:
        return []
    states = list(PUBLIC_STATES) + ([PetitionState.PENDING_MODERATION] if include_pending else [])
    if _dialect() == "postgresql":
        tsquery = " | ".join(f"{t}:*" for t in terms)
        match = _document().op("@@")(func.to_tsquery(literal_column("'simple'"), tsquery))
    else:
        folded = func.dauys_fold(Petition.title + " " + Petition.summary)
        match = or_(*[folded.like(f"%{t.casefold()}%") for t in terms])
    query = select(Petition).where(Petition.state.in_(states), match)
    if exclude_id is not None:
        query = query.where(Petition.id != exclude_id)
    query = query.order_by(desc(Petition.signature_count), desc(Petition.id)).limit(limit)
    return list(db.session.scalars(query))


def regional_breakdown(petition_id: int) -> list[tuple[Region, int]]:
    """Signatures per region of the signers at signing time, largest first, as the
    aggregator keeps them. One query, whatever the number of signatures."""
    rows = db.session.scalars(
        select(PetitionRegionCount)
        .where(PetitionRegionCount.petition_id == petition_id, PetitionRegionCount.count > 0)
        .order_by(desc(PetitionRegionCount.count), PetitionRegionCount.region_id)
    ).all()
    return [(row.region, row.count) for row in rows]


def regions() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.code)))


def signatures_by_hour(petition_id: int) -> list[tuple]:
    """(UTC hour, valid signatures made in it) for every hour that has any, oldest
    first, as the aggregator keeps them: the chart and the API never count rows."""
    return [tuple(row) for row in db.session.execute(
        select(PetitionHourlyCount.hour, PetitionHourlyCount.count)
        .where(PetitionHourlyCount.petition_id == petition_id, PetitionHourlyCount.count > 0)
        .order_by(PetitionHourlyCount.hour))]


@dataclass(frozen=True)
class Removal:
    """Signatures of one petition removed as invalid by one run: how many, when, why."""

    run_id: int
    count: int
    at: datetime
    category: RemovalCategory
    hours: tuple[tuple[datetime, int], ...] = ()   # (UTC hour signed, how many), for the chart


def removals(petition_id: int, *, with_hours: bool = False) -> list[Removal]:
    """The removals standing on this petition, oldest first, from the few rows the runs
    keep per petition and hour (a revalidation subtracts, so an undone run leaves no
    note). `at` is when the run finished (or its latest batch, while it runs)."""
    rows = db.session.execute(
        select(RemovedSignatureCount.run_id, RemovedSignatureCount.hour, RemovedSignatureCount.count,
               func.coalesce(SignatureInvalidation.finished_at, SignatureInvalidation.updated_at),
               SignatureInvalidation.category)
        .join(SignatureInvalidation, SignatureInvalidation.id == RemovedSignatureCount.run_id)
        .where(RemovedSignatureCount.petition_id == petition_id, RemovedSignatureCount.count > 0)
        .order_by(RemovedSignatureCount.run_id, RemovedSignatureCount.hour)).all()
    runs: dict[int, dict] = {}
    for run_id, hour, n, at, category in rows:
        run = runs.setdefault(run_id, {"count": 0, "at": at, "category": category, "hours": []})
        run["count"] += n
        run["hours"].append((_aware(hour), n))
    return [Removal(run_id, r["count"], _aware(r["at"]), r["category"], tuple(r["hours"]) if with_hours else ())
            for run_id, r in runs.items()]


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def public_signers(petition_id: int, limit: int = 20) -> list[str]:
    """Names of the latest signers who chose to show them (first name + initial)."""
    users = db.session.scalars(
        select(User).join(Signature, Signature.user_id == User.id)
        .where(Signature.petition_id == petition_id, Signature.show_name.is_(True),
               Signature.valid.is_(True))
        .order_by(desc(Signature.id)).limit(limit)  # the newest first, from the partial index of shown names
    )
    return [u.display_name for u in users]


def totals() -> dict:
    """The home page's numbers, in one query."""
    open_count, all_signatures = db.session.execute(
        select(func.count(Petition.id).filter(Petition.state == PetitionState.OPEN),
               func.coalesce(func.sum(Petition.signature_count), 0))
        .where(Petition.state.in_(PUBLIC_STATES))
    ).one()
    return {"open": open_count, "signatures": all_signatures}


def popular_open(limit: int = 6) -> list[Petition]:
    return list(db.session.scalars(for_cards(
        select(Petition).where(Petition.state == PetitionState.OPEN)
        .order_by(desc(Petition.signature_count), desc(Petition.id)).limit(limit)
    )))


def recently_closed(limit: int = 4) -> list[Petition]:
    return list(db.session.scalars(for_cards(
        select(Petition).where(Petition.state == PetitionState.CLOSED)
        .order_by(desc(Petition.closed_at), desc(Petition.id)).limit(limit)
    )))


def latest_responses(limit: int = 4) -> list[ReviewCase]:
    """The review cases answered most recently, of petitions the public can see."""
    return list(db.session.scalars(
        select(ReviewCase).join(Petition, ReviewCase.petition_id == Petition.id)
        .where(ReviewCase.state == CaseState.ANSWERED, Petition.state.in_(PUBLIC_STATES))
        .order_by(desc(ReviewCase.answered_at), desc(ReviewCase.id)).limit(limit)
    ).unique())


def similar_for_many(texts: dict[int, str], *, limit: int = 3,
                     include_pending: bool = False) -> dict[int, list[Petition]]:
    """`similar` for many petitions at once (the moderation queue's page): one query,
    whatever the number of petitions. `texts` maps a petition's id to its text; each
    gets up to `limit` other petitions that share a word, most signed first."""
    postgres = _dialect() == "postgresql"
    probes = []
    for item, text in texts.items():
        terms = [t for t in words(text) if len(t) >= 4] or words(text)
        if postgres and terms:
            probes.append((item, " | ".join(f"{t}:*" for t in terms)))
        else:
            probes += [(item, t.casefold()) for t in terms]
    found: dict[int, list[Petition]] = {item: [] for item in texts}
    if not probes:
        return found
    probe = union_all(*[select(literal(item, Integer).label("item"), literal(pattern, String).label("pattern"))
                        for item, pattern in probes]).cte("probe")
    if postgres:
        match = _document().op("@@")(func.to_tsquery(literal_column("'simple'"), probe.c.pattern))
    else:
        match = func.dauys_fold(Petition.title + " " + Petition.summary).like(
            literal("%") + probe.c.pattern + literal("%"))
    states = list(PUBLIC_STATES) + ([PetitionState.PENDING_MODERATION] if include_pending else [])
    pairs = (select(probe.c.item, Petition.id.label("petition_id"))
             .join(Petition, match).where(Petition.state.in_(states), Petition.id != probe.c.item)
             .distinct().subquery())
    rank = func.row_number().over(partition_by=pairs.c.item,
                                  order_by=(desc(Petition.signature_count), desc(Petition.id)))
    ranked = (select(pairs.c.item, Petition.id.label("petition_id"), rank.label("rank"))
              .join(Petition, Petition.id == pairs.c.petition_id).subquery())
    rows = db.session.execute(
        select(ranked.c.item, Petition).join(Petition, Petition.id == ranked.c.petition_id)
        .where(ranked.c.rank <= limit).order_by(ranked.c.item, ranked.c.rank))
    for item, petition in rows:
        found[item].append(petition)
    return found
