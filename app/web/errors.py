"""Error pages in the user's language; never a stack trace. While the database is
unreachable, every request is answered 503 with Retry-After ("back soon") or, for an
anonymous reader of a public page, the shared cache's last copy marked as possibly out of
date; the log gets one warning per outage, not a traceback per request."""

from __future__ import annotations

import logging
import threading

from flask import Flask, current_app, g, jsonify, make_response, render_template, request
from flask_babel import force_locale, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

from app.core import clock
from app.core.outages import database_unavailable
from app.core.refusals import Refusal
from app.extensions import db
from app.web import caching
from app.web.forms import abandon
from app.web.language import LANGUAGE_COOKIE, address_language
from app.web.requests import safe_next_url

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back, reload the page and try again.")),
    401: (_l("Log in required"), _l("Please log in to open this page.")),
    403: (_l("Access denied"), _l("You do not have permission to open this page.")),
    404: (_l("Page not found"), _l("There is no page at this address. It may have been moved or removed.")),
    405: (_l("Method not allowed"), _l("This page cannot be used this way.")),
    409: (_l("Not possible now"), _l("This cannot be done in the current state of things, for example a petition that can no longer be edited or a case already answered. Reload the page to see where it stands.")),
    410: (_l("Gone"), _l("This page no longer exists.")),
    413: (_l("Too large"), _l("What you sent is too large.")),
    414: (_l("Address too long"), _l("The address of this page is too long. Check the link, or start again from the home page.")),
    422: (_l("Check the form"), _l("Some of what you entered needs correcting.")),
    429: (_l("Too many attempts"), _l("Too many attempts. Please wait a few minutes and try again later.")),
    500: (_l("Something went wrong"), _l("An error occurred on our side. We have been told about it; please try again later.")),
}


API_MESSAGES = {400: "bad request", 404: "not found", 405: "method not allowed", 414: "the address is too long",
                429: "too many requests",
                500: "internal error"}


def render_error(code: int, detail=None):
    if request.path.startswith("/api/"):
        # The API answers in JSON (its consumers are programs), in English.
        message = detail if isinstance(detail, str) else API_MESSAGES.get(code, "error")
        return jsonify({"error": code, "message": message}), code
    title, message = MESSAGES.get(code, MESSAGES[500])
    try:
        return render_template("errors/error.html", code=code, title=title, message=detail or message), code
    except Exception as exc:
        # The layout asks who is logged in; with the database away, the "back soon" page.
        if database_unavailable(exc):
            response = unavailable(exc)
            return response, response.status_code
        raise


_warned = {"at": float("-inf")}
_warned_lock = threading.Lock()
WARN_EVERY_SECONDS = 600  # about one line per outage


def _warn_once(exc: BaseException) -> None:
    """One line per outage (every ten minutes while it lasts) per process, never the traceback."""
    now = clock.timestamp()
    with _warned_lock:
        if now - _warned["at"] < WARN_EVERY_SECONDS:
            return
        _warned["at"] = now
    cause = getattr(exc, "orig", None) or exc
    log.warning("database unavailable (%s: %s): answering 503 until it is back", type(cause).__name__,
                str(cause).strip().splitlines()[0][:200] if str(cause).strip() else "")


def _reader_language() -> str:
    """Without the database: the address's language, the saved cookie, the browser's."""
    languages = current_app.config["LANGUAGES"]
    saved = request.cookies.get(LANGUAGE_COOKIE)
    return (address_language() or (saved if saved in languages else None)
            or request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"])


def _stale_notice(age: int) -> str:
    minutes = max(1, age // 60)
    text = ngettext("Dauys is briefly unavailable. This is a copy of the page from %(num)d minute ago: "
                    "it may be out of date.",
                    "Dauys is briefly unavailable. This is a copy of the page from %(num)d minutes ago: "
                    "it may be out of date.", minutes)
    return f'<p class="notice warn stale-notice" role="status">{escape(text)}</p>'


def unavailable(exc: BaseException):
    """The answer while the database is down (see the module's docstring)."""
    _warn_once(exc)
    g.database_unavailable = True
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 (the connection is gone; the pool discards it)
        log.debug("rollback after the outage failed", exc_info=True)
    retry_after = str(current_app.config["UNAVAILABLE_RETRY_AFTER"])
    with force_locale(_reader_language()):
        copy = caching.stale_copy(_stale_notice)
        if copy is not None:
            return copy
        if request.path.startswith("/api/"):
            response = jsonify({"error": 503, "message": "the service is briefly unavailable: retry in a minute"})
        else:
            # Rendered from the template alone: the base layout asks who is logged in, and
            # that asks the database.
            template = current_app.jinja_env.get_template("errors/unavailable.html")
            response = make_response(template.render(
                language=_reader_language(), retry_after=retry_after,
                again=safe_next_url(request.full_path.rstrip("?")) if request.method == "GET" else None))
    response.status_code = 503
    response.headers["Retry-After"] = retry_after
    response.headers["Cache-Control"] = "no-store"
    return response


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        log.info("CSRF refused: %s", exc.description)
        return render_error(400, _l("The form has expired or was not sent from this site. Reload the page and try again."))

    @app.errorhandler(Refusal)
    def refused(exc: Refusal):
        """A refusal no form showed: the error page with its message and status."""
        return render_error(abandon(exc), exc.message())

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code is None or exc.code < 400:
            return exc
        if exc.code >= 500:
            log.error("HTTP %s on %s %s", exc.code, request.method, request.path)
        body, code = render_error(exc.code, exc.description if request.path.startswith("/api/")
                                  and exc.description != type(exc).description else None)
        response = make_response(body, code)
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            response.headers["Allow"] = ", ".join(sorted(exc.valid_methods))  # RFC 9110
        return response

    @app.errorhandler(Exception)
    def unhandled(exc: Exception):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        if database_unavailable(exc):
            return unavailable(exc)
        # Log without the request body: forms carry passwords and IINs.
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return render_error(InternalServerError.code)
