"""Showing a service's refusal where the user will read it."""

from flask import flash


def show_error(form, field_name: str | None, message) -> None:
    """Next to the form field the refusal is about, or, for no field of this form, as a
    flashed message at the top of the page."""
    field = getattr(form, field_name, None) if field_name else None
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        flash(str(message), "error")
