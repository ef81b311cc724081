"""Template globals and filters."""

from __future__ import annotations

from flask import Flask, has_request_context, request
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_babel import lazy_gettext as _l

from app.main.forms import LanguageForm
from app.net import absolute_url

LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
ROLE_NAMES = {
    "citizen": _l("Citizen"),
    "moderator": _l("Moderator"),
    "official": _l("Official"),
    "admin": _l("Administrator"),
}


def register(app: Flask) -> None:
    from app.models import Role

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals["role_enum"] = Role
    app.jinja_env.globals["absolute_url"] = absolute_url

    @app.context_processor
    def globals_():
        return {
            "current_language": str(get_locale()),
            "language_names": LANGUAGE_NAMES,
            "language_form": LanguageForm,
            "role_names": ROLE_NAMES,
            "current_path": request.full_path.rstrip("?") if has_request_context() else "/",
        }

    app.jinja_env.filters["number"] = lambda n: format_decimal(n) if n is not None else "—"
    app.jinja_env.filters["date"] = lambda d: format_date(d, "long") if d else "—"
    app.jinja_env.filters["datetime"] = lambda d: format_datetime(d, "medium") if d else "—"
