"""Signals at the door that a form was sent by a script, not a person (as the UK
petitions site does): a honeypot field that people never see, and a minimum time
between showing the form and sending it.

A form class mixes in BotSignalsMixin and names its setting (`min_seconds_setting`); the
template renders `bot_signals(form)` from _forms.html. The time the form was shown is a
signed stamp in a hidden field, so a script cannot simply claim it waited.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from wtforms import HiddenField, StringField
from wtforms.validators import ValidationError

from app.core import clock

SALT = "dauys.form-shown-at"

HONEYPOT_MESSAGE = _l("This form could not be accepted. If you are a person, reload the page and send it again.")
STALE_MESSAGE = _l("This form was shown more than a day ago. Check what you entered and send it again.")
# A stamp older than this is refused (and renewed): one cannot be fetched once and reused.
MAX_AGE_SECONDS = 24 * 3600
TOO_FAST_MESSAGE = _l("That was quicker than anyone can fill in this form. Check what you entered and send it again.")


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def shown_stamp() -> str:
    return _serializer().dumps(clock.timestamp())


def _shown_at(stamp: str | None) -> float | None:
    if not stamp or len(stamp) > 200:
        return None
    try:
        value = _serializer().loads(stamp)
    except BadSignature:
        return None
    return float(value) if isinstance(value, int | float) else None


class BotSignalsMixin:
    min_seconds_setting = "FORM_MIN_SECONDS"

    # The honeypot: hidden from people (off-screen, out of the tab order, hidden from
    # screen readers); scripts that fill every field fill it.
    website = StringField(_l("Leave this field empty"), render_kw={"autocomplete": "off", "tabindex": "-1"})
    shown_at = HiddenField(_l("The form"), default=shown_stamp)

    def validate_website(self, field):
        if field.data:
            raise ValidationError(HONEYPOT_MESSAGE)

    def validate_shown_at(self, field):
        minimum = current_app.config[self.min_seconds_setting]
        if minimum <= 0:
            return
        shown = _shown_at(field.data)
        if shown is not None and clock.timestamp() - shown > MAX_AGE_SECONDS:
            field.data = shown_stamp()
            raise ValidationError(STALE_MESSAGE)
        if shown is None or clock.timestamp() - shown < minimum:
            # A missing or forged stamp is a form not shown by us: treated the same.
            field.data = shown_stamp() if shown is None else field.data
            raise ValidationError(TOO_FAST_MESSAGE)

    @property
    def bot_signal_errors(self) -> list[str]:
        return [*self.website.errors, *self.shown_at.errors]
