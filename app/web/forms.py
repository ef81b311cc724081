"""Forms and refusals on a page: a refusal shown where the user will read it, and the
status a form page answers with.

A refusal ends the request's unit of work: whatever the service wrote before it is
abandoned (rolled back here, before the page that explains it is read from the
database), so that page sees the database as it was, and a statement that failed on
PostgreSQL (a unique-key race) spoils nothing it reads. The answer's 4xx status then
keeps app.web.transaction from committing anything written while rendering."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, render_template, request
from flask.typing import ResponseReturnValue

from app.core.refusals import Refusal
from app.extensions import db

FORM_ERROR = 422


def show_error(form, field_name: str | None, message) -> None:
    """Next to the form field the refusal is about, or, for no field of this form, as a
    flashed message at the top of the page."""
    field = getattr(form, field_name, None) if field_name else None
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        flash(str(message), "error")


def abandon(refusal: Refusal) -> int:
    """End the unit of work the refusal stopped (see the module's docstring); returns the
    refusal's status for the page that shows it."""
    db.session.rollback()
    return refusal.status


def flash_refusal(refusal: Refusal) -> int:
    """Abandon the work, flash the refusal's message for the page about to be shown;
    returns its status."""
    status = abandon(refusal)
    flash(refusal.message(), "error")
    return status


def refuse(form, refusal: Refusal, template: str, **context):
    """The form page again with the refusal's message on its field (or flashed), answered
    with the refusal's status, after abandoning the work it stopped."""
    abandon(refusal)
    show_error(form, refusal.field, refusal.message())
    return render_template(template, form=form, **context), refusal.status


def form_page(template: str, **context):
    """A form page: 200 when it is shown, 422 when a POST comes back to it (the form had
    errors), so the request's transaction rolls back and clients see the refusal."""
    return render_template(template, **context), FORM_ERROR if request.method == "POST" else 200


def submit(form, template: str, action: Callable[[], ResponseReturnValue], **context) -> ResponseReturnValue:
    """A form route's whole idiom: on a valid POST, `action` (one service call and the
    answer that follows it, a redirect or a page); a refusal it raises puts the form back
    with the message (see `refuse`); otherwise the form page (see `form_page`)."""
    if form.validate_on_submit():
        try:
            return action()
        except Refusal as exc:
            return refuse(form, exc, template, **context)
    return form_page(template, form=form, **context)
