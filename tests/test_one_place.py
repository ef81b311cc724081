"""Claims that one module is "the one place" for something, checked by scanning app/.
(The wall clock has its own scan in tests/core/test_clock.py.)"""

import re
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1] / "app"


def offenders(pattern: str, allowed: set[str], suffix: str = ".py") -> list[str]:
    found = []
    for path in sorted(APP.rglob(f"*{suffix}")):
        where = path.relative_to(APP.parent).as_posix()
        if where in allowed:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(pattern, line):
                found.append(f"{where}:{number}: {line.strip()}")
    return found


@pytest.mark.parametrize(("claim", "pattern", "allowed"), [
    ("only app/core/redis_client.py makes Redis clients",
     r"\bredis\.Redis\(|\bRedis\.from_url\(|\bStrictRedis\b|\bRedis\(", {"app/core/redis_client.py"}),
    ("only the after-commit path listens to Session commits and rollbacks",
     r"listens_for\(\s*(Session|db\.session)|event\.listen\(\s*(Session|db\.session)|"
     r"[\"'](after_commit|after_rollback|after_soft_rollback)[\"']",
     {"app/core/jobs/after_commit.py"}),
    ("only app/petitions/counting.py changes signature counts",
     r"\b(signature_count|sponsor_count)\s*=(?!=)|\.signature_count\s*\+=|\.sponsor_count\s*\+=",
     {"app/petitions/counting.py", "app/models/petition.py"}),
    ("only app/core/database.py opens transactions of its own (write_now)",
     r"\.engine\.(begin|connect)\(|\bSession\(|sessionmaker\(", {"app/core/database.py"}),
])
def test_the_one_place(claim, pattern, allowed):
    assert offenders(pattern, allowed) == [], claim
