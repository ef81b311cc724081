"""Every user-facing string is translated into Kazakh and Russian, with the same
placeholders, and the catalogues match the code."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_catalogue_is_complete(language):
    with (ROOT / "app" / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale=language)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for s in strings:
            if set(PLACEHOLDER.findall(s)) != wanted:
                problems.append(f"placeholders differ: {ids[0]!r} -> {s!r}")
        if message.fuzzy:
            problems.append(f"fuzzy: {ids[0]!r}")
    assert problems == []


def test_catalogue_covers_every_string_in_the_code(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "lazy_gettext", "-k", "_state_idp", "-o", str(pot), "--no-location", "."],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as fh:
        code_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    with (ROOT / "app" / "translations" / "kk" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh, locale="kk") if m.id}
    assert sorted(code_ids - known) == [], "run `make extract-messages` and translate"
