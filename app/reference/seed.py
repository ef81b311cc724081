"""Loading reference data. Inserts what is missing and never overwrites: an
administrator's later edits (populations, thresholds) survive a re-seed."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from sqlalchemy import select

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


def seed_reference() -> dict[str, int]:
    """Insert missing regions and bodies. Returns how many of each were added."""
    added = {"regions": 0, "bodies": 0}
    rows = read_regions()
    regions = {r.code: r for r in db.session.scalars(select(Region))}
    for row in rows:
        if row["code"] in regions:
            continue
        region = Region(
            code=row["code"],
            kind=RegionKind(row["kind"]),
            name_en=row["name_en"],
            name_kk=row["name_kk"],
            name_ru=row["name_ru"],
            centre_en=row["centre_en"],
            population=int(row["population"]) if row["population"] else None,
            population_as_of=date.fromisoformat(row["population_as_of"])
            if row["population_as_of"]
            else None,
        )
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
