"""The language is part of the address: /kk/..., /ru/..., /en/... (as on eGov).

Every page lives under a language prefix; `url_for` fills it in from the page being
shown, so a link never changes the reader's language by accident. An address without a
prefix (`/`, an old link, a link from an email sent before the prefixes) is redirected
to the reader's language: the account's choice, else the `lang` cookie the language
form saves, else the browser's Accept-Language, else Kazakh, the state language.
"""

from __future__ import annotations

import re

from flask import Flask, current_app, g, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.routing import BaseConverter

LANG = "lang"  # the URL variable
LANGUAGE_COOKIE = "lang"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


def url_prefix(app: Flask) -> str:
    """`/<any(kk, ru, en):lang>`: only the three languages are addresses."""
    return "/<any({}):{}>".format(", ".join(app.config["LANGUAGES"]), LANG)


def old_path_converter(languages) -> type[BaseConverter]:
    """`<oldpath:old>`: a path whose first segment is not a language code, i.e. an
    address from before the prefixes (/petitions/5, /moderation/, /reset/<token>)."""
    # The first character must not start a language segment: "kk" followed by "/" or
    # by the end of the path; nor the JSON API's (an unsupported method there is a 405).
    names = [re.escape(code) for code in languages] + ["api"]
    pattern = "(?!(?:{})(?![^/]))[^/].*?".format("|".join(names))
    return type("OldPathConverter", (BaseConverter,), {"regex": pattern, "part_isolating": False})


def init_app(app: Flask) -> None:
    """Before the blueprints: their rules use the converter."""
    app.url_map.converters["oldpath"] = old_path_converter(app.config["LANGUAGES"])
    app.url_value_preprocessor(_pull)
    app.url_defaults(_push)


def _pull(endpoint: str | None, values: dict | None) -> None:
    """The language of the address goes to `g`, not to the view's arguments."""
    if values and LANG in values:
        g.url_language = values.pop(LANG)


def _push(endpoint: str, values: dict) -> None:
    """`url_for` keeps the current language unless told another one."""
    if LANG not in values and current_app.url_map.is_endpoint_expecting(endpoint, LANG):
        values[LANG] = current_language()


def current_language() -> str:
    return str(get_locale())


def address_language() -> str | None:
    """The language named by the address of this request, if it names one."""
    return g.get("url_language") if has_request_context() else None


def preferred_language() -> str:
    """For an address without a language: the account's choice, the saved cookie, the
    browser's Accept-Language, else Kazakh."""
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    saved = request.cookies.get(LANGUAGE_COOKIE)
    if saved in languages:
        return saved
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_locale() -> str:
    """Flask-Babel's locale: the address's language; outside a request (jobs render
    email under force_locale) or on an address without one, the preferred language."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    return address_language() or preferred_language()


def swap_language(path: str, language: str) -> str:
    """The same local path in another language: /kk/bodies -> /ru/bodies; a path
    without a language prefix gets one."""
    head, _, rest = path.lstrip("/").partition("/")
    if head in current_app.config["LANGUAGES"]:
        return f"/{language}/{rest}"
    return f"/{language}{path if path.startswith('/') else '/' + path}"
