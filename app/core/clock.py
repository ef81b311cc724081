"""The one clock of the application.

Application code reads "now" and "today" here and nowhere else (a test scans the
code for other reads), so a test can choose its time: the `clock` fixture freezes and
moves it, and `DAUYS_TEST_NOW` starts the whole suite at a chosen instant (see
tests/conftest.py). A rule about dates can then be tried on New Year's Eve, at Nauryz
or on a leap day, not only on the day the suite happens to run.

`now()` is aware and in UTC. Calendar dates are those of Asia/Almaty, where the
domain's dates live: due dates in working days, digests at 09:00, ages.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

ALMATY = ZoneInfo("Asia/Almaty")


def now() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return datetime.now(UTC)


def local_date(moment: datetime) -> date:
    """The Almaty calendar date of an aware instant. Raises ValueError for a naive one."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the clock only deals in aware instants")
    return moment.astimezone(ALMATY).date()


def today() -> date:
    """Today's date in Asia/Almaty (it differs from UTC's from 19:00 UTC on)."""
    return local_date(now())


def timestamp() -> float:
    """The current instant as seconds since the epoch (for Redis slots and leases)."""
    return now().timestamp()
