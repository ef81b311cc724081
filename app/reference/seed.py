"""Loading reference data. Inserts what is missing and never overwrites an
administrator's edits (populations, thresholds): a unit's population follows the
reference file (a newer figure replaces an older one) until an administrator enters one.

Two files: kz_regions.csv (the 20 first-level units with their ISO codes, centres and
populations) and kz_units.csv (every unit of KATO down to districts, cities of regional
significance and the districts of the three large cities, with their parents; sources in
kz_units.SOURCES.md). A region is matched between the two by its English name.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from sqlalchemy import select

from app.audit.services import record
from app.extensions import db
from app.models import BodyKind, BodyLevel, District, DistrictKind, Region, RegionKind, StateBody
from app.reference.bodies import (
    LOCAL_REVIEW_DAYS,
    NATIONAL_REVIEW_DAYS,
    REGIONAL_REVIEW_DAYS,
    akimat,
    district_bodies,
    maslikhat,
    national_bodies,
)

DATA = Path(__file__).parent / "data"
REGIONS_CSV = DATA / "kz_regions.csv"
UNITS_CSV = DATA / "kz_units.csv"
TOP_LEVEL = ("region", "city_republican")
# kz_units.csv's kinds of second-level unit, as stored.
DISTRICT_KINDS = {"district": DistrictKind.DISTRICT, "city_regional": DistrictKind.CITY,
                  "city_district": DistrictKind.CITY_DISTRICT}


def read_regions(path: Path = REGIONS_CSV) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def read_units(path: Path = UNITS_CSV) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _population(row: dict) -> tuple[int | None, date | None, str | None]:
    if not row["population"]:
        return None, None, None
    return (int(row["population"]), date.fromisoformat(row["population_as_of"]) if row["population_as_of"] else None,
            row.get("source") or None)


def _follow_reference(unit: Region | District, figure: tuple) -> int:
    """1 when the file's figure replaced the unit's: only one nobody edited, and only by
    a figure at least as recent."""
    population, as_of, _source = figure
    if unit.population_edited_at is not None or population is None:
        return 0
    if unit.population_as_of is not None and (as_of is None or as_of < unit.population_as_of):
        return 0
    if (unit.population, unit.population_as_of, unit.population_source) == figure:
        return 0

    def snapshot():
        return {"population": unit.population, "as_of": unit.population_as_of.isoformat()
                if unit.population_as_of else None, "source": unit.population_source}

    before = snapshot()
    unit.population, unit.population_as_of, unit.population_source = figure
    # A local body's threshold may follow the population: the change is on record.
    kind = "region" if isinstance(unit, Region) else "district"
    record(None, f"{kind}.population", kind, unit.id, before=before, after=snapshot(),
           reason="the reference file (flask seed)", channel="cli")
    return 1


def _add_body(existing: set[str], added: dict, **values) -> None:
    if values["code"] not in existing:
        values["kind"] = BodyKind(values["kind"])
        db.session.add(StateBody(**values))
        existing.add(values["code"])
        added["bodies"] += 1


def _seed_regions(rows: list[dict], added: dict) -> dict[str, Region]:
    regions = {r.code: r for r in db.session.scalars(select(Region))}
    for row in rows:
        figure = _population(row)
        if row["code"] in regions:
            added["populations"] += _follow_reference(regions[row["code"]], figure)
            continue
        region = Region(code=row["code"], kind=RegionKind(row["kind"]), name_en=row["name_en"],
                        name_kk=row["name_kk"], name_ru=row["name_ru"], centre_en=row["centre_en"])
        region.population, region.population_as_of, region.population_source = figure
        db.session.add(region)
        regions[region.code] = region
        added["regions"] += 1
    db.session.flush()
    return regions


def _seed_districts(units: list[dict], regions: dict[str, Region], region_rows: list[dict],
                    added: dict) -> list[tuple[dict, District]]:
    """Set the regions' KATO codes, insert missing districts; the (row, district) pairs."""
    by_name = {row["name_en"]: regions[row["code"]] for row in region_rows}
    by_kato = {}
    for unit in units:
        if unit["kind"] in TOP_LEVEL:
            region = by_name[unit["name_en"]]
            region.kato = region.kato or unit["kato"]
            by_kato[unit["kato"]] = region
    districts = {d.kato: d for d in db.session.scalars(select(District))}
    pairs = []
    for unit in units:
        if unit["kind"] in TOP_LEVEL:
            continue
        figure = _population(unit)
        district = districts.get(unit["kato"])
        if district is not None:
            added["populations"] += _follow_reference(district, figure)
        else:
            district = District(kato=unit["kato"], kind=DISTRICT_KINDS[unit["kind"]],
                                region=by_kato[unit["parent_kato"]], name_kk=unit["name_kk"],
                                name_ru=unit["name_ru"], name_en=unit["name_en"])
            district.population, district.population_as_of, district.population_source = figure
            db.session.add(district)
            added["districts"] += 1
        pairs.append((unit, district))
    db.session.flush()
    return pairs


def seed_reference() -> dict[str, int]:
    """Insert missing regions, districts and bodies; bring populations nobody edited up
    to the reference files. Returns how many were added, and populations updated."""
    added = {"regions": 0, "districts": 0, "bodies": 0, "populations": 0}
    rows = read_regions()
    regions = _seed_regions(rows, added)
    pairs = _seed_districts(read_units(), regions, rows, added)

    existing = set(db.session.scalars(select(StateBody.code)))
    for body in national_bodies():
        _add_body(existing, added, level=BodyLevel.NATIONAL, review_period_days=NATIONAL_REVIEW_DAYS, **body)
    for order, row in enumerate(rows):
        for body in (akimat(row, order), maslikhat(row, order)):
            _add_body(existing, added, level=BodyLevel.REGIONAL, region=regions[row["code"]],
                      review_period_days=REGIONAL_REVIEW_DAYS, **body)
    for order, (unit, district) in enumerate(pairs):
        for body in district_bodies(unit, order):
            _add_body(existing, added, level=BodyLevel.DISTRICT, region=district.region, district=district,
                      review_period_days=LOCAL_REVIEW_DAYS, **body)
    db.session.flush()
    return added
