"""Periodic petition jobs. Functions of primitive values; idempotent."""

from __future__ import annotations

import logging

from sqlalchemy import select

from app.extensions import db
from app.models import Petition, PetitionState
from app.models.base import utcnow
from app.petitions import lifecycle
from app.petitions.notifications import notify_author

log = logging.getLogger(__name__)


def close_expired(batch: int = 200) -> int:
    """Close open petitions whose signing period has ended and tell their authors.
    Each petition is closed in its own transaction; one that another run closed
    first is skipped. Returns how many this run closed."""
    ids = db.session.scalars(
        select(Petition.id).where(Petition.state == PetitionState.OPEN, Petition.closes_at <= utcnow())
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
