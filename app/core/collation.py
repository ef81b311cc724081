"""Alphabetical order in each language, by ICU's collation rules (CLDR): in Kazakh Қ
comes after К, Ұ and Ү after У, І after Ы; a code-point sort would put them last."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

import icu

T = TypeVar("T")
_local = threading.local()  # a collator per thread: ICU's are not to be shared while in use


def _collator(language: str) -> icu.Collator:
    collators = _local.__dict__.setdefault("collators", {})
    if language not in collators:
        collators[language] = icu.Collator.createInstance(icu.Locale(language))
    return collators[language]


def sort_key(language: str) -> Callable[[str], bytes]:
    """A key function ordering text as a reader of `language` expects."""
    return _collator(language).getSortKey


def alphabetical(items: Iterable[T], language: str, name: Callable[[T], str]) -> list[T]:
    """`items` ordered by `name(item)` in the alphabet of `language`."""
    key = sort_key(language)
    return sorted(items, key=lambda item: key(name(item)))
