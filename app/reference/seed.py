"""Loading reference data. Inserts what is missing and never overwrites an
administrator's edits (populations, thresholds): a region's population follows the
reference file (a newer figure replaces an older one) until an administrator enters one."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from sqlalchemy import select

from app.audit.services import record
from app.extensions import db
from app.models import BodyLevel, Region, RegionKind, StateBody
from app.reference.bodies import (
    NATIONAL_REVIEW_DAYS,
    REGIONAL_REVIEW_DAYS,
    akimat,
    national_bodies,
)

REGIONS_CSV = Path(__file__).parent / "data" / "kz_regions.csv"


def read_regions(path: Path = REGIONS_CSV) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _population(row: dict) -> tuple[int | None, date | None, str | None]:
    if not row["population"]:
        return None, None, None
    return (int(row["population"]), date.fromisoformat(row["population_as_of"]) if row["population_as_of"] else None,
            row.get("source") or None)


def _follow_reference(region: Region, figure: tuple) -> int:
    """1 when the file's figure replaced the region's: only one nobody edited, and only by
    a figure at least as recent."""
    population, as_of, _source = figure
    if region.population_edited_at is not None or population is None:
        return 0
    if region.population_as_of is not None and (as_of is None or as_of < region.population_as_of):
        return 0
    if (region.population, region.population_as_of, region.population_source) == figure:
        return 0

    def snapshot():
        return {"population": region.population, "as_of": region.population_as_of.isoformat()
                if region.population_as_of else None, "source": region.population_source}

    before = snapshot()
    region.population, region.population_as_of, region.population_source = figure
    # A regional akimat's threshold may follow the population: the change is on record.
    record(None, "region.population", "region", region.id, before=before, after=snapshot(),
           reason="the reference file (flask seed)", channel="cli")
    return 1


def seed_reference() -> dict[str, int]:
    """Insert missing regions and bodies; bring populations nobody edited up to the
    reference file. Returns how many regions and bodies were added, populations updated."""
    added = {"regions": 0, "bodies": 0, "populations": 0}
    rows = read_regions()
    regions = {r.code: r for r in db.session.scalars(select(Region))}
    for row in rows:
        figure = _population(row)
        if row["code"] in regions:
            added["populations"] += _follow_reference(regions[row["code"]], figure)
            continue
        region = Region(
            code=row["code"],
            kind=RegionKind(row["kind"]),
            name_en=row["name_en"],
            name_kk=row["name_kk"],
            name_ru=row["name_ru"],
            centre_en=row["centre_en"],
        )
        region.population, region.population_as_of, region.population_source = figure
        db.session.add(region)
        regions[region.code] = region
        added["regions"] += 1
    db.session.flush()

    existing = set(db.session.scalars(select(StateBody.code)))
    for body in national_bodies():
        if body["code"] not in existing:
            db.session.add(StateBody(level=BodyLevel.NATIONAL,
                                     review_period_days=NATIONAL_REVIEW_DAYS, **body))
            added["bodies"] += 1
    for order, row in enumerate(rows):
        body = akimat(row, order)
        if body["code"] not in existing:
            db.session.add(StateBody(level=BodyLevel.REGIONAL, region=regions[row["code"]],
                                     review_period_days=REGIONAL_REVIEW_DAYS, **body))
            added["bodies"] += 1
    db.session.flush()
    return added
