"""Sending digests: who is due for which period, and one record per official and
period. Flushes, never commits: app.digests.jobs commits per official."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.accounts import tokens
from app.core.clock import ALMATY
from app.digests.compose import Digest, Recipient, compose, default_since, last_sent, recipients
from app.extensions import db
from app.mail.outbox import queue_email
from app.models.digest import DigestFrequency, DigestPreference, DigestRecord
from app.web.requests import absolute_url

SEND_AT = time(9, 0)  # Asia/Almaty


def period_for(frequency: DigestFrequency, now: datetime) -> str | None:
    """The period a digest is due for at `now`, or None (before 09:00 Almaty, off,
    or a weekly official on a day other than Monday)."""
    local = now.astimezone(ALMATY)
    if frequency is DigestFrequency.OFF or local.time() < SEND_AT:
        return None
    if frequency is DigestFrequency.DAILY:
        return f"daily:{local.date().isoformat()}"
    if local.weekday() != 0:
        return None
    year, week, _ = local.isocalendar()
    return f"weekly:{year}-W{week:02d}"


@dataclass
class RunResult:
    due: int = 0
    sent: int = 0
    empty: int = 0
    already: int = 0
    failed: int = 0  # composing or queueing raised: logged, and the next run tries again


def preferences_link(user_id: int, language: str) -> str:
    token = tokens.make_token(tokens.Purpose.DIGEST_PREFERENCES, user_id, "digest")
    return absolute_url("digests.preferences_link", token=token, lang=language)


def _queue(digest: Digest, period: str):
    return queue_email(
        digest.official.email, "digest", digest.language, dedupe_key=f"digest:{digest.official.id}:{period}",
        subject=_l("Dauys digest for %(body)s: %(items)d items", body=digest.body.name(digest.language),
                   items=digest.items),
        digest=digest, user=digest.official, preferences_link=preferences_link(digest.official.id, digest.language),
        body_name=digest.body.name(digest.language),
    )


def due(now: datetime) -> tuple[RunResult, list[tuple[Digest, str]]]:
    """The digests due at `now`, composed, each with its period; `result` counts the
    officials due and those already served for their period. Reads only."""
    result = RunResult()
    pending: list[tuple[Recipient, str]] = []
    # Only the records of the periods that can be due now (today's, this week's): the
    # table keeps every digest ever sent. Served by the index on (period, user_id).
    periods_now = {period_for(frequency, now) for frequency in DigestFrequency} - {None}
    done = set(db.session.execute(select(DigestRecord.user_id, DigestRecord.period)
                                  .where(DigestRecord.period.in_(periods_now))).all()) if periods_now else set()
    for r in recipients():
        period = period_for(r.frequency, now)
        if period is None:
            continue
        if (r.official.id, period) in done:
            result.already += 1
            continue
        pending.append((r, period))
    result.due = len(pending)
    if not pending:
        return result, []
    sent_before = last_sent([r.official.id for r, _ in pending])
    periods = {r.official.id: p for r, p in pending}
    pairs = [(r, sent_before.get(r.official.id) or default_since(r.frequency, now)) for r, _ in pending]
    return result, [(digest, periods[digest.official.id]) for digest in compose(pairs, now)]


def record(digest: Digest, period: str, now: datetime) -> str:
    """Record this official's digest for `period` and queue its email (none when it is
    empty). Returns "sent", "empty", or "already" when another run recorded the period
    first: the (official, period) record is unique, so a period is sent at most once.
    Flushes, never commits."""
    # ON CONFLICT rather than a savepoint: on SQLite a savepoint opened first commits the
    # transaction when it is released, so a failure after it would keep the record.
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    entry_id = db.session.scalar(
        insert(DigestRecord).values(user_id=digest.official.id, body_id=digest.body.id, period=period,
                                    items=digest.items, created_at=now)
        .on_conflict_do_nothing(index_elements=["user_id", "period"]).returning(DigestRecord.id))
    if entry_id is None:
        return "already"
    if digest.is_empty:
        return "empty"
    email = _queue(digest, period)
    if email is not None:
        db.session.execute(update(DigestRecord).where(DigestRecord.id == entry_id)
                           .values(outbox_email_id=email.id))
    return "sent"


def set_preferences(user_id: int, frequency: DigestFrequency, language: str | None) -> None:
    pref = db.session.get(DigestPreference, user_id)
    if pref is None:
        pref = DigestPreference(user_id=user_id)
        db.session.add(pref)
    pref.frequency = frequency
    pref.language = language or None
    db.session.flush()


def get_preferences(user_id: int) -> tuple[DigestFrequency, str | None]:
    pref = db.session.get(DigestPreference, user_id)
    return (pref.frequency, pref.language) if pref else (DigestFrequency.DAILY, None)
