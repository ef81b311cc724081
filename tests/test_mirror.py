"""Tests mirror the modules (STYLE.md, tests/): every service module, and the modules
named below, has a test module at the same path under tests/, named test_<module>.py,
with tests in it. A new app/<domain>/services.py fails here until its tests exist."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"

# Modules outside the services.py rule that keep a mirror of their own.
ALSO_MIRRORED = ("app/fraud/trending.py",)


def mirrored() -> list[str]:
    services = [p.relative_to(ROOT).as_posix() for p in sorted(APP.rglob("services.py"))]
    return services + [m for m in ALSO_MIRRORED if m not in services]


def mirror_of(module: str) -> Path:
    """app/review/services.py -> tests/review/test_services.py"""
    path = Path(module).relative_to("app")
    return ROOT / "tests" / path.parent / f"test_{path.name}"


def test_the_scan_sees_the_service_modules():
    found = mirrored()
    for module in ("app/accounts/services.py", "app/petitions/services.py", "app/review/services.py",
                   "app/fraud/trending.py"):
        assert module in found
    assert all((ROOT / m).is_file() for m in found)
    assert mirror_of("app/audit/services.py") == ROOT / "tests/audit/test_services.py"


@pytest.mark.parametrize("module", mirrored())
def test_every_service_module_has_a_same_named_test_module(module):
    mirror = mirror_of(module)
    where = mirror.relative_to(ROOT).as_posix()
    assert mirror.is_file(), f"{module} has no test module: write {where}"
    assert (mirror.parent / "__init__.py").is_file(), f"{where}: its folder needs an __init__.py"
    tree = ast.parse(mirror.read_text(encoding="utf-8"))
    tests = [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")]
    assert tests, f"{where} holds no test"
