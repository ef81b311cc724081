"""The petition's pictures: the running total over time (hourly for three days, then
by Almaty day) and the tile map of the regions (per 100,000 residents when every signed
region's population is known, else counts)."""

from datetime import UTC, datetime

from sqlalchemy import select

from app.extensions import db
from app.models import Region
from app.petitions import charts
from tests.support import make_petition, make_user, page_text, settle, sign_as


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


def test_hourly_for_a_young_petition():
    opened = utc(2026, 11, 20, 9, 30)
    chart = charts.signatures_over_time([(utc(2026, 11, 20, 9), 3), (utc(2026, 11, 20, 12), 5)], opened,
                                        utc(2026, 11, 20, 13, 10))
    assert chart.hourly
    assert [(p.label.hour, p.added, p.total) for p in chart.points] == [
        (9, 3, 3), (10, 0, 3), (11, 0, 3), (12, 5, 8), (13, 0, 8)]
    assert chart.points[0].x == charts.LEFT and chart.points[-1].x == charts.WIDTH - charts.RIGHT
    assert chart.y_ticks[-1][1] == 10  # 8 rounded up to a readable top


def test_by_almaty_day_after_three_days():
    opened = utc(2026, 11, 1, 4)
    hours = [(utc(2026, 11, 1, 18), 2),   # 23:00 in Almaty: 1 November
             (utc(2026, 11, 1, 19), 7),   # 00:00 in Almaty: 2 November
             (utc(2026, 11, 5, 3), 1)]
    chart = charts.signatures_over_time(hours, opened, utc(2026, 11, 6, 10))
    assert not chart.hourly
    days = {p.label.date().isoformat(): (p.added, p.total) for p in chart.points}
    assert days["2026-11-01"] == (2, 2) and days["2026-11-02"] == (7, 9) and days["2026-11-05"] == (1, 10)
    assert len(chart.points) == 6 and chart.points[-1].total == 10


def test_nothing_to_draw():
    assert charts.signatures_over_time([], utc(2026, 11, 1), utc(2026, 11, 2)) is None


def test_the_map_colours_per_capita_or_by_count(app):
    regions = list(db.session.scalars(select(Region)))
    by_code = {r.code: r for r in regions}
    known = [r for r in regions if r.population][:2]
    counts = {known[0].id: 10, known[1].id: 1}
    m = charts.region_map(regions, counts, "en")
    assert m.per_capita and len(m.tiles) == 20
    tiles = {t.region.code: t for t in m.tiles}
    rates = {code: tiles[code].rate for code in (known[0].code, known[1].code)}
    top = max(rates, key=rates.get)
    assert tiles[top].shade == charts.CLASSES
    assert all(t.shade == 0 for t in m.tiles if t.count == 0)
    unknown = next(r for r in regions if not r.population)
    by_count = charts.region_map(regions, {unknown.id: 4, known[0].id: 2}, "en")
    assert not by_count.per_capita
    assert {t.region.code: t.shade for t in by_count.tiles}[unknown.code] == charts.CLASSES
    assert charts.short_name(by_code["KZ-27"], "kk") == ["Батыс", "Қазақстан"]
    assert charts.short_name(by_code["KZ-71"], "en") == ["Astana"]


def test_the_petition_page_draws_both_with_their_tables(client, app):
    petition = make_petition(signatures=2)
    sign_as(petition, make_user("astana@example.kz", region="KZ-71"), notify=False)
    settle()
    page = page_text(client.get(f"/en/petitions/{petition.id}"))
    assert 'class="chart-svg" role="img"' in page and 'class="map-svg" role="img"' in page
    assert "<title>Astana: 1 signature" in page
    assert "Signatures per 100,000 residents" in page
