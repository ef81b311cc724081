"""Forms and refusals on a page: a refusal shown where the user will read it, and the
status a form page answers with."""

from __future__ import annotations

from flask import flash, render_template, request

from app.core.refusals import Refusal

FORM_ERROR = 422


def show_error(form, field_name: str | None, message) -> None:
    """Next to the form field the refusal is about, or, for no field of this form, as a
    flashed message at the top of the page."""
    field = getattr(form, field_name, None) if field_name else None
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        flash(str(message), "error")


def refuse(form, refusal: Refusal, template: str, **context):
    """The form page again with the refusal's message on its field (or flashed), answered
    with the refusal's status: the request's transaction rolls back."""
    show_error(form, refusal.field, refusal.message())
    return render_template(template, form=form, **context), refusal.status


def form_page(template: str, **context):
    """A form page: 200 when it is shown, 422 when a POST comes back to it (the form had
    errors), so the request's transaction rolls back and clients see the refusal."""
    return render_template(template, **context), FORM_ERROR if request.method == "POST" else 200
