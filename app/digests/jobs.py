"""The digest job: the scheduler starts it every few minutes; from 09:00 Asia/Almaty
it sends the day's digests (Mondays: the weekly ones too), and later runs find
nothing left to do."""

from app.digests import services
from app.models.base import utcnow


def send_digests() -> dict:
    result = services.run(utcnow())
    return result.__dict__
