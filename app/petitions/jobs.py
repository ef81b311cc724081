"""Periodic petition jobs. Functions of primitive values; idempotent."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, exists, or_, select, update

from app.bodies.thresholds import profile_of
from app.core import clock
from app.core.database import unit_of_work
from app.core.jobs.scheduler import PeriodicJob
from app.extensions import db
from app.models import Petition, PetitionState, ReviewCase, Signature
from app.petitions import lifecycle
from app.petitions.notifications import notify_author

log = logging.getLogger(__name__)

PERIODIC = (
    PeriodicJob("close-expired-petitions", "app.petitions.jobs.close_expired", "CLOSE_SWEEP_SECONDS"),
    PeriodicJob("lapse-unsponsored-petitions", "app.petitions.jobs.lapse_unsponsored", "CLOSE_SWEEP_SECONDS"),
    PeriodicJob("erase-fingerprints", "app.petitions.jobs.erase_fingerprints", 24 * 3600),
)


def _one_by_one(query, step) -> int:
    """Run `step(petition)` for each petition the query finds, each in its own
    transaction; one another run (or a person) moved first is skipped. `step` returns
    whether it acted. Returns how many it acted on."""
    with unit_of_work():
        ids = db.session.scalars(query).all()
    done = 0
    for petition_id in ids:
        try:
            with unit_of_work():
                done += bool(step(db.session.get(Petition, petition_id)))
        except lifecycle.IllegalTransition:
            continue
    return done


def close_expired(batch: int = 200) -> int:
    """Close open petitions whose signing period has ended and tell their authors.
    Returns how many this run closed."""

    def close(petition: Petition) -> bool:
        lifecycle.close(petition)
        notify_author(petition, "closed")
        return True

    closed = _one_by_one(select(Petition.id).where(Petition.state == PetitionState.OPEN,
                                                   Petition.closes_at <= clock.now())
                         .order_by(Petition.closes_at).limit(batch), close)
    if closed:
        log.info("closed %d petitions", closed)
    return closed


def lapse_unsponsored(batch: int = 200) -> int:
    """Lapse petitions whose link-only stage ended (the day after `sponsors_due_on`,
    Almaty time) without their sponsors, and tell their authors; one that found its last
    sponsor meanwhile is left to the counting sweep, which moves it to moderation.
    Returns how many lapsed."""

    def lapse(petition: Petition) -> bool:
        if petition.sponsor_count >= profile_of(petition).sponsors_required():
            return False
        lifecycle.lapse(petition)
        notify_author(petition, "lapsed")
        return True

    lapsed = _one_by_one(select(Petition.id).where(Petition.state == PetitionState.COLLECTING_SPONSORS,
                                                   Petition.sponsors_due_on < clock.today())
                         .order_by(Petition.sponsors_due_on, Petition.id).limit(batch), lapse)
    if lapsed:
        log.info("%d petitions lapsed without their sponsors", lapsed)
    return lapsed


def erase_fingerprints(batch: int = 10_000) -> int:
    """Erase the address, network and browser fingerprints of the signatures of every
    petition whose course ended more than FINGERPRINT_RETENTION_DAYS ago (as the UK
    anonymises closed petitions): answered by its state body, or closed, rejected,
    hidden or lapsed without a review case. Counts and everything else stay. Idempotent, in
    batches; returns how many signatures it cleared."""
    cutoff = clock.now() - timedelta(days=current_app.config["FINGERPRINT_RETENTION_DAYS"])
    answered = select(ReviewCase.petition_id).where(ReviewCase.answered_at < cutoff)
    no_case = ~exists().where(ReviewCase.petition_id == Petition.id)
    ended_alone = select(Petition.id).where(no_case, or_(
        and_(Petition.state == PetitionState.CLOSED, Petition.closed_at < cutoff),
        and_(Petition.state.in_((PetitionState.REJECTED, PetitionState.HIDDEN, PetitionState.LAPSED)),
             Petition.decided_at < cutoff)))
    has_any = or_(Signature.ip_hmac.is_not(None), Signature.network_hmac.is_not(None),
                  Signature.user_agent_hash.is_not(None))
    cleared, last = 0, 0
    while True:
        with unit_of_work():
            ids = db.session.scalars(select(Signature.id).where(
                or_(Signature.petition_id.in_(answered), Signature.petition_id.in_(ended_alone)), has_any,
                Signature.id > last).order_by(Signature.id).limit(batch)).all()
            if ids:
                db.session.execute(update(Signature).where(Signature.id.in_(ids))
                                   .values(ip_hmac=None, network_hmac=None, user_agent_hash=None)
                                   .execution_options(synchronize_session=False))
        if not ids:
            break
        cleared += len(ids)
        last = ids[-1]
    if cleared:
        log.info("erased the fingerprints of %d signatures", cleared)
    return cleared
