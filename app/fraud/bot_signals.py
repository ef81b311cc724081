"""Signals at the door that a form was sent by a script, not a person (as the UK
petitions site does): a honeypot field that people never see, and a minimum time
between showing the form and sending it.

A form class mixes in BotSignalsMixin and names its setting (`min_seconds_setting`); the
template renders `bot_signals(form)` from _forms.html. The time the form was shown is a
signed stamp in a hidden field, so a script cannot simply claim it waited. A form with
`single_use_stamp` (registration) takes a stamp once, and only from the browser session
that was shown the form: one stamp fetched by a script cannot open many accounts.
"""

from __future__ import annotations

import hashlib
import logging
import secrets

import redis
from flask import current_app, has_request_context, session
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from wtforms import HiddenField, StringField
from wtforms.validators import ValidationError

from app.core import clock, redis_client

log = logging.getLogger(__name__)

SALT = "dauys.form-shown-at"

HONEYPOT_MESSAGE = _l("This form could not be accepted. If you are a person, reload the page and send it again.")
STALE_MESSAGE = _l("This form was shown more than a day ago. Check what you entered and send it again.")
# A stamp older than this is refused (and renewed): one cannot be fetched once and reused.
MAX_AGE_SECONDS = 24 * 3600
TOO_FAST_MESSAGE = _l("That was quicker than anyone can fill in this form. Check what you entered and send it again.")
USED_MESSAGE = _l("This form was sent already, or from another browser. Check what you entered and send it again.")
SESSION_KEY = "form_key"
USED_KEY = "dauys:form-stamp-used:"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _session_tag() -> str | None:
    """This browser session's mark (made once per session), or None outside a request."""
    if not has_request_context():
        return None
    key = session.get(SESSION_KEY)
    if not isinstance(key, str):
        key = session[SESSION_KEY] = secrets.token_urlsafe(16)
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def shown_stamp() -> str:
    """When the form was shown, a nonce, and the session it was shown to; signed."""
    return _serializer().dumps({"t": clock.timestamp(), "n": secrets.token_urlsafe(12), "s": _session_tag()})


def _read(stamp: str | None) -> dict | None:
    if not stamp or len(stamp) > 200:
        return None
    try:
        value = _serializer().loads(stamp)
    except BadSignature:
        return None
    if isinstance(value, int | float):  # a stamp made before they carried more
        return {"t": value}
    if not isinstance(value, dict) or not isinstance(value.get("t"), int | float):
        return None
    return value


def _shown_at(stamp: str | None) -> float | None:
    value = _read(stamp)
    return float(value["t"]) if value else None


def _spend(stamp: str | None) -> bool:
    """Take a single-use stamp: True the first time, in the session it was made for; a
    Redis outage lets it through (limits fail open, as everywhere)."""
    value = _read(stamp)
    if value is None or not value.get("n") or value.get("s") != _session_tag():
        return False
    try:
        return bool(redis_client.connection().set(USED_KEY + str(value["n"]), 1, nx=True, ex=MAX_AGE_SECONDS))
    except redis.RedisError as exc:
        log.warning("form stamps not checked for reuse (%s)", exc)
        return True


class BotSignalsMixin:
    min_seconds_setting = "FORM_MIN_SECONDS"
    single_use_stamp = False

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
        if self.single_use_stamp:
            spent = _spend(field.data)
            # Shown again (a mistake to correct, or refused): with a stamp of its own.
            field.data = shown_stamp()
            if not spent:
                raise ValidationError(USED_MESSAGE)

    @property
    def bot_signal_errors(self) -> list[str]:
        return [*self.website.errors, *self.shown_at.errors]
