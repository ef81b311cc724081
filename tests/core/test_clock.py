"""The one clock: nothing else reads the time, and the tests can choose it."""

from __future__ import annotations

import ast
import re
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from app.core import clock
from tests import timeshift

ROOT = Path(__file__).resolve().parents[2]
# Application code, the benchmarks' data, and the test factories that stamp rows as the
# application would.
SCANNED = [*sorted((ROOT / "app").rglob("*.py")), *sorted((ROOT / "bench").glob("*.py")),
           ROOT / "config.py", ROOT / "wsgi.py", ROOT / "tests" / "support.py"]
CLOCK = ROOT / "app" / "core" / "clock.py"
WALL_CLOCK = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
              ("time", "time"), ("time", "time_ns"), ("time", "localtime"), ("time", "gmtime"),
              ("time", "ctime"), ("func", "now"), ("func", "current_timestamp"), ("func", "localtimestamp")}
SQL_NOW = re.compile(r"\b(now\(\)|current_timestamp\b|localtimestamp\b|current_date\b)", re.IGNORECASE)


def wall_clock_reads(source: str) -> list[tuple[int, str]]:
    """(line, what) for every read of the time that bypasses app.core.clock: datetime.now(),
    date.today(), time.time() and friends (also as datetime.datetime.now or through
    `from time import time`), and SQL's now() as a function or in text."""
    found = []
    tree = ast.parse(source)
    imported = {alias.asname or alias.name: (node.module, alias.name)
                for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module in ("time", "datetime")
                for alias in node.names}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            owner = node.value.attr if isinstance(node.value, ast.Attribute) else getattr(node.value, "id", None)
            if (owner, node.attr) in WALL_CLOCK:
                found.append((node.lineno, f"{owner}.{node.attr}"))
        elif isinstance(node, ast.Name) and imported.get(node.id) in {("time", "time"), ("time", "time_ns")}:
            found.append((node.lineno, f"time.{imported[node.id][1]}"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_NOW.search(node.value):
            found.append((node.lineno, f"SQL {SQL_NOW.search(node.value).group(0)}"))
    return found


@pytest.mark.parametrize("snippet", [
    "from datetime import datetime\nx = datetime.now()",
    "import datetime\nx = datetime.datetime.utcnow()",
    "from datetime import date\nx = date.today()",
    "import time\nx = time.time()",
    "from time import time\nx = time()",
    "from sqlalchemy import func\nx = func.now()",
    "x = text('SELECT now()')",
    "created = Column(DateTime, server_default='CURRENT_TIMESTAMP')",
])
def test_the_scanner_finds_wall_clock_reads(snippet):
    assert wall_clock_reads(snippet), snippet


def test_the_scanner_leaves_other_time_alone():
    assert wall_clock_reads("import time\nt = time.monotonic()\ntime.sleep(1)\nfrom app import clock\nclock.now()") == []


def test_only_the_clock_module_reads_the_time():
    assert CLOCK.is_file()
    offenders = [f"{path.relative_to(ROOT)}:{line}: {what}"
                 for path in SCANNED if path != CLOCK
                 for line, what in wall_clock_reads(path.read_text())]
    assert offenders == [], "read the time through app.core.clock:\n" + "\n".join(offenders)


def test_migrations_leave_timestamps_to_the_application():
    offenders = [f"{path.name}:{line}: {what}" for path in sorted((ROOT / "migrations").rglob("*.py"))
                 for line, what in wall_clock_reads(path.read_text()) if what.startswith(("SQL", "func"))]
    assert offenders == []


def test_today_is_almatys_date(clock):
    clock.set(datetime(2026, 12, 31, 18, 59, tzinfo=UTC))
    assert clock.now() == datetime(2026, 12, 31, 18, 59, tzinfo=UTC)
    from app.core import clock as app_clock

    assert app_clock.today() == date(2026, 12, 31)
    clock.advance(minutes=1)  # 00:00 on 1 January in Almaty (UTC+5)
    assert app_clock.today() == date(2027, 1, 1)
    assert app_clock.now().tzinfo is UTC


def test_the_frozen_clock_stands_still_and_moves_on_demand(clock):
    before = clock.now()
    assert clock.now() == before
    assert clock.advance(timedelta(days=90)) == before + timedelta(days=90)
    with pytest.raises(ValueError):
        clock.set(datetime(2027, 1, 1))  # naive


def test_local_date_refuses_naive_instants():
    with pytest.raises(ValueError):
        clock.local_date(datetime(2027, 1, 1))


@pytest.mark.parametrize("raw", ["2026-13-01T00:00+05:00", "2026-12-31T23:30", "tomorrow"])
def test_a_bad_test_instant_is_refused(raw):
    with pytest.raises(ValueError):
        timeshift.parse_instant(raw)


def test_a_subprocess_joins_the_runs_timeline():
    """A worker started by a test reads the same "now" as the test (give or take the
    time it takes to start), with or without DAUYS_TEST_NOW."""
    out = subprocess.run(timeshift.command("--now"), cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert abs(datetime.fromisoformat(out.strip()) - clock.now()) < timedelta(seconds=30)
