"""A citizen's own data: everything held about them as JSON, moving to another region,
and deleting the account (Law of the Republic of Kazakhstan "On Personal Data and Their
Protection"). Flushes, never commits.

Deleting erases the person: email, name, password, birth date, region, second factor,
sessions, the fingerprints of their signatures; their signatures stay counted and
anonymous (never shown with a name again), and only the keyed hash of the IIN is kept,
so that the same person cannot sign the same petitions twice. Registering again with
that IIN takes the old account back (its signatures count as the person's again).
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update

from app.accounts import names, sessions, two_factor
from app.accounts.messages import ERRORS
from app.accounts.passwords import verify_password
from app.audit.services import record
from app.core import clock
from app.core.clock import local_date
from app.core.refusals import Refusal
from app.extensions import db
from app.models import (
    AuditEntry,
    DigestPreference,
    OutboxEmail,
    OutboxStatus,
    Petition,
    RecoveryCode,
    Region,
    Report,
    Signature,
    User,
    UserSession,
)

DELETED_DOMAIN = "@deleted.invalid"  # a reserved name (RFC 2606): nothing is ever sent there


class OwnDataError(Refusal):
    """A change to one's own data refused: `code` the reason, `field` the form field
    (messages: app.accounts.messages)."""

    messages = ERRORS


def _when(moment):
    return moment.isoformat() if moment is not None else None


def export(user: User) -> dict:
    """Every row about this person, and nothing about anyone else (the staff who acted
    on the account appear by their role, not their name)."""
    signatures = db.session.execute(
        select(Signature, Petition.title).join(Petition, Petition.id == Signature.petition_id)
        .where(Signature.user_id == user.id).order_by(Signature.id)).all()
    petitions = db.session.scalars(select(Petition).where(Petition.author_id == user.id).order_by(Petition.id)).all()
    reports = db.session.scalars(select(Report).where(Report.reporter_id == user.id).order_by(Report.id)).all()
    own_sessions = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)
                                      .order_by(UserSession.id)).all()
    emails = db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == user.email)
                                .order_by(OutboxEmail.id)).all()
    audit = db.session.scalars(select(AuditEntry).where(
        or_(AuditEntry.actor_id == user.id, (AuditEntry.target_type == "user") & (AuditEntry.target_id == user.id)))
        .order_by(AuditEntry.id)).all()
    return {
        "generated_at": _when(clock.now()),
        "account": {
            "id": user.id, "email": user.email, "surname": user.surname, "given_name": user.given_name,
            "patronymic": user.patronymic, "shown_publicly_as": user.display_name,
            "pending_email": user.pending_email, "birth_date": user.birth_date.isoformat() if user.birth_date else None,
            "region": user.region.code if user.region else None, "language": user.language,
            "registered_at": _when(user.created_at), "email_confirmed_at": _when(user.email_verified_at),
            "last_login_at": _when(user.last_login_at), "second_factor_on_since": _when(user.totp_enabled_at),
            "suspended_at": _when(user.suspended_at), "suspension_reason": user.suspension_reason,
            "roles": sorted(r.role.value for r in user.roles),
            "identity_number": "kept only as a keyed hash (HMAC-SHA256), never in clear",
        },
        "signatures": [{
            "petition_id": s.petition_id, "petition_title": title, "signed_at": _when(s.created_at),
            "region_at_signing": s.region.code if s.region else None, "as_sponsor": s.sponsor,
            "name_shown": s.show_name, "news_by_email": s.notify, "counted": s.valid,
            "address_fingerprint": s.ip_hmac.hex() if s.ip_hmac else None,
            "network_fingerprint": s.network_hmac.hex() if s.network_hmac else None,
            "browser_fingerprint": s.user_agent_hash,
        } for s, title in signatures],
        "petitions": [{
            "id": p.id, "title": p.title, "summary": p.summary, "details": p.details, "language": p.language,
            "category": p.category.value, "addressed_to": p.body.code, "state": p.state.value,
            "created_at": _when(p.created_at), "submitted_at": _when(p.submitted_at), "opened_at": _when(p.opened_at),
            "closed_at": _when(p.closed_at), "signature_count": p.signature_count,
        } for p in petitions],
        "reports": [{"petition_id": r.petition_id, "reason": r.reason.value, "comment": r.comment,
                     "made_at": _when(r.created_at)} for r in reports],
        "sessions": [{"started_at": _when(s.created_at), "last_seen_at": _when(s.last_seen_at),
                      "ended_at": _when(s.ended_at)} for s in own_sessions],
        "emails": [{"subject": e.subject, "status": e.status.value, "queued_at": _when(e.created_at),
                    "sent_at": _when(e.sent_at), "text": e.text_body or None} for e in emails],
        "staff_actions_on_this_account": [
            {"action": a.action, "at": _when(a.created_at),
             # What a member of staff wrote about someone else is about that person.
             "reason": a.reason if (a.target_type, a.target_id) == ("user", user.id) else None,
             "by": "this account" if a.actor_id == user.id else "staff"} for a in audit],
    }


def next_region_change(user: User) -> date | None:
    """The first day a move is allowed again, or None when it is allowed now."""
    if user.region_changed_at is None:
        return None
    allowed = user.region_changed_at + timedelta(days=current_app.config["REGION_CHANGE_DAYS"])
    return local_date(allowed) if allowed > clock.now() else None


def change_region(user: User, code: str) -> None:
    """Move to another region (once in REGION_CHANGE_DAYS: residency decides who may
    sign a regional petition, so moving back and forth must not open every region's).
    Signatures keep the region they were made in. Audited. Raises OwnDataError on the
    "region" field: "unknown", "same", or "too_soon" (with the date a move is allowed)."""
    region = db.session.scalar(select(Region).where(Region.code == code))
    if region is None:
        raise OwnDataError("unknown", "region")
    if user.region_id == region.id:
        raise OwnDataError("same", "region")
    before = user.region.code if user.region else None
    now = clock.now()
    # One guarded statement: of several moves sent at once, the database lets one through
    # (the others find the row already moved when they get its lock).
    moved = db.session.execute(
        update(User)
        .where(User.id == user.id, or_(User.region_changed_at.is_(None),
                                       User.region_changed_at <= now - timedelta(days=current_app.config["REGION_CHANGE_DAYS"])))
        .values(region_id=region.id, region_changed_at=now)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(user)
    if not moved:
        raise OwnDataError("too_soon", "region", allowed_from=next_region_change(user))
    record(user, "user.region_change", "user", user.id, before={"region": before}, after={"region": region.code})


def change_name(user: User, given_name: str, surname: str, patronymic: str | None) -> None:
    """Correct one's name (or confirm the parts a migration guessed). Audited without the
    names themselves: the log keeps that it changed, the account keeps what it is. Raises
    OwnDataError("name_verified", 403) for a name the state's identity provider gave."""
    if user.identity_level.verified:
        raise OwnDataError("name_verified", status=403)
    before = (user.given_name, user.surname, user.patronymic)
    user.given_name, user.surname = names.clean(given_name), names.clean(surname)
    user.patronymic = names.clean(patronymic) or None
    confirmed, user.name_unconfirmed = user.name_unconfirmed, False
    db.session.flush()
    if before != (user.given_name, user.surname, user.patronymic):
        record(user, "user.name_change", "user", user.id, after={"confirmed_split": confirmed})


def delete_account(user: User, password: str, code: str | None = None) -> None:
    """Raises OwnDataError: "wrong_password" (field "password"), "wrong_code" (field
    "code"), or "staff" (403: staff accounts are an administrator's). With a second
    factor on, its code is asked too (and wrong ones counted, as for any grave change)."""
    if user.is_staff:
        raise OwnDataError("staff", status=403)
    if user.has_second_factor:
        try:
            two_factor.reauthenticate(user, password, code)
        except two_factor.SecondFactorError as exc:
            field = "password" if exc.field == "password" else "code"
            raise OwnDataError(f"wrong_{field}", field) from None
    elif not verify_password(user.password_hash, password):
        raise OwnDataError("wrong_password", "password")
    sessions.end_all(user)
    for model in (RecoveryCode, DigestPreference):
        db.session.execute(delete(model).where(model.user_id == user.id).execution_options(synchronize_session=False))
    db.session.execute(
        update(Signature).where(Signature.user_id == user.id)
        .values(show_name=False, notify=False, ip_hmac=None, network_hmac=None, user_agent_hash=None)
        .execution_options(synchronize_session=False))
    now = clock.now()
    tombstone = f"deleted-{user.id}{DELETED_DOMAIN}"
    # The emails sent to the person: unsent ones dropped, the others kept (delivery
    # figures) without the address or the text.
    db.session.execute(delete(OutboxEmail).where(OutboxEmail.to_address == user.email,
                                                 OutboxEmail.status == OutboxStatus.PENDING)
                       .execution_options(synchronize_session=False))
    db.session.execute(update(OutboxEmail).where(OutboxEmail.to_address == user.email)
                       .values(to_address=tombstone, text_body="", html_body="")
                       .execution_options(synchronize_session=False))
    user.email = tombstone
    user.given_name = user.surname = ""
    user.patronymic = None
    user.password_hash = "!"  # noqa: S105 (not a hash: matches no password)
    user.pending_email = None
    user.birth_date = None
    user.region = None
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    user.last_login_at = None
    user.active = False
    user.deleted_at = now
    db.session.flush()
