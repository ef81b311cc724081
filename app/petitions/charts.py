"""Pictures of a petition, drawn on the server as SVG (readable without JavaScript,
each with a data table for screen readers): signatures over time, from the hourly
counts the aggregator keeps, and a tile map of Kazakhstan's 20 regions.

Only geometry and numbers here; the templates (petitions/_chart.html, _map.html) draw."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from app.core.clock import ALMATY, local_date
from app.models import Region, RegionKind

# --- signatures over time ------------------------------------------------------------

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 28
HOURLY_UP_TO = timedelta(hours=72)


@dataclass(frozen=True)
class Point:
    label: datetime     # the bucket's start (an hour, or an Almaty day at 00:00)
    added: int
    total: int
    x: float
    y: float
    removed: int = 0    # signatures removed as invalid in this bucket (the line steps down)


@dataclass(frozen=True)
class TimeChart:
    hourly: bool
    points: list[Point]
    line: str                    # the SVG path of the running total
    area: str                    # the same, closed down to the axis
    y_ticks: list[tuple[float, int]]
    x_ticks: list[tuple[float, datetime]]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom_y: float = HEIGHT - BOTTOM
    right_x: float = WIDTH - RIGHT
    steps: list[Point] = field(default_factory=list)   # where signatures were removed as invalid


def _nice_ceiling(n: int) -> int:
    if n <= 5:
        return 5
    magnitude = 10 ** int(math.log10(n))
    for step in (1, 2, 2.5, 5, 10):
        if n <= step * magnitude:
            return int(step * magnitude)
    return 10 * magnitude


def signatures_over_time(hours: list[tuple[datetime, int]], start: datetime | None,
                         end: datetime, removals=()) -> TimeChart | None:
    """The running total of valid signatures from `start` (opening) to `end` (now, or
    closing), by hour for the first three days and by Almaty day after; None when
    there is nothing to draw.

    `removals` (app.petitions.queries.Removal) are signatures removed as invalid: they
    are drawn as they were counted, until the moment of their removal, where the line
    steps down by their number (the public saw that total, and should see it fall)."""
    hours = list(hours)
    steps = [(removal.at, removal.count) for removal in removals]
    for removal in removals:
        hours.extend(removal.hours)
    if not hours:
        return None
    first = min(h for h, _ in hours)
    start = min(start or first, first)
    end = max([end, *(at for at, _ in steps)])
    hourly = end - start <= HOURLY_UP_TO
    buckets: dict[datetime, int] = {}
    if hourly:
        def key_of(moment: datetime) -> datetime:
            return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)

        cursor = key_of(start)
        while cursor <= end:
            buckets[cursor] = 0
            cursor += timedelta(hours=1)
    else:
        def key_of(moment: datetime) -> datetime:
            d = local_date(moment)
            return datetime(d.year, d.month, d.day, tzinfo=ALMATY)

        day, last = local_date(start), local_date(end)
        while day <= last:
            buckets[datetime(day.year, day.month, day.day, tzinfo=ALMATY)] = 0
            day += timedelta(days=1)
    for hour, n in hours:
        key = key_of(hour)
        buckets[key] = buckets.get(key, 0) + n
    removed: dict[datetime, int] = {}
    for at, n in steps:
        key = key_of(at)
        buckets.setdefault(key, 0)
        removed[key] = removed.get(key, 0) + n
    keys = sorted(buckets)
    running, peak = 0, 0
    for key in keys:
        running += buckets[key]
        peak = max(peak, running)
        running -= removed.get(key, 0)
    top = _nice_ceiling(peak)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    span = max(1, len(keys) - 1)
    points, total = [], 0
    for i, key in enumerate(keys):
        total += buckets[key] - removed.get(key, 0)
        x = LEFT + plot_w * i / span
        y = TOP + plot_h * (1 - total / top)
        points.append(Point(key, buckets[key], total, round(x, 1), round(y, 1), removed.get(key, 0)))
    line = "M" + " L".join(f"{p.x},{p.y}" for p in points)
    area = f"{line} L{points[-1].x},{HEIGHT - BOTTOM} L{points[0].x},{HEIGHT - BOTTOM} Z"
    y_ticks = [(round(TOP + plot_h * (1 - v / top), 1), v) for v in (0, top // 2, top)]
    step = max(1, len(points) // 4)
    x_ticks = [(p.x, p.label) for p in points[::step]]
    return TimeChart(hourly, points, line, area, y_ticks, x_ticks,
                     steps=[p for p in points if p.removed])


# --- the regions ---------------------------------------------------------------------

# Roughly where each region lies: (column west -> east, row north -> south).
TILES = {
    "KZ-59": (3, 0),                                      # North Kazakhstan
    "KZ-27": (0, 1), "KZ-39": (2, 1), "KZ-11": (3, 1), "KZ-71": (4, 1), "KZ-55": (5, 1), "KZ-63": (6, 1),
    "KZ-23": (0, 2), "KZ-15": (1, 2), "KZ-62": (3, 2), "KZ-35": (4, 2), "KZ-10": (5, 2),
    "KZ-47": (0, 3), "KZ-43": (1, 3), "KZ-61": (2, 3), "KZ-31": (3, 3), "KZ-19": (4, 3), "KZ-33": (5, 3),
    "KZ-79": (2, 4), "KZ-75": (4, 4),
}
TILE_W, TILE_H, GAP = 92, 56, 4
CLASSES = 5
SUFFIXES = (" облысы", " область", " Region")


@dataclass(frozen=True)
class Tile:
    region: Region
    count: int
    rate: float | None          # per 100,000 residents, when the population is known
    value: float                # what the colour shows
    shade: int                  # 0 (none) .. CLASSES
    x: int
    y: int
    label: list[str]            # the short name, on one or two lines
    city: bool


@dataclass(frozen=True)
class RegionMap:
    tiles: list[Tile]
    per_capita: bool            # colour by signatures per 100,000 residents (else by count)
    bounds: list[float]         # upper bound of each class, ascending
    width: int
    height: int


def per_100k(count: int, region: Region) -> float | None:
    """Signatures per 100,000 residents, to one decimal; None when the population is unknown."""
    return round(count * 100_000 / region.population, 1) if region.population else None


def short_name(region: Region, lang: str) -> list[str]:
    name = region.name(lang)
    for suffix in SUFFIXES:
        name = name.removesuffix(suffix)
    words = name.split()
    if len(name) <= 11 or len(words) == 1:
        return [name]
    middle = len(words) // 2
    return [" ".join(words[:middle]), " ".join(words[middle:])]


def region_map(regions: list[Region], counts: dict[int, int], lang: str) -> RegionMap:
    """Tiles for every region with a place in TILES. Per 100,000 residents when every
    region with signatures has a known population, else by count."""
    signed = [r for r in regions if counts.get(r.id)]
    per_capita = bool(signed) and all(r.population for r in signed)
    values = {}
    for r in regions:
        n = counts.get(r.id, 0)
        values[r.id] = (per_100k(n, r) or 0.0) if per_capita else float(n)
    top = max(values.values(), default=0.0)
    bounds = [top * (i + 1) / CLASSES for i in range(CLASSES)] if top else []
    tiles = []
    for r in regions:
        if r.code not in TILES:
            continue
        col, row = TILES[r.code]
        n, v = counts.get(r.id, 0), values[r.id]
        shade = 0 if not n else next((i + 1 for i, b in enumerate(bounds) if v <= b), CLASSES)
        tiles.append(Tile(r, n, per_100k(n, r), v, shade,
                          col * (TILE_W + GAP), row * (TILE_H + GAP), short_name(r, lang),
                          r.kind is RegionKind.CITY))
    cols = max(c for c, _ in TILES.values()) + 1
    rows = max(r for _, r in TILES.values()) + 1
    return RegionMap(tiles, per_capita, bounds, cols * (TILE_W + GAP), rows * (TILE_H + GAP))
