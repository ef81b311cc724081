"""Emails of the review: threshold reached (author, the body's officials, signers who
asked for news) and the official response (author, those signers).

Each email has a dedupe key per petition, kind and recipient, unique in the outbox,
so a retried or resumed fan-out never writes a second one."""

from __future__ import annotations

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from app.core import clock
from app.core.jobs import after_commit
from app.extensions import db
from app.mail.outbox import prefetch_dedupe_keys, queue_email
from app.models import ReviewCase, Signature, User
from app.petitions.services import unsubscribe_headers, unsubscribe_url
from app.web.requests import absolute_url

FANOUT_CHUNK = 200


def _subject(kind: str):
    return {
        "threshold": _l("A petition reached its threshold and goes to review"),
        "response": _l("The state body has answered the petition"),
    }[kind]


def _message(kind: str, audience: str, case: ReviewCase):
    title = case.petition.title
    if kind == "threshold" and audience == "official":
        return _l("The petition “%(title)s” has reached %(count)d signatures and is queued for your body's "
                  "review. The response is due by %(due)s.", title=title, count=case.petition.threshold_at_crossing,
                  due=_long_date(case.due_on))
    if kind == "threshold" and audience == "author":
        return _l("Your petition “%(title)s” has reached its threshold. It is now queued for review by the state "
                  "body, which must answer by %(due)s.", title=title, due=_long_date(case.due_on))
    if kind == "threshold":
        return _l("The petition “%(title)s” that you signed has reached its threshold and is queued for review by "
                  "the state body.", title=title)
    return _l("The state body has published its answer to the petition “%(title)s”:", title=title)


def _long_date(day):
    """The date as the recipient reads it ("2 December 2026", "2 желтоқсан 2026 ж."):
    formatted when the email is rendered, in the recipient's language."""
    return LazyString(lambda: format_date(day, "long"))


def _key(kind: str, audience: str, case: ReviewCase, user: User) -> str:
    return f"{kind}:{case.petition_id}:{audience}:{user.id}"


def _send(user: User, kind: str, audience: str, case: ReviewCase) -> None:
    """Queue one notice, its link in the recipient's language; a no-op if this
    recipient already has it (the outbox's dedupe key)."""
    if audience == "official":
        link = absolute_url("review.case", case_id=case.id, lang=user.language)
    else:
        link = absolute_url("petitions.show", petition_id=case.petition_id, lang=user.language)
    signer = audience == "signer"
    queue_email(user.email, "review_notice", user.language, dedupe_key=_key(kind, audience, case, user),
                headers=unsubscribe_headers(user, case.petition_id) if signer else None,
                subject=_subject(kind),
                message=_message(kind, audience, case), user=user, link=link,
                unsubscribe=unsubscribe_url(user, case.petition_id) if signer else None,
                note=case.response_text if kind == "response" else None)


def threshold_reached(case: ReviewCase, officials: list[User]) -> None:
    """The author and the officials now, in this transaction; signers by fan-out."""
    author = case.petition.author
    prefetch_dedupe_keys([_key("threshold", "author", case, author)]
                         + [_key("threshold", "official", case, o) for o in officials])
    _send(author, "threshold", "author", case)
    for official in officials:
        _send(official, "threshold", "official", case)
    after_commit.enqueue("app.review.jobs.fan_out", case.id, "threshold", queue="mail")


def response_published(case: ReviewCase) -> None:
    _send(case.petition.author, "response", "author", case)
    after_commit.enqueue("app.review.jobs.fan_out", case.id, "response", queue="mail")


def fan_out_chunk(case: ReviewCase, kind: str, size: int = FANOUT_CHUNK) -> int:
    """Write the next chunk of emails to signers who asked for news, and move the
    cursor, in the caller's transaction. Returns how many signers the chunk covered
    (0: done, and marked so)."""
    cursor_attr, done_attr = f"{kind}_fanout_cursor", f"{kind}_fanout_done_at"
    cursor = getattr(case, cursor_attr)
    rows = db.session.execute(
        select(Signature.id, User)
        .join(User, User.id == Signature.user_id)
        .where(Signature.petition_id == case.petition_id, Signature.id > cursor, Signature.notify.is_(True),
               Signature.valid.is_(True), Signature.user_id != case.petition.author_id, User.active.is_(True))
        .order_by(Signature.id)
        .limit(size)
    ).all()
    if not rows:
        setattr(case, done_attr, clock.now())
        db.session.flush()
        return 0
    prefetch_dedupe_keys([_key(kind, "signer", case, u) for _, u in rows])
    for _, user in rows:
        _send(user, kind, "signer", case)
    setattr(case, cursor_attr, rows[-1][0])
    db.session.flush()
    return len(rows)
