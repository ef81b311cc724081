"""The request owns the transaction: one unit of work per request, committed once when
the answer is below 400 and rolled back otherwise (the shape of pyramid_tm). Routes
never commit or roll back; a refusal (4xx) or an error (5xx) leaves nothing behind.
A write that must survive the rollback goes through app.core.database.write_now.
"""

from __future__ import annotations

from flask import Flask, Response, current_app

from app.extensions import db


def init_app(app: Flask) -> None:
    """Register last: after_request hooks run in reverse order, so this one runs first and
    the caching and security-header hooks see the answer as it will be sent."""
    app.after_request(_finish)


def _finish(response: Response) -> Response:
    if response.status_code >= 400:
        db.session.rollback()
        return response
    try:
        db.session.commit()
    except Exception as exc:  # noqa: BLE001 (answered by the error handlers: 503, 409, 500)
        db.session.rollback()
        return current_app.make_response(current_app.handle_user_exception(exc))
    return response
