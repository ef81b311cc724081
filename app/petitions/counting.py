"""The one place that changes a petition's counts.

Signing inserts a signature and one `SignatureDelta` row: two INSERTs, no UPDATE of
the petition row, so signers never queue behind each other (the UK site fell over
in 2019 because every signature updated the same row). `aggregate()` folds a batch
of deltas into the totals and the per-region counts: it deletes the deltas and adds
them up in one transaction, so each is counted exactly once, and on PostgreSQL it
holds an advisory lock so only one aggregator works at a time.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import bindparam, case, delete, func, insert, literal, select, text, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.bodies import thresholds
from app.extensions import db
from app.models import (
    IdentityLevel,
    Petition,
    PetitionAssuranceCount,
    PetitionHourlyCount,
    PetitionRegionCount,
    Signature,
    SignatureDelta,
)

ADVISORY_LOCK_KEY = 0x6461_7579  # "dauy": any constant shared by every aggregator


def add_signature(petition_id: int, region_id: int, *, sponsor: bool, created_at: datetime | None = None,
                  assurance: IdentityLevel = IdentityLevel.SELF_DECLARED) -> None:
    """Record +1 for the petition (and its sponsors, and the signature's assurance) in the
    caller's transaction, stamped with the signature's own time (its hour is the hourly
    count it goes to)."""
    db.session.add(SignatureDelta(petition_id=petition_id, region_id=region_id, sponsor=sponsor, n=1,
                                  assurance=assurance,
                                  **({"created_at": created_at} if created_at is not None else {})))


def with_delta(signature_insert):
    """PostgreSQL: wrap an INSERT INTO signatures ... so that the same statement writes
    its count delta (a data-modifying CTE); returns the statement, which yields the
    new signature's sponsor flag, or no row if nothing was inserted."""
    signatures, deltas = Signature.__table__, SignatureDelta.__table__
    new = signature_insert.returning(signatures.c.petition_id, signatures.c.region_id, signatures.c.sponsor,
                                     signatures.c.created_at, signatures.c.assurance).cte("new_signature")
    return insert(deltas).from_select(
        ["petition_id", "region_id", "sponsor", "n", "created_at", "assurance"],
        select(new.c.petition_id, new.c.region_id, new.c.sponsor, literal(1), new.c.created_at, new.c.assurance),
    ).returning(deltas.c.sponsor)


@dataclass
class Batch:
    petitions: dict[int, int] = field(default_factory=dict)  # petition id -> signatures added
    locked_out: bool = False
    rows: int = 0  # deltas taken (an invalidation's negative ones make `folded` smaller)

    @property
    def folded(self) -> int:
        return sum(self.petitions.values())


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def take_lock() -> bool:
    """The aggregator's lock for this transaction (PostgreSQL); SQLite allows one
    writer at a time anyway."""
    if _dialect() != "postgresql":
        return True
    return bool(db.session.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": ADVISORY_LOCK_KEY}).scalar())


def aggregate(batch_size: int = 5000) -> Batch:
    """Fold up to `batch_size` deltas into the counts. Flushes, never commits: the
    caller commits (with whatever the new totals caused, such as a review case)."""
    result = Batch()
    if not take_lock():
        result.locked_out = True
        return result
    oldest = select(SignatureDelta.id).order_by(SignatureDelta.id).limit(batch_size)
    if _dialect() == "postgresql":
        oldest = oldest.with_for_update(skip_locked=True)
    rows = db.session.execute(
        delete(SignatureDelta)
        .where(SignatureDelta.id.in_(oldest.scalar_subquery()))
        .returning(SignatureDelta.petition_id, SignatureDelta.region_id, SignatureDelta.sponsor, SignatureDelta.n,
                   SignatureDelta.created_at, SignatureDelta.assurance)
        .execution_options(synchronize_session=False)
    ).all()
    if not rows:
        return result
    result.rows = len(rows)
    totals: Counter = Counter()
    sponsors: Counter = Counter()
    regions: dict[tuple[int, int], int] = defaultdict(int)
    hours: dict[tuple[int, datetime], int] = defaultdict(int)
    levels: dict[tuple[int, IdentityLevel], int] = defaultdict(int)
    for petition_id, region_id, sponsor, n, created_at, assurance in rows:
        totals[petition_id] += n
        levels[(petition_id, assurance)] += n
        if sponsor:
            sponsors[petition_id] += n
        regions[(petition_id, region_id)] += n
        hours[(petition_id, hour_of(created_at))] += n
    petitions = Petition.__table__
    # Core executemany, one statement per petition, in id order (no deadlocks between
    # aggregators on PostgreSQL even if the lock were ever bypassed).
    db.session.connection().execute(
        update(petitions)
        .where(petitions.c.id == bindparam("pid"))
        .values(signature_count=petitions.c.signature_count + bindparam("n"),
                sponsor_count=petitions.c.sponsor_count + bindparam("s")),
        [{"pid": pid, "n": n, "s": sponsors[pid]} for pid, n in sorted(totals.items())],
    )
    _fold(PetitionRegionCount, "region_id", regions)
    _fold(PetitionHourlyCount, "hour", hours)
    _fold(PetitionAssuranceCount, "assurance", levels)
    result.petitions = dict(totals)
    return result


def _row_order(item: tuple[tuple, int]) -> tuple:
    """(petition, key) in order, an enum key by its value: rows are locked in one order."""
    (petition_id, key), _n = item
    return petition_id, getattr(key, "value", key)


def _fold(model, key: str, changes: dict[tuple, int]) -> None:
    """Add each (petition, key) change to its count row. Additions insert or add (an
    upsert); removals (an invalidation's negative deltas) only subtract from the row
    that the signatures' own deltas made, since a CHECK (count >= 0) refuses the
    negative row an upsert would propose first."""
    up = sorted(((k, n) for k, n in changes.items() if n > 0), key=_row_order)
    down = sorted(((k, n) for k, n in changes.items() if n < 0), key=_row_order)
    table = model.__table__
    if up:
        insert = pg_insert if _dialect() == "postgresql" else sqlite_insert
        stmt = insert(model).values([{"petition_id": p, key: k, "count": n} for (p, k), n in up])
        db.session.execute(stmt.on_conflict_do_update(
            index_elements=["petition_id", key], set_={"count": model.count + stmt.excluded.count}))
    if down:
        db.session.connection().execute(
            update(table).where(table.c.petition_id == bindparam("pid"), table.c[key] == bindparam("k"))
            .values(count=table.c.count + bindparam("n")),
            [{"pid": p, "k": k, "n": n} for (p, k), n in down])


def hour_of(moment: datetime) -> datetime:
    """The start of the UTC hour of an instant (a bucket of petition_hourly_counts)."""
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.replace(minute=0, second=0, microsecond=0)


def pending(petition_id: int | None = None) -> int:
    """Signatures recorded but not yet folded into the totals."""
    query = select(func.coalesce(func.sum(SignatureDelta.n), 0))
    if petition_id is not None:
        query = query.where(SignatureDelta.petition_id == petition_id)
    return db.session.scalar(query)


@dataclass
class Drift:
    petition_id: int
    stored: int
    counted: int


RECOUNT = text("""
SELECT p.signature_count, p.sponsor_count,
  (SELECT count(*) FROM signatures s WHERE s.petition_id = p.id AND s.valid) AS rows_,
  (SELECT count(*) FROM signatures s WHERE s.petition_id = p.id AND s.valid AND s.sponsor) AS sponsor_rows,
  (SELECT coalesce(sum(d.n), 0) FROM signature_deltas d WHERE d.petition_id = p.id) AS pending_,
  (SELECT coalesce(sum(d.n), 0) FROM signature_deltas d WHERE d.petition_id = p.id AND d.sponsor) AS pending_sponsors
FROM petitions p WHERE p.id = :pid
""")

# Rows less pending deltas, per region, from one snapshot: a region whose every signature
# was just invalidated (its -n delta still pending) has no rows but is still counted.
REGION_RECOUNT = text("""
SELECT region_id, sum(n) FROM (
  SELECT s.region_id, 1 AS n FROM signatures s
  WHERE s.petition_id = :pid AND s.valid AND s.region_id IS NOT NULL
  UNION ALL
  SELECT d.region_id, -d.n FROM signature_deltas d WHERE d.petition_id = :pid
) AS both_ GROUP BY region_id
""")


# Rows less pending deltas, per assurance level, from one snapshot (as REGION_RECOUNT).
LEVEL_RECOUNT = text("""
SELECT assurance, sum(n) FROM (
  SELECT s.assurance, 1 AS n FROM signatures s WHERE s.petition_id = :pid AND s.valid
  UNION ALL
  SELECT d.assurance, -d.n FROM signature_deltas d WHERE d.petition_id = :pid
) AS both_ GROUP BY assurance
""")


def by_assurance(petition_id: int) -> dict[IdentityLevel, int]:
    """The petition's folded count of valid signatures per assurance level (levels with
    none are left out)."""
    return {row.assurance: row.count for row in db.session.scalars(
        select(PetitionAssuranceCount).where(PetitionAssuranceCount.petition_id == petition_id)) if row.count}


def counted_column(body, profile_name: str | None = None):
    """SQL for a petition's count toward `body`'s threshold: its total when every
    signature counts, else the sum of its counts at the levels the body's rule counts
    (under the named profile: the one its petitions were submitted under)."""
    levels = thresholds.counted_levels(body, profile_name)
    if IdentityLevel.SELF_DECLARED in levels:
        return Petition.signature_count
    return (select(func.coalesce(func.sum(PetitionAssuranceCount.count), 0))
            .where(PetitionAssuranceCount.petition_id == Petition.id, PetitionAssuranceCount.assurance.in_(levels))
            .scalar_subquery())


def counted_by_profile(body):
    """SQL: each petition's count toward `body`'s threshold, under the profile it records."""
    return case(*[(thresholds.same_profile(name), counted_column(body, name)) for name in thresholds.PROFILES],
                else_=counted_column(body))


def counted(petition: Petition) -> int:
    """The petition's folded count toward its body's threshold (see `counted_column`)."""
    levels = thresholds.petition_counted_levels(petition)
    if IdentityLevel.SELF_DECLARED in levels:
        return petition.signature_count
    return sum(n for level, n in by_assurance(petition.id).items() if level in levels)


def all_by_assurance(level: IdentityLevel) -> dict[int, int]:
    """Every petition's folded count at one level (petitions with none left out): one
    query for a whole list or export."""
    return dict(db.session.execute(select(PetitionAssuranceCount.petition_id, PetitionAssuranceCount.count)
                                   .where(PetitionAssuranceCount.assurance == level,
                                          PetitionAssuranceCount.count > 0)).all())


def reconcile_petition(pid: int) -> Drift | None:
    """Recount one petition from its valid signature rows and repair its totals and
    per-region counts if they drifted. Deltas not yet folded are taken into account:
    the recount is one statement, so rows and pending deltas come from one snapshot,
    and the aggregator's lock (held by the caller's transaction) keeps folding out
    meanwhile. Flushes, never commits. Returns the drift, or None."""
    row = db.session.execute(RECOUNT, {"pid": pid}).one_or_none()
    if row is None:
        return None
    stored, stored_sponsors, rows, sponsor_rows, pending_n, pending_s = row
    expected, expected_sponsors = rows - pending_n, sponsor_rows - pending_s
    region_rows = {r: n for r, n in db.session.execute(REGION_RECOUNT, {"pid": pid}) if n}
    stored_regions = {r.region_id: r.count for r in db.session.scalars(
        select(PetitionRegionCount).where(PetitionRegionCount.petition_id == pid)) if r.count}
    hour_rows = _hourly_recount(pid)
    stored_hours = {h.hour: h.count for h in db.session.scalars(
        select(PetitionHourlyCount).where(PetitionHourlyCount.petition_id == pid)) if h.count}
    level_rows = {IdentityLevel(a): n for a, n in db.session.execute(LEVEL_RECOUNT, {"pid": pid}) if n}
    stored_levels = by_assurance(pid)
    if (expected == stored and expected_sponsors == stored_sponsors and region_rows == stored_regions
            and hour_rows == stored_hours and level_rows == stored_levels):
        return None
    db.session.execute(update(Petition).where(Petition.id == pid)
                       .values(signature_count=expected, sponsor_count=expected_sponsors)
                       .execution_options(synchronize_session=False))
    db.session.execute(delete(PetitionRegionCount).where(PetitionRegionCount.petition_id == pid))
    for region_id, n in region_rows.items():
        db.session.add(PetitionRegionCount(petition_id=pid, region_id=region_id, count=n))
    db.session.execute(delete(PetitionHourlyCount).where(PetitionHourlyCount.petition_id == pid))
    for hour, n in hour_rows.items():
        db.session.add(PetitionHourlyCount(petition_id=pid, hour=hour, count=n))
    db.session.execute(delete(PetitionAssuranceCount).where(PetitionAssuranceCount.petition_id == pid))
    for level, n in level_rows.items():
        db.session.add(PetitionAssuranceCount(petition_id=pid, assurance=level, count=n))
    db.session.flush()
    return Drift(pid, stored, expected)


def hour_column(column):
    """SQL for the start of the UTC hour of a timestamp column (read it with as_hour)."""
    if _dialect() == "postgresql":
        return func.date_trunc("hour", func.timezone("UTC", column))
    return func.strftime("%Y-%m-%d %H:00:00", column)


def as_hour(value) -> datetime:
    return hour_of(datetime.fromisoformat(value) if isinstance(value, str) else value)


def _hourly_recount(pid: int) -> dict[datetime, int]:
    """Valid signature rows per UTC hour, less the deltas not yet folded: one statement,
    so rows and deltas come from one snapshot."""
    hour = hour_column

    both = union_all(
        select(hour(Signature.created_at).label("h"), literal(1).label("n"))
        .where(Signature.petition_id == pid, Signature.valid.is_(True)),
        select(hour(SignatureDelta.created_at).label("h"), (-SignatureDelta.n).label("n"))
        .where(SignatureDelta.petition_id == pid),
    ).subquery()
    counted: Counter = Counter()
    for h, n in db.session.execute(select(both.c.h, func.sum(both.c.n)).group_by(both.c.h)):
        counted[as_hour(h)] += n
    return {h: n for h, n in counted.items() if n}
