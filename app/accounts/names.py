"""People's names as they type them: one shape for the registration form, the name page
and the command line."""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 100
# Letters of any script; parts joined by one space, hyphen or apostrophe ("Абдул-Азиз",
# "O'Neil", "Нұрлан қызы"). No digits, no punctuation beyond those.
_SHAPE = re.compile(r"[^\W\d_]+(?:[ '’ʼ-][^\W\d_]+)*")


def clean(value: str | None) -> str:
    """NFC (a letter typed as base + accent is one letter), spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def well_formed(value: str) -> bool:
    return _SHAPE.fullmatch(value) is not None
