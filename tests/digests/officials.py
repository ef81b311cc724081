"""Three officials of the Government for the digest tests: daily (the default), weekly
and off."""

from __future__ import annotations

from app.digests import services
from app.extensions import db
from app.models import DigestFrequency, Role
from tests.support import make_user


def make_officials():
    daily = make_user("daily@gov.kz", roles=(Role.OFFICIAL,), body="GOV")
    weekly = make_user("weekly@gov.kz", roles=(Role.OFFICIAL,), body="GOV")
    off = make_user("off@gov.kz", roles=(Role.OFFICIAL,), body="GOV")
    services.set_preferences(weekly.id, DigestFrequency.WEEKLY, None)
    services.set_preferences(off.id, DigestFrequency.OFF, None)
    db.session.commit()
    return daily, weekly, off
