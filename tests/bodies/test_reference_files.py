"""The territory's reference files, checked as files (no database): every KATO code
unique and well formed, every parent present, the two region files agreeing, no unit
without the bodies the law gives it, populations only with a date and a source."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from app.reference.bodies import district_bodies
from app.reference.seed import DISTRICT_KINDS, TOP_LEVEL, read_regions, read_units


def test_kato_codes_are_unique_nine_digits_and_parents_exist():
    units = read_units()
    codes = [u["kato"] for u in units]
    assert len(codes) == len(set(codes)) == 248
    assert all(re.fullmatch(r"\d{9}", c) for c in codes)
    kinds = {u["kato"]: u["kind"] for u in units}
    for unit in units:
        if unit["kind"] in TOP_LEVEL:
            assert unit["parent_kato"] == "" and unit["kato"].endswith("0000000"), unit
        else:
            assert unit["kind"] in DISTRICT_KINDS, unit
            assert kinds.get(unit["parent_kato"]) in TOP_LEVEL, unit
            # KATO nests: a unit's code begins with its region's two digits.
            assert unit["kato"][:2] == unit["parent_kato"][:2], unit
            if unit["kind"] == "city_district":
                assert kinds[unit["parent_kato"]] == "city_republican", unit


def test_three_names_each_and_unique_within_a_region():
    units = read_units()
    for unit in units:
        assert all(unit[f"name_{lang}"].strip() == unit[f"name_{lang}"] != "" for lang in ("kk", "ru", "en")), unit
    for lang in ("kk", "ru", "en"):
        names = Counter((u["parent_kato"], u[f"name_{lang}"]) for u in units)
        assert [n for n, c in names.items() if c > 1] == []


def test_the_regions_file_and_the_units_file_name_the_same_twenty_regions():
    regions = read_regions()
    top = [u for u in read_units() if u["kind"] in TOP_LEVEL]
    assert sorted(r["name_en"] for r in regions) == sorted(u["name_en"] for u in top)
    assert len(top) == 20
    kinds = {r["name_en"]: r["kind"] for r in regions}
    for unit in top:
        assert (kinds[unit["name_en"]] == "city") == (unit["kind"] == "city_republican"), unit


def test_every_unit_has_an_akimat_and_where_the_law_gives_one_a_maslikhat():
    """Districts and cities of regional significance: an akimat and a maslikhat; the
    districts of Astana, Almaty and Shymkent: an akim's office (their city's maslikhat
    serves them). Regions' bodies are made from kz_regions.csv (tested with the seed)."""
    codes = []
    for order, unit in enumerate(u for u in read_units() if u["kind"] not in TOP_LEVEL):
        bodies = district_bodies(unit, order)
        kinds = sorted(b["kind"] for b in bodies)
        assert kinds == (["akimat"] if unit["kind"] == "city_district" else ["akimat", "maslikhat"]), unit
        for body in bodies:
            assert all(body[f"name_{lang}"] for lang in ("kk", "ru", "en"))
        codes += [b["code"] for b in bodies]
    assert len(codes) == len(set(codes))


def test_a_population_has_a_date_and_a_source_or_is_left_empty():
    for row in read_units() + read_regions():
        if row["population"]:
            assert int(row["population"]) > 0, row
            assert date.fromisoformat(row["population_as_of"]) <= date(2026, 12, 31), row
            assert row["source"].startswith("https://"), row
        else:
            assert row["population_as_of"] == "" and row["source"] == "", row
