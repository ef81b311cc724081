"""The test run's clock, shared with the processes the tests start.

`DAUYS_TEST_NOW=<ISO 8601 instant>` makes the run start at that instant: pytest's
process travels there with time-machine (tests/conftest.py), and a worker or scheduler
that a test starts as `python -m tests.timeshift flask ...` travels to the same point
of the same timeline (the instant plus the real time elapsed since the run began), so
rows written by the test and read by the worker agree on what "now" is.
"""

from __future__ import annotations

import os
import runpy
import sys
import time
from datetime import datetime, timedelta

import time_machine

ANCHOR = "DAUYS_TEST_CLOCK_ANCHOR"  # "<instant ISO 8601>|<real epoch seconds then>"


def parse_instant(raw: str) -> datetime:
    """Raises ValueError for text that is not an aware ISO 8601 instant."""
    moment = datetime.fromisoformat(raw)
    if moment.tzinfo is None:
        raise ValueError(f"DAUYS_TEST_NOW must carry a UTC offset, e.g. 2026-12-31T23:30+05:00, not {raw!r}")
    return moment


def start_run(raw: str) -> time_machine.travel:
    """Travel to `raw` for the rest of this process, ticking; remember where the
    timeline was anchored for the subprocesses."""
    moment = parse_instant(raw)
    real = time.time()  # not travelling yet: the real time
    travel = time_machine.travel(moment, tick=True)
    travel.start().time_ns()  # the timeline starts now, not at the first read
    os.environ[ANCHOR] = f"{moment.isoformat()}|{real!r}"
    return travel


def follow_run() -> None:
    """In a subprocess: join the run's timeline, if the run has one."""
    anchor = os.environ.get(ANCHOR)
    if not anchor:
        return
    instant, real = anchor.split("|")
    elapsed = time.time() - float(real)  # not travelling yet: the real time
    time_machine.travel(parse_instant(instant) + timedelta(seconds=elapsed), tick=True).start()


def command(*args: str) -> list[str]:
    """`python -m <args>` that follows the run's clock, e.g. command("flask", "--app", "wsgi", "worker");
    command("--now") prints that process's "now"."""
    return [sys.executable, "-m", "tests.timeshift", *args]


if __name__ == "__main__":
    follow_run()
    if sys.argv[1] == "--now":  # what "now" is in a process that follows the run
        from app.core import clock

        print(clock.now().isoformat())
        sys.exit(0)
    module, sys.argv = sys.argv[1], sys.argv[1:]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
