"""Error pages in the user's language; never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

from app.extensions import db

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
    422: (_l("Check the form"), _l("Some of what you entered needs correcting.")),
    429: (_l("Too many attempts"), _l("Too many attempts. Please wait a few minutes and try again later.")),
    500: (_l("Something went wrong"), _l("An error occurred on our side. We have been told about it; please try again later.")),
}


API_MESSAGES = {400: "bad request", 404: "not found", 405: "method not allowed", 429: "too many requests",
                500: "internal error"}


def render_error(code: int, detail=None):
    if request.path.startswith("/api/"):
        # The API answers in JSON (its consumers are programs), in English.
        message = detail if isinstance(detail, str) else API_MESSAGES.get(code, "error")
        return jsonify({"error": code, "message": message}), code
    title, message = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title,
                           message=detail or message), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        log.info("CSRF refused: %s", exc.description)
        return render_error(400, _l("The form has expired or was not sent from this site. Reload the page and try again."))

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
        # Log without the request body: forms carry passwords and IINs.
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return render_error(InternalServerError.code)
