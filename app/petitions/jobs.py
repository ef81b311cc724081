"""Periodic petition jobs. Functions of primitive values; idempotent."""

from __future__ import annotations

import logging

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Petition, PetitionState
from app.petitions import lifecycle
from app.petitions.notifications import notify_author
from app.queue import PeriodicJob

log = logging.getLogger(__name__)

PERIODIC = (
    PeriodicJob("close-expired-petitions", "app.petitions.jobs.close_expired", "CLOSE_SWEEP_SECONDS"),
)


def close_expired(batch: int = 200) -> int:
    """Close open petitions whose signing period has ended and tell their authors.
    Each petition is closed in its own transaction; one that another run closed
    first is skipped. Returns how many this run closed."""
    ids = db.session.scalars(
        select(Petition.id).where(Petition.state == PetitionState.OPEN, Petition.closes_at <= clock.now())
        .order_by(Petition.closes_at).limit(batch)
    ).all()
    db.session.rollback()
    closed = 0
    for petition_id in ids:
        petition = db.session.get(Petition, petition_id)
        try:
            lifecycle.close(petition)
        except lifecycle.IllegalTransition:
            db.session.rollback()
            continue
        notify_author(petition, "closed")
        db.session.commit()
        closed += 1
    if closed:
        log.info("closed %d petitions", closed)
    return closed
