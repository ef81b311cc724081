"""Jobs that deliver the outbox. Functions of primitive ids; idempotent."""

from __future__ import annotations

import logging
import smtplib
import time
from datetime import timedelta

import redis
from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from app.core import clock
from app.core.database import unit_of_work
from app.core.jobs.scheduler import PeriodicJob
from app.core.outages import database_unavailable
from app.extensions import db
from app.mail import transport
from app.mail.outbox import due_for_delivery, enqueue_delivery
from app.models import OutboxEmail, OutboxStatus

log = logging.getLogger(__name__)

PERIODIC = (
    PeriodicJob("outbox-sweep", "app.mail.jobs.sweep_outbox", "OUTBOX_SWEEP_SECONDS", queue="mail"),
    PeriodicJob("outbox-purge", "app.mail.jobs.purge_bodies", "OUTBOX_PURGE_SECONDS", queue="mail"),
)

PURGED = ""

# Backoff after the n-th failed attempt, in seconds; the last value repeats.
BACKOFF = (10, 30, 60, 300, 900, 1800, 3600)


class DeliveryDeferred(RuntimeError):
    """Raised when a send failed and the row was scheduled for a later attempt."""


def _claim(email_id: int) -> bool:
    """Lease the row for this worker. True if we got it.

    The guarded UPDATE is the whole point: two workers (or a retry racing the sweep)
    can never both send a row, and a row whose sender died is claimable again only
    once its lease has run out.
    """
    now = clock.now()
    lease = now + timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    with unit_of_work():
        result = db.session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id == email_id, due_for_delivery(now))
            .values(
                status=OutboxStatus.SENDING,
                lease_until=lease,
                attempts=OutboxEmail.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
    return result.rowcount == 1


def _is_permanent(exc: Exception) -> bool:
    """5xx replies mean the server will never take this message; 4xx and network
    errors are worth another try."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def deliver_email(email_id: int) -> str:
    """Send one outbox row. Returns what happened.

    Raises DeliveryDeferred when the transport failed; the row is then pending again
    with a later next_attempt_at, and the sweep re-enqueues it when due.
    """
    if not _claim(email_id):
        return "skipped"
    row = db.session.get(OutboxEmail, email_id)
    try:
        transport.send(row)
    except (OSError, smtplib.SMTPException) as exc:
        attempts = row.attempts
        max_attempts = current_app.config["OUTBOX_MAX_ATTEMPTS"]
        delay = BACKOFF[min(attempts - 1, len(BACKOFF) - 1)]
        permanent = _is_permanent(exc) or attempts >= max_attempts
        with unit_of_work():
            row.status = OutboxStatus.FAILED if permanent else OutboxStatus.PENDING
            row.next_attempt_at = clock.now() + timedelta(seconds=delay)
            row.lease_until = None
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        log.warning("email %s attempt %s failed: %s", email_id, attempts, row.last_error)
        if permanent:
            return "failed"
        raise DeliveryDeferred(row.last_error) from exc
    _mark_sent(email_id)
    return "sent"


# After a send, how long to wait between tries to record it while the database is away.
MARK_SENT_WAITS = (0.5, 1, 2, 4, 8, 8, 8, 8)


def _mark_sent(email_id: int) -> None:
    """Record a send that happened. The email is out: if the database went away in the
    meantime (a restart), keep trying for about 40 s rather than let the lease expire and
    the row be sent a second time."""
    for wait in (*MARK_SENT_WAITS, None):
        try:
            with unit_of_work():
                db.session.execute(
                    update(OutboxEmail).where(OutboxEmail.id == email_id, OutboxEmail.status == OutboxStatus.SENDING)
                    .values(status=OutboxStatus.SENT, sent_at=clock.now(), lease_until=None, last_error=None)
                    .execution_options(synchronize_session=False))
            return
        except SQLAlchemyError as exc:
            if wait is None or not database_unavailable(exc):
                raise
            log.warning("email %s sent, not yet recorded: the database is away; trying again in %ss",
                        email_id, wait)
            time.sleep(wait)


def deliver_batch(email_ids: list[int]) -> dict:
    """Deliver several rows, one after the other; each is claimed on its own, so a
    row another worker has (or has sent) is skipped. A failed send defers that row
    only. Returns how many rows ended in each outcome."""
    outcomes: dict[str, int] = {}
    for email_id in email_ids:
        try:
            outcome = deliver_email(email_id)
        except DeliveryDeferred:
            outcome = "deferred"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def sweep_outbox(limit: int = 500) -> int:
    """Enqueue every row that is due: never enqueued (Redis was down), due for a retry,
    or abandoned by a worker that died mid-send. Returns how many were enqueued."""
    now = clock.now()
    with unit_of_work():
        ids = db.session.scalars(
            select(OutboxEmail.id)
            .where(due_for_delivery(now))
            .order_by(OutboxEmail.id)
            .limit(limit)
        ).all()
    if not ids:
        return 0
    try:
        enqueue_delivery(list(ids))
    except redis.RedisError as exc:
        log.warning("sweep cannot reach Redis: %s", exc)
        return 0
    return len(ids)


def purge_bodies() -> int:
    """Blank the bodies of emails delivered (or given up on) more than
    MAIL_BODY_RETENTION_DAYS ago: they held one-time links and personal words, and the
    row (to, subject, status, dates) is all the outbox page and the audit need. Idempotent;
    returns how many rows it blanked."""
    cutoff = clock.now() - timedelta(days=current_app.config["MAIL_BODY_RETENTION_DAYS"])
    done = (
        ((OutboxEmail.status == OutboxStatus.SENT) & (OutboxEmail.sent_at < cutoff))
        | ((OutboxEmail.status == OutboxStatus.FAILED) & (OutboxEmail.created_at < cutoff))
    )
    with unit_of_work():
        count = db.session.execute(
            update(OutboxEmail).where(done, or_(OutboxEmail.text_body != PURGED, OutboxEmail.html_body != PURGED))
            .values(text_body=PURGED, html_body=PURGED).execution_options(synchronize_session=False)
        ).rowcount
    if count:
        log.info("outbox: blanked the bodies of %d delivered emails", count)
    return count
