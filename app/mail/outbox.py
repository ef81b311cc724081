"""Writing email into the outbox, in the caller's transaction.

`queue_email()` adds a row to the session and never commits. When the caller's
transaction commits, delivery jobs are enqueued for the new rows (app.queue's one
after-commit path); if Redis is down at that moment, the periodic sweep finds the
rows later. Nothing is lost either way.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from email.utils import make_msgid

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import ColumnElement, or_, select

from app.core.jobs import after_commit, queue
from app.extensions import db
from app.models import OutboxEmail, OutboxStatus

DELIVERY_JOB = "app.mail.jobs.deliver_batch"
# Rows per delivery job: a job per email would spend more time forking workers than sending.
DELIVERY_BATCH = 50
# Dedupe keys whose presence in the outbox the current transaction knows (key -> bool).
_KNOWN_KEYS = "dauys_outbox_known_keys"


def _known() -> dict[str, bool]:
    """This transaction's knowledge of dedupe keys; a new transaction starts afresh
    (another one may have written the key since)."""
    db.session.connection()  # begin the transaction now, so that it has an identity
    transaction = db.session().get_transaction()
    held = db.session.info.get(_KNOWN_KEYS)
    if held is None or held[0] is not transaction:
        held = (transaction, {})
        db.session.info[_KNOWN_KEYS] = held
    return held[1]


def _delivery() -> dict:
    return {"queue": "mail", "batch_size": DELIVERY_BATCH, "timeout_each": current_app.config["SMTP_TIMEOUT"] * 3}


def prefetch_dedupe_keys(keys: list[str]) -> None:
    """Look up many dedupe keys in one query, so that queueing a chunk of emails (a
    fan-out) does not cost a query per email. Valid for the current transaction."""
    known = _known()
    wanted = [k for k in keys if k not in known]
    if not wanted:
        return
    present = set(db.session.scalars(select(OutboxEmail.dedupe_key).where(OutboxEmail.dedupe_key.in_(wanted))))
    for key in wanted:
        known[key] = key in present


def due_for_delivery(now: datetime) -> ColumnElement[bool]:
    """The one condition for a row being due for delivery at `now`: pending and its next
    attempt has come, or being sent by a worker whose lease has run out (it died mid-send).
    Claiming a row and the sweep both ask it."""
    return or_(
        (OutboxEmail.status == OutboxStatus.PENDING) & (OutboxEmail.next_attempt_at <= now),
        (OutboxEmail.status == OutboxStatus.SENDING) & (OutboxEmail.lease_until < now),
    )


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
    headers: dict[str, str] | None = None,
    **context,
) -> OutboxEmail | None:
    """Render `mail/<template>.{txt,html}` in `language` and add it to the outbox.

    The subject is the template's `subject` block. Returns None when `dedupe_key`
    names an email already queued (the call is then a no-op). Flushes, never commits.
    """
    if to.endswith("@deleted.invalid"):
        return None  # an account its owner deleted (app.accounts.own_data): no one to write to
    known = _known()
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
        headers=headers or None,
    )
    db.session.add(email)
    db.session.flush()
    after_commit.enqueue_batched(DELIVERY_JOB, email.id, **_delivery())
    if dedupe_key is not None:
        known[dedupe_key] = True
    return email


def enqueue_delivery(email_ids: list[int]) -> None:
    """Enqueue delivery of these rows now, DELIVERY_BATCH rows a job. Raises redis.RedisError."""
    queue.enqueue_batched(DELIVERY_JOB, sorted(email_ids), **_delivery())
