"""README.md's "## Layout" block names every package and top-level module under app/, and
every path it names exists: a reorganisation that forgets the README fails here."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"

# A module named in a package's description, relative to the package: "services.py",
# "jobs/queue.py".
MODULE_REF = re.compile(r"(?<![\w./])((?:[a-z_][a-z0-9_]*/)*[a-z_][a-z0-9_]*\.py)\b")


def layout() -> dict[str, str]:
    """The entries directly under app/ in the Layout block: name (``core/``, ``legal.py``) to
    its description, continuation lines included."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Layout\n", 1)[1]
    block = section.split("```", 2)[1]
    lines = block.splitlines()
    start = lines.index("app/")
    entries: dict[str, str] = {}
    current: list[str] = []
    for line in lines[start + 1:]:
        if not line.startswith("  "):
            break  # back at the top level: migrations/, tests/
        if line[2] != " ":
            words = line.split()
            names = [words.pop(0)]
            # "templates/ static/ ..." names several directories on one line.
            while names[0].endswith("/") and words and words[0].endswith("/"):
                names.append(words.pop(0))
            current = names
            for name in names:
                entries[name] = " ".join(words)
        else:
            for name in current:
                entries[name] += " " + line.strip()
    return entries


def packages() -> set[Path]:
    return {init.parent for init in APP.rglob("__init__.py")} - {APP}


def test_every_entry_exists():
    entries = layout()
    assert entries, "no Layout block found in README.md"
    for name, description in entries.items():
        path = APP / name.rstrip("/")
        if name.endswith("/"):
            assert path.is_dir(), f"README's Layout names app/{name}, which does not exist"
            if (path / "__init__.py").exists():
                for module in MODULE_REF.findall(description):
                    assert (path / module).is_file(), (
                        f"README's Layout names app/{name}{module}, which does not exist")
        else:
            assert path.is_file(), f"README's Layout names app/{name}, which does not exist"


def test_every_package_and_top_level_module_is_named():
    entries = layout()
    for module in sorted(APP.glob("*.py")):
        assert module.name in entries, f"app/{module.name} is missing from README's Layout"
    for package in sorted(packages()):
        parts = package.relative_to(APP).parts
        top = parts[0] + "/"
        assert top in entries, f"app/{top} is missing from README's Layout"
        if len(parts) > 1:
            # A package inside a package is named through its modules: "jobs/queue.py".
            inner = "/".join(parts[1:]) + "/"
            named = [module for module in MODULE_REF.findall(entries[top]) if module.startswith(inner)]
            assert named, f"app/{top}{inner} is missing from README's Layout"
