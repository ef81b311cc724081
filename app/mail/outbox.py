"""Writing email into the outbox, in the caller's transaction.

`queue_email()` adds a row to the session and never commits. When the caller's
transaction commits, a delivery job is enqueued for each new row; if Redis is down at
that moment, the periodic sweep finds the row later. Nothing is lost either way.
"""

from __future__ import annotations

import logging
import secrets
from email.utils import make_msgid

import redis
from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import OutboxEmail

log = logging.getLogger(__name__)
_SESSION_KEY = "dauys_new_outbox_ids"
# Dedupe keys whose presence in the outbox this transaction already knows (key -> bool).
_KNOWN_KEYS = "dauys_outbox_known_keys"


def prefetch_dedupe_keys(keys: list[str]) -> None:
    """Look up many dedupe keys in one query, so that queueing a chunk of emails (a
    fan-out) does not cost a query per email. Valid for the current transaction."""
    known = db.session.info.setdefault(_KNOWN_KEYS, {})
    wanted = [k for k in keys if k not in known]
    if not wanted:
        return
    present = set(db.session.scalars(select(OutboxEmail.dedupe_key).where(OutboxEmail.dedupe_key.in_(wanted))))
    for key in wanted:
        known[key] = key in present


def render_email(template: str, language: str, **context) -> dict:
    """Subject, text and HTML of an email, in `language` (also used for previews)."""
    with force_locale(language):
        return {
            "text": render_template(f"mail/{template}.txt", **context),
            "html": render_template(f"mail/{template}.html", **context),
            "subject": render_template(f"mail/{template}.subject.txt", **context).strip(),
        }


def queue_email(
    to: str,
    template: str,
    language: str,
    *,
    dedupe_key: str | None = None,
    **context,
) -> OutboxEmail | None:
    """Render `mail/<template>.{txt,html}` in `language` and add it to the outbox.

    The subject is the template's `subject` block. Returns None when `dedupe_key`
    names an email already queued (the call is then a no-op). Flushes, never commits.
    """
    known = db.session.info.setdefault(_KNOWN_KEYS, {})
    if dedupe_key is not None:
        if dedupe_key not in known:
            prefetch_dedupe_keys([dedupe_key])
        if known[dedupe_key]:
            return None
    rendered = render_email(template, language, **context)
    text, html, subject = rendered["text"], rendered["html"], rendered["subject"]
    domain = current_app.config["MAIL_FROM"].rsplit("@", 1)[-1].strip("> ")
    email = OutboxEmail(
        message_id=make_msgid(idstring=secrets.token_hex(8), domain=domain),
        dedupe_key=dedupe_key,
        to_address=to,
        subject=subject,
        text_body=text,
        html_body=html,
        language=language,
        template=template,
    )
    db.session.add(email)
    db.session.flush()
    db.session.info.setdefault(_SESSION_KEY, set()).add(email.id)
    if dedupe_key is not None:
        known[dedupe_key] = True
    return email


DELIVERY_BATCH = 50


def enqueue_delivery(email_ids: list[int]) -> None:
    """Enqueue delivery of these rows, in jobs of up to DELIVERY_BATCH rows (a job per
    email would spend more time forking workers than sending). Raises redis.RedisError."""
    from app import queue

    ids = sorted(email_ids)
    for start in range(0, len(ids), DELIVERY_BATCH):
        chunk = ids[start:start + DELIVERY_BATCH]
        queue.enqueue(
            "app.mail.jobs.deliver_batch",
            chunk,
            queue="mail",
            timeout=current_app.config["SMTP_TIMEOUT"] * 3 * len(chunk),
        )


_hooks_registered = False


def register_session_hooks() -> None:
    """Enqueue delivery after commit; forget new rows on rollback. Once per process:
    the listeners are on the Session class, shared by every app instance."""
    global _hooks_registered
    if _hooks_registered:
        return
    _hooks_registered = True

    @event.listens_for(Session, "after_commit")
    def _after_commit(session: Session) -> None:
        session.info.pop(_KNOWN_KEYS, None)
        ids = session.info.pop(_SESSION_KEY, None)
        if not ids:
            return
        try:
            enqueue_delivery(list(ids))
        except redis.RedisError as exc:
            log.warning("%d outbox rows not enqueued (%s); the sweep will send them", len(ids), exc)

    @event.listens_for(Session, "after_rollback")
    def _after_rollback(session: Session) -> None:
        session.info.pop(_SESSION_KEY, None)
        session.info.pop(_KNOWN_KEYS, None)
