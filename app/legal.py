"""The public pages an operator must publish (privacy notice, terms of use, petition
standards, help and contact, accessibility statement), kept as Markdown files in
app/content/legal/<page>.<language>.md that the operator edits, never in code.

Each file starts with a front matter block:

    ---
    title: Privacy notice
    version: 2026-11-23        (the privacy notice only: users confirm each new version)
    updated: 2026-11-23
    ---

The text may name settings in double braces ({{ operator_email }}, {{
fingerprint_retention_days }}, ...), and the periods of the threshold profile that the
pages' route passes in ({{ sponsors_required }}, {{ sponsor_period }}, {{
moderation_period }}, {{ collection_period }}: app.bodies.thresholds), so that what
the pages promise is what the configuration does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import markdown
from flask import current_app
from markupsafe import Markup

CONTENT = Path(__file__).parent / "content" / "legal"
PAGES = ("privacy", "terms", "standards", "help", "accessibility")
LANGUAGES = ("kk", "ru", "en")
SETTINGS = {
    "operator_name": "OPERATOR_NAME",
    "operator_email": "OPERATOR_EMAIL",
    "operator_address": "OPERATOR_ADDRESS",
    "fingerprint_retention_days": "FINGERPRINT_RETENTION_DAYS",
    "unverified_account_days": "UNVERIFIED_ACCOUNT_DAYS",
    "mail_body_retention_days": "MAIL_BODY_RETENTION_DAYS",
    "min_age_years": "MIN_AGE_YEARS",
    "contact_reply_working_days": "CONTACT_REPLY_WORKING_DAYS",
}
_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


@dataclass(frozen=True)
class Page:
    name: str
    language: str
    title: str
    updated: date
    version: str | None
    html: Markup


def _path(name: str, language: str) -> Path:
    return CONTENT / f"{name}.{language}.md"


def _split(text: str) -> tuple[dict[str, str], str]:
    if not text.startswith("---\n"):
        raise ValueError("a legal page starts with a front matter block")
    head, _, body = text[4:].partition("\n---\n")
    meta = {}
    for line in head.splitlines():
        key, _, value = line.partition(":")
        if key.strip():
            meta[key.strip()] = value.strip()
    return meta, body


@lru_cache(maxsize=64)
def _load(name: str, language: str, mtime: float, settings: tuple) -> Page:
    text = _path(name, language).read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    meta, body = _split(text)
    values = dict(settings)
    body = _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), body)
    html = markdown.markdown(body, extensions=["tables", "sane_lists"], output_format="html")
    return Page(name, language, meta["title"], date.fromisoformat(meta["updated"]), meta.get("version"),
                Markup(html))  # noqa: S704 (the operator's own files, in the repository)


def page(name: str, language: str, values: dict[str, str] | None = None) -> Page:
    """A page in a language (the file is read again when it changes), its placeholders
    filled from the settings and `values` (what the caller works out, e.g. the threshold
    profile's periods). KeyError for an unknown page or language."""
    if name not in PAGES or language not in LANGUAGES:
        raise KeyError(name)
    found = {key: current_app.config.get(setting, "") for key, setting in SETTINGS.items()}
    settings = tuple(sorted({**found, **(values or {})}.items()))
    return _load(name, language, _path(name, language).stat().st_mtime, settings)


def notice_version() -> str:
    """The privacy notice's version: users confirm each new one at their next log-in."""
    return page("privacy", "en").version or ""


def check(app) -> None:
    """At start-up: every page in every language reads, with a title and a date, and
    the privacy notice has one version everywhere (at most 20 characters). Raises
    ValueError naming the file, so an operator's slip stops a deploy, not log-ins."""
    with app.app_context():
        versions = set()
        for name in PAGES:
            for language in LANGUAGES:
                try:
                    found = page(name, language)
                except (KeyError, ValueError, OSError) as exc:
                    raise ValueError(f"{_path(name, language)}: {exc!r}") from exc
                if name == "privacy":
                    versions.add(found.version)
        if len(versions) != 1 or not next(iter(versions)) or len(next(iter(versions))) > 20:
            raise ValueError(f"the privacy notice needs one version of at most 20 characters in every "
                             f"language, not {sorted(map(str, versions))}")
