"""Template globals and filters."""

from __future__ import annotations

import re
from datetime import UTC, timedelta

from flask import Flask, current_app, has_request_context, request, url_for
from flask_babel import format_date, format_datetime, format_decimal, format_timedelta, get_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape

from app.audit.names import action_name, outbox_status_name
from app.core import clock
from app.core.clock import ALMATY
from app.models import Role
from app.petitions import status
from app.petitions.names import CATEGORY_NAMES, REJECTION_NAMES, STATE_NAMES, STATUS_NAMES
from app.petitions.subjects import BY_KEY as SUBJECTS_BY_KEY
from app.petitions.subjects import EXCLUDED_SUBJECTS
from app.web.language import LANG, swap_language
from app.web.requests import absolute_url, share_url

LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
ROLE_NAMES = {
    "citizen": _l("Citizen"),
    "moderator": _l("Moderator"),
    "official": _l("Official"),
    "admin": _l("Administrator"),
}


def format_number(n) -> str:
    return format_decimal(n) if n is not None else "—"


_URL = re.compile(r"https?://[^\s<>\"']+")


def linkify(escaped: Markup) -> Markup:
    """Turn http(s) URLs in already-escaped text into links that leave the site."""
    def link(match):
        url = match.group(0).rstrip(".,;:!?)")
        rest = match.group(0)[len(url):]
        return f'<a href="{url}" rel="nofollow noopener noreferrer" target="_blank">{url}</a>{rest}'

    # Safe: the text was escaped, and a URL match cannot contain <, >, " or '.
    return Markup(_URL.sub(link, str(escaped)))  # noqa: S704


def response_html(text: str | None) -> Markup:
    """An official response: paragraphs and links, everything else escaped."""
    return linkify(paragraphs(text))


def paragraphs(text: str | None) -> Markup:
    """Plain text as HTML paragraphs: blank lines separate paragraphs, single line
    breaks stay. Everything is escaped first."""
    if not text:
        return Markup("")
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return Markup("").join(
        Markup("<p>") + Markup("<br>").join(escape(line) for line in block.split("\n")) + Markup("</p>")
        for block in blocks
    )


def page_in(language: str | None) -> str:
    """This page's address in another language (with its query), or without one
    (None: the address that sends each reader to their own language); that language's
    home page when this address has no language (an error on an unknown address)."""
    if has_request_context() and request.url_rule is not None and LANG in request.url_rule.arguments:
        path = swap_language(request.path, language) if language else request.path.split("/", 2)[2]
        path = path if path.startswith("/") else "/" + path
        query = request.query_string.decode("latin-1")
        return f"{path}?{query}" if query else path
    return url_for("site.home", lang=language) if language else "/"


def public_url(path: str) -> str:
    """A local path on PUBLIC_BASE_URL (never the request's Host header)."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def link_lifetime(setting: str) -> str:
    """How long an emailed link works, from the setting that decides it, in the reader's
    language ("3 days", "1 hour")."""
    return format_timedelta(timedelta(seconds=current_app.config[setting]), threshold=1)


def register(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    # Flask-Babel's lazy strings claim to be HTML (__html__), so Jinja would print a
    # translated message with a user's text inside it unescaped. Make them plain text.
    app.jinja_env.finalize = lambda value: str(value) if isinstance(value, LazyString) else value
    app.jinja_env.globals["role_enum"] = Role
    app.jinja_env.globals["eds_enabled"] = lambda: bool(current_app.config["EDS_TRUST_ANCHORS"])
    # The state's identity provider's name, or None while signing in through it is off.
    app.jinja_env.globals["state_idp_name"] = lambda: (current_app.config["OIDC_PROVIDER_NAME"]
                                                       if current_app.config["OIDC_DISCOVERY_URL"] else None)
    app.jinja_env.globals["link_lifetime"] = link_lifetime
    app.jinja_env.globals["absolute_url"] = absolute_url
    app.jinja_env.globals["share_url"] = share_url
    app.jinja_env.globals["page_in"] = page_in
    app.jinja_env.globals["public_url"] = public_url
    app.jinja_env.globals["state_names"] = STATE_NAMES
    app.jinja_env.globals["status_names"] = STATUS_NAMES
    app.jinja_env.globals["petition_status"] = status.public_status
    app.jinja_env.globals["petition_progress"] = lambda petition: status.progress(petition, clock.now())
    app.jinja_env.globals["category_names"] = CATEGORY_NAMES
    app.jinja_env.globals["rejection_names"] = REJECTION_NAMES
    app.jinja_env.globals["excluded_subjects"] = EXCLUDED_SUBJECTS
    app.jinja_env.globals["excluded_subject"] = SUBJECTS_BY_KEY.get

    @app.context_processor
    def globals_():
        return {
            "current_language": str(get_locale()),
            "language_names": LANGUAGE_NAMES,
            "role_names": ROLE_NAMES,
        }

    app.jinja_env.filters["paragraphs"] = paragraphs
    app.jinja_env.filters["response_html"] = response_html
    app.jinja_env.filters["audit_action"] = action_name
    app.jinja_env.filters["outbox_status"] = outbox_status_name
    # Attributes left out rather than rendered as "None".
    app.jinja_env.filters["drop_none"] = lambda attrs: {k: v for k, v in attrs.items() if v is not None}
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["short_moment"] = lambda d, hourly=False: (
        format_datetime(d, "d MMM, HH:mm") if hourly else format_date(d.astimezone(ALMATY).date(), "d MMM"))
    app.jinja_env.filters["atom_time"] = lambda d: d.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    app.jinja_env.filters["date"] = lambda d: format_date(d, "long") if d else "—"
    app.jinja_env.filters["datetime"] = lambda d: format_datetime(d, "medium") if d else "—"
