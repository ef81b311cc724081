"""Invalidating signatures, and undoing it, exactly.

A moderator builds a `Filter`, previews what it matches, and starts a run; a background
job (app.moderation.jobs.run_invalidation) works through the matching signatures in
batches, each its own transaction:

    UPDATE signatures SET valid = false, invalidation_id = :run
    WHERE id IN (:batch) AND valid RETURNING ...

The guard (`AND valid`) makes each signature turn once, however many runs overlap: of
two runs reaching the same row, the second finds it already invalid and skips it. Only
the rows the statement returned are counted, as negative count deltas that the
aggregator folds into the totals, the regional and the hourly counts like any other;
so `counts reconcile` has nothing to repair. A revalidation undoes one run the same way,
guarded on that run's stamp. Flushes, never commits (the job commits per batch).
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime

import redis
from sqlalchemy import and_, bindparam, desc, exists, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.accounts import sessions
from app.audit.services import record
from app.core import clock
from app.core.jobs import queue
from app.core.refusals import Refusal
from app.extensions import db
from app.fraud import fingerprints
from app.models import (
    IdentityLevel,
    InvalidationKind,
    InvalidationState,
    Petition,
    RemovalCategory,
    RemovedSignatureCount,
    Signature,
    SignatureDelta,
    SignatureInvalidation,
    User,
    UserRole,
)
from app.moderation.messages import MESSAGES
from app.petitions.counting import hour_of

log = logging.getLogger(__name__)

BATCH = 500
STATEMENT_SECONDS = 30
SAMPLE = 20
MAX_ACCOUNTS = 1000
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z0-9-]{2,63}$")


class RunError(Refusal):
    """The run cannot start or change; `code` says why: 409 for a run whose state does
    not allow it, 422 for a filter that cannot start one."""

    status = 409
    messages = MESSAGES


@dataclass
class Filter:
    """Which signatures: every criterion given must hold. Fingerprints are the hex of
    the keyed hashes kept on each signature (the dashboard shows and links them)."""

    petition_id: int | None = None
    address: str | None = None          # hex of signatures.ip_hmac, or the address in clear
    network: str | None = None          # hex of signatures.network_hmac, or the network in clear
    user_agent: str | None = None       # signatures.user_agent_hash
    email_domain: str | None = None
    signed_from: datetime | None = None
    signed_to: datetime | None = None
    registered_from: datetime | None = None
    registered_to: datetime | None = None
    account_ids: list[int] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any((self.petition_id, self.address, self.network, self.user_agent, self.email_domain,
                        self.signed_from, self.signed_to, self.registered_from, self.registered_to,
                        self.account_ids))

    def to_json(self) -> dict:
        data = asdict(self)
        for key in ("signed_from", "signed_to", "registered_from", "registered_to"):
            if data[key] is not None:
                data[key] = data[key].isoformat()
        return {k: v for k, v in data.items() if v not in (None, [])}

    @classmethod
    def from_json(cls, data: dict) -> Filter:
        values = dict(data)
        for key in ("signed_from", "signed_to", "registered_from", "registered_to"):
            if values.get(key):
                values[key] = datetime.fromisoformat(values[key])
        return cls(**values)

    def conditions(self) -> list:
        where = []
        if self.petition_id:
            where.append(Signature.petition_id == self.petition_id)
        if self.address:
            where.append(Signature.ip_hmac.in_(_fingerprints(self.address, fingerprints.address_candidates)))
        if self.network:
            where.append(Signature.network_hmac.in_(_fingerprints(self.network, fingerprints.network_candidates)))
        if self.user_agent:
            where.append(Signature.user_agent_hash == self.user_agent)
        if self.signed_from:
            where.append(Signature.created_at >= self.signed_from)
        if self.signed_to:
            where.append(Signature.created_at < self.signed_to)
        if self.account_ids:
            where.append(Signature.user_id.in_(self.account_ids))
        account = []
        if self.email_domain:
            account.append(func.lower(User.email).like(f"%@{self.email_domain}"))
        if self.registered_from:
            account.append(User.created_at >= self.registered_from)
        if self.registered_to:
            account.append(User.created_at < self.registered_to)
        if account:
            # Correlated on the signature only: the sample's query joins users too.
            where.append(select(User.id).where(User.id == Signature.user_id, *account)
                         .correlate_except(User).exists())
        return where


def _fingerprints(given: str, in_clear) -> list[bytes]:
    """The stored fingerprints a filter's address or network matches: the fingerprint
    itself (64 hex digits, as the dashboard shows it), or, typed in clear, its keyed hash
    under every key in use, so that signatures fingerprinted before a key change are
    found too. Raises ValueError for neither."""
    if len(given) == 64 and all(c in "0123456789abcdef" for c in given.lower()):
        return [bytes.fromhex(given)]
    return in_clear(given)


def _matching(kind: InvalidationKind, criteria: Filter | None, reverses: int | None):
    if kind is InvalidationKind.REVALIDATE:
        return [Signature.invalidation_id == reverses, Signature.valid.is_(False)]
    return [*criteria.conditions(), Signature.valid.is_(True)]


@dataclass
class Preview:
    total: int
    petitions: list[tuple[Petition, int]]
    sample: list[tuple[Signature, User]]
    accounts: int


def preview(criteria: Filter) -> Preview:
    """How many valid signatures the filter matches, on which petitions, and a sample."""
    where = _matching(InvalidationKind.INVALIDATE, criteria, None)
    return _preview(where)


def preview_revalidation(run: SignatureInvalidation) -> Preview:
    return _preview(_matching(InvalidationKind.REVALIDATE, None, run.id))


def _time_limit() -> None:
    """A filter on fingerprints alone scans the signatures: on PostgreSQL, give up after
    STATEMENT_SECONDS rather than load the database (the moderator narrows the filter)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"SET LOCAL statement_timeout = '{STATEMENT_SECONDS}s'"))


def _preview(where: list) -> Preview:
    _time_limit()
    total, accounts = db.session.execute(
        select(func.count(), func.count(func.distinct(Signature.user_id))).where(*where)).one()
    per_petition = db.session.execute(
        select(Signature.petition_id, func.count().label("n")).where(*where)
        .group_by(Signature.petition_id).order_by(desc("n")).limit(20)).all()
    petitions = {p.id: p for p in db.session.scalars(
        select(Petition).where(Petition.id.in_([pid for pid, _ in per_petition])))}
    sample = db.session.execute(
        select(Signature, User).join(User, User.id == Signature.user_id).where(*where)
        .order_by(Signature.id).limit(SAMPLE)).all()
    return Preview(total, [(petitions[pid], n) for pid, n in per_petition], [tuple(r) for r in sample],
                   accounts)


def start(actor: User, criteria: Filter, category: RemovalCategory, note: str, *,
          suspend_accounts: bool) -> SignatureInvalidation:
    """Record a run (queued) and audit it; the caller commits and enqueues the job."""
    if criteria.empty:
        raise RunError("empty", status=422)
    _time_limit()
    expected = db.session.scalar(select(func.count()).where(
        *_matching(InvalidationKind.INVALIDATE, criteria, None)))
    if expected == 0:
        raise RunError("nothing", status=422)
    run = SignatureInvalidation(kind=InvalidationKind.INVALIDATE, created_by_id=actor.id, criteria=criteria.to_json(),
                                category=category, note=note, suspend_accounts=suspend_accounts, expected=expected)
    db.session.add(run)
    db.session.flush()
    record(actor, "signatures.invalidate", "signature_invalidation", run.id,
           after={"criteria": run.criteria, "expected": expected, "category": category.value,
                  "suspend_accounts": suspend_accounts}, reason=note)
    return run


def start_revalidation(actor: User, original: SignatureInvalidation, note: str) -> SignatureInvalidation:
    """Undo a finished (or cancelled) invalidation: at most once, guarded."""
    if original.kind is not InvalidationKind.INVALIDATE:
        raise RunError("not_invalidation")
    if original.active:
        raise RunError("still_running")
    moved = db.session.execute(
        update(SignatureInvalidation)
        .where(SignatureInvalidation.id == original.id, SignatureInvalidation.reversed_at.is_(None))
        .values(reversed_at=clock.now()).execution_options(synchronize_session=False)).rowcount == 1
    if not moved:
        raise RunError("already_reversed")
    db.session.refresh(original)
    expected = preview_revalidation(original).total
    run = SignatureInvalidation(kind=InvalidationKind.REVALIDATE, created_by_id=actor.id,
                                criteria={"reverses": original.id}, category=original.category, note=note,
                                reverses_id=original.id, expected=expected)
    db.session.add(run)
    db.session.flush()
    record(actor, "signatures.revalidate", "signature_invalidation", run.id,
           after={"reverses": original.id, "expected": expected}, reason=note)
    return run


def request_cancel(actor: User, run: SignatureInvalidation) -> None:
    """Stop an invalidation between batches. A restoration is not cancelled: half
    restored, its run could be neither finished nor undone."""
    if run.kind is not InvalidationKind.INVALIDATE:
        raise RunError("not_cancellable")
    moved = db.session.execute(
        update(SignatureInvalidation)
        .where(SignatureInvalidation.id == run.id,
               SignatureInvalidation.state.in_((InvalidationState.QUEUED, InvalidationState.RUNNING)),
               SignatureInvalidation.cancel_requested.is_(False))
        .values(cancel_requested=True).execution_options(synchronize_session=False)).rowcount == 1
    if not moved:
        raise RunError("not_running")
    db.session.refresh(run)
    record(actor, "signatures.cancel", "signature_invalidation", run.id, after={"processed": run.processed})


def lock(run_id: int) -> SignatureInvalidation | None:
    """The run's row, locked for this transaction (PostgreSQL), so two workers given the
    same run take turns batch by batch."""
    query = select(SignatureInvalidation).where(SignatureInvalidation.id == run_id) \
        .execution_options(populate_existing=True)
    if db.session.get_bind().dialect.name == "postgresql":
        # A second worker given the same run goes away rather than wait (and hold a worker).
        query = query.with_for_update(skip_locked=True)
    return db.session.scalar(query)


def step(run: SignatureInvalidation, size: int = BATCH) -> bool:
    """Do one batch of a locked run; returns whether the run has finished."""
    now = clock.now()
    if run.state is InvalidationState.QUEUED:
        run.state, run.started_at = InvalidationState.RUNNING, now
    if run.cancel_requested:
        _finish(run, InvalidationState.CANCELLED)
        return True
    invalidate = run.kind is InvalidationKind.INVALIDATE
    criteria = Filter.from_json(run.criteria) if invalidate else None
    where = _matching(run.kind, criteria, run.reverses_id)
    ids = db.session.scalars(select(Signature.id).where(*where, Signature.id > run.last_signature_id)
                             .order_by(Signature.id).limit(size)).all()
    if not ids:
        _finish(run, InvalidationState.DONE)
        return True
    table = Signature.__table__
    if invalidate:
        guard, values, sign = table.c.valid.is_(True), {"valid": False, "invalidation_id": run.id}, -1
    else:
        guard = and_(table.c.valid.is_(False), table.c.invalidation_id == run.reverses_id)
        values, sign = {"valid": True, "invalidation_id": None}, 1
    changed = db.session.execute(
        update(table).where(table.c.id.in_(ids), guard).values(**values)
        .returning(table.c.petition_id, table.c.region_id, table.c.sponsor, table.c.created_at, table.c.user_id,
                   table.c.assurance)
    ).all()
    deltas: dict[tuple, int] = defaultdict(int)
    removed: dict[tuple, int] = defaultdict(int)
    for petition_id, region_id, sponsor, created_at, _user, assurance in changed:
        deltas[(petition_id, region_id, sponsor, hour_of(created_at), assurance.value)] += sign
        removed[(petition_id, hour_of(created_at))] += 1
    if deltas:
        db.session.execute(insert(SignatureDelta), [
            {"petition_id": p, "region_id": r, "sponsor": s, "n": n, "created_at": h, "assurance": IdentityLevel(a)}
            for (p, r, s, h, a), n in sorted(deltas.items())])
        _count_removed(run, removed, invalidate)
    if invalidate and run.suspend_accounts and changed:
        run.suspended += suspend_many(run, {row[4] for row in changed})
    run.processed += len(ids)
    run.changed += len(changed)
    run.last_signature_id = ids[-1]
    run.updated_at = now
    db.session.flush()
    return False


def _count_removed(run: SignatureInvalidation, removed: dict[tuple, int], invalidate: bool) -> None:
    """Keep removed_signature_counts (what the public note and the chart read) in step."""
    table = RemovedSignatureCount.__table__
    if invalidate:
        dialect = db.session.get_bind().dialect.name
        upsert = (pg_insert if dialect == "postgresql" else sqlite_insert)(table).values(
            [{"run_id": run.id, "petition_id": p, "hour": h, "count": n} for (p, h), n in sorted(removed.items())])
        db.session.execute(upsert.on_conflict_do_update(
            index_elements=["run_id", "petition_id", "hour"], set_={"count": table.c.count + upsert.excluded.count}))
    else:
        db.session.connection().execute(
            update(table).where(table.c.run_id == run.reverses_id, table.c.petition_id == bindparam("p"),
                                table.c.hour == bindparam("h"))
            .values(count=table.c.count - bindparam("n")),
            [{"p": p, "h": h, "n": n} for (p, h), n in sorted(removed.items())])


def suspend_many(run: SignatureInvalidation, user_ids: set[int]) -> int:
    """Suspend the citizens among these accounts not yet suspended (never staff), end
    their sessions and audit each; returns how many."""
    has_role = exists().where(UserRole.user_id == User.id)
    reason = f"#{run.id}: {run.note}"[:500]
    suspended = db.session.scalars(
        update(User).where(User.id.in_(sorted(user_ids)), User.suspended_at.is_(None), ~has_role)
        .values(active=False, suspended_at=clock.now(), suspension_reason=reason)
        .returning(User.id).execution_options(synchronize_session=False)).all()
    if suspended:
        sessions.end_for_users(suspended)
        for user_id in sorted(suspended):
            record(run.created_by, "user.suspend", "user", user_id, before={"active": True},
                   after={"active": False, "invalidation": run.id}, reason=reason)
    return len(suspended)


def _finish(run: SignatureInvalidation, state: InvalidationState) -> None:
    run.state, run.finished_at = state, clock.now()
    run.updated_at = run.finished_at
    record(run.created_by, f"signatures.{run.kind.value}.{state.value}", "signature_invalidation", run.id,
           after={"processed": run.processed, "changed": run.changed, "suspended": run.suspended},
           channel="job")


def stalled(older_than_seconds: int) -> list[int]:
    """Runs queued or running but not moved for a while (their job was lost)."""
    cutoff = clock.now().timestamp() - older_than_seconds
    return [run.id for run in db.session.scalars(
        select(SignatureInvalidation).where(
            SignatureInvalidation.state.in_((InvalidationState.QUEUED, InvalidationState.RUNNING))))
        if run.updated_at.timestamp() < cutoff]


def enqueue_run(run_id: int) -> bool:
    """Queue a run's job (after the commit); False when Redis cannot take it: the
    sweeper (app.moderation.jobs.resume_invalidations) will."""
    try:
        queue.enqueue("app.moderation.jobs.run_invalidation", run_id, timeout=3600,
                      job_id=f"invalidation-{run_id}")
    except redis.RedisError as exc:
        log.warning("invalidation run %d not queued (%s); the sweeper will queue it", run_id, exc)
        return False
    return True


def per_petition(run: SignatureInvalidation) -> list[tuple[Petition, int]]:
    """The petitions whose signatures this run holds invalid now, most first."""
    rows = db.session.execute(
        select(Signature.petition_id, func.count().label("n"))
        .where(Signature.invalidation_id == run.id, Signature.valid.is_(False))
        .group_by(Signature.petition_id).order_by(desc("n")).limit(50)).all()
    petitions = {p.id: p for p in db.session.scalars(select(Petition).where(Petition.id.in_([r[0] for r in rows])))}
    return [(petitions[pid], n) for pid, n in rows]


def recent(limit: int = 50) -> list[SignatureInvalidation]:
    return db.session.scalars(select(SignatureInvalidation).order_by(desc(SignatureInvalidation.id))
                              .limit(limit)).all()
