"""Writing, submitting, sponsoring, signing and reporting petitions.

Services hold the rules and flush; routes commit. Every refusal is a PetitionError
with a code the route turns into a message in the reader's language.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import Boolean, LargeBinary, String, and_, case, false, insert, literal, or_, select, true
from sqlalchemy.exc import IntegrityError

from app import clock
from app.accounts.iin import age_on
from app.extensions import db
from app.models import (
    BodyLevel,
    Category,
    Petition,
    PetitionState,
    Report,
    ReportReason,
    Role,
    Signature,
    StateBody,
    User,
)
from app.models.base import UTCDateTime
from app.petitions import counting, lifecycle
from app.petitions.notifications import notify_author

S = PetitionState


class PetitionError(ValueError):
    """A rule refused the action; `code` names the rule, `field` the form field."""

    def __init__(self, code: str, field: str | None = None, **details):
        super().__init__(code)
        self.code = code
        self.field = field
        self.details = details


@dataclass
class PetitionData:
    title: str
    summary: str
    details: str
    body_code: str
    category: str
    language: str


# --- who may do what -------------------------------------------------------------


def identity_problem(user: User, today: date | None = None) -> str | None:
    """Why this account cannot create, sponsor or sign, or None."""
    if not user.is_verified:
        return "unverified"
    if user.birth_date is None or user.region_id is None:
        return "no_identity"
    if age_on(user.birth_date, today or clock.today()) < current_app.config["MIN_AGE_YEARS"]:
        return "under_age"
    return None


def residency_problem(user: User, body: StateBody) -> str | None:
    if body.level is BodyLevel.REGIONAL and body.region_id != user.region_id:
        return "not_resident"
    return None


def can_view(petition: Petition, user: User | None) -> bool:
    """Public, link-only and rejected petitions are visible to all; drafts and returned
    ones to their author; hidden ones to their author and staff."""
    if petition.state in (S.OPEN, S.CLOSED, S.REJECTED, S.COLLECTING_SPONSORS, S.PENDING_MODERATION):
        return True
    if user is None or not user.is_authenticated:
        return False
    if petition.author_id == user.id:
        return True
    return petition.state in (S.HIDDEN, S.RETURNED) and user.has_role(Role.MODERATOR, Role.ADMIN)


def signing_problem(petition: Petition, user: User | None) -> str | None:
    """Why `user` cannot sign (or sponsor) this petition now, or None."""
    if petition.state not in (S.OPEN, S.COLLECTING_SPONSORS):
        return "not_open"
    if user is None or not user.is_authenticated:
        return "login"
    problem = identity_problem(user)
    if problem:
        return problem
    problem = residency_problem(user, petition.body)
    if problem:
        return problem
    if has_signed(petition, user):
        return "already_signed"
    return None


def has_signed(petition: Petition, user: User) -> bool:
    return db.session.scalar(
        select(Signature.id).where(Signature.petition_id == petition.id, Signature.user_id == user.id)
    ) is not None


# --- writing -----------------------------------------------------------------------


def _validated_body(code: str) -> StateBody:
    body = db.session.scalar(select(StateBody).where(StateBody.code == code))
    if body is None or not body.active:
        raise PetitionError("inactive_body", field="body")
    return body


def _apply(petition: Petition, data: PetitionData, author: User) -> None:
    body = _validated_body(data.body_code)
    if residency_problem(author, body):
        raise PetitionError("author_not_resident", field="body", region=body.region)
    try:
        category = Category(data.category)
    except ValueError:
        raise PetitionError("unknown_category", field="category") from None
    if data.language not in current_app.config["LANGUAGES"]:
        raise PetitionError("unknown_language", field="language")
    petition.title = " ".join(data.title.split())
    petition.summary = data.summary.strip()
    petition.details = data.details.strip()
    petition.body = body
    petition.category = category
    petition.language = data.language


def create_draft(author: User, data: PetitionData) -> Petition:
    """Raises PetitionError (identity, inactive body, non-resident author)."""
    problem = identity_problem(author)
    if problem:
        raise PetitionError(problem)
    petition = Petition(author=author, state=S.DRAFT)
    _apply(petition, data, author)
    db.session.add(petition)
    db.session.flush()
    return petition


def update_draft(petition: Petition, author: User, data: PetitionData) -> None:
    """Only the author, only while it is a draft or returned to them."""
    if petition.author_id != author.id:
        raise PetitionError("not_author")
    if petition.state not in (S.DRAFT, S.RETURNED):
        raise lifecycle.IllegalTransition("edit", petition.state)
    _apply(petition, data, author)
    db.session.flush()


def submit(petition: Petition, author: User, meta: dict | None = None) -> None:
    """Submit a draft (the author's own signature counts) or resubmit a returned one.

    Raises PetitionError / IllegalTransition."""
    if petition.author_id != author.id:
        raise PetitionError("not_author")
    problem = identity_problem(author)
    if problem:
        raise PetitionError(problem)
    if residency_problem(author, petition.body):
        raise PetitionError("author_not_resident")
    if petition.state is S.RETURNED:
        lifecycle.resubmit(petition)
        notify_author(petition, "in_moderation")
        return
    lifecycle.submit(petition)
    _record_signature(petition, author, show_name=True, notify=True, meta=meta,
                      states=(S.COLLECTING_SPONSORS, S.PENDING_MODERATION))
    notify_author(petition, "submitted")
    if petition.state is S.PENDING_MODERATION:
        notify_author(petition, "in_moderation")


# --- signing -----------------------------------------------------------------------


def _hmac(value: str) -> bytes:
    return hmac.new(current_app.config["SECRET_KEY"].encode(), value.encode(), hashlib.sha256).digest()


def fraud_fields(ip: str | None, user_agent: str | None) -> dict:
    """What fraud analysis needs about where a signature came from, never in clear."""
    fields: dict = {}
    if ip:
        try:
            addr = ipaddress.ip_address(ip)
            prefix = 24 if addr.version == 4 else 48
            network = ipaddress.ip_network(f"{addr}/{prefix}", strict=False)
            fields["ip_hmac"] = _hmac(f"ip:{addr}")
            fields["network_hmac"] = _hmac(f"net:{network}")
        except ValueError:
            pass
    if user_agent:
        fields["user_agent_hash"] = hashlib.sha256(user_agent.encode()).hexdigest()[:16]
    return fields


def _record_signature(petition: Petition | int, user: User, *, show_name: bool, notify: bool,
                      meta: dict | None, states: tuple[PetitionState, ...] = (S.OPEN, S.COLLECTING_SPONSORS),
                      resident_only: bool = False) -> bool:
    """Insert the signature if, at that instant, the petition is in one of `states`;
    returns whether it counts as a sponsor's. One INSERT ... SELECT, so a petition
    closed or taken down a moment ago takes no more signatures, and the unique
    constraint refuses a second signature from the same person.

    Raises PetitionError("already_signed") for a second signature (the transaction is
    then failed: the caller must roll it back) and PetitionError("not_open") when
    nothing was inserted for another reason, which the caller finds out only then."""
    fraud = fraud_fields((meta or {}).get("ip"), (meta or {}).get("user_agent"))
    petition_id = petition if isinstance(petition, int) else petition.id
    # The author's own signature counts, but not as a sponsor's.
    sponsor = case((and_(Petition.state == S.COLLECTING_SPONSORS, Petition.author_id != user.id), true()),
                   else_=false())
    source = select(
        Petition.id,
        literal(user.id),
        literal(user.region_id),
        literal(clock.now(), UTCDateTime()),
        sponsor,
        literal(show_name, Boolean()),
        literal(notify, Boolean()),
        true(),
        literal(fraud.get("ip_hmac"), LargeBinary()),
        literal(fraud.get("network_hmac"), LargeBinary()),
        literal(fraud.get("user_agent_hash"), String()),
    ).where(Petition.id == petition_id, Petition.state.in_(states))
    if resident_only:
        # A regional akimat's petitions: residents of its region only (DOMAIN.md).
        source = source.join(StateBody, StateBody.id == Petition.body_id).where(
            or_(StateBody.level == BodyLevel.NATIONAL, StateBody.region_id == user.region_id))
    columns = ["petition_id", "user_id", "region_id", "created_at", "sponsor", "show_name", "notify", "valid",
               "ip_hmac", "network_hmac", "user_agent_hash"]
    new_signature = insert(Signature).from_select(columns, source)
    try:
        if db.session.get_bind().dialect.name == "postgresql":
            # One round trip: the signature and its count delta in one statement.
            inserted = db.session.execute(counting.with_delta(new_signature)).scalar_one_or_none()
        else:
            inserted = db.session.execute(new_signature.returning(Signature.sponsor)).scalar_one_or_none()
            if inserted is not None:
                counting.add_signature(petition_id, user.region_id, sponsor=bool(inserted))
    except IntegrityError:
        # The unique constraint: this person has signed. The transaction is spoilt; the
        # caller, who owns it, rolls it back (the common case pays nothing for the check).
        raise PetitionError("already_signed", transaction_failed=True) from None
    if inserted is None:
        raise PetitionError("not_open")
    return bool(inserted)


def sign(petition: Petition | int, user: User, *, show_name: bool, notify: bool, meta: dict | None = None) -> bool:
    """Sign an open petition, or sponsor one that is collecting sponsors. Returns
    whether it was a sponsor's signature. The counts, and the move to moderation once
    enough sponsors have signed, follow within seconds (app.review.jobs.aggregate_counts).

    The common case costs two INSERTs: the state and residency rules are guards of the
    INSERT itself and the unique constraint refuses a second signature; only a refused
    signature pays for finding out why. Raises PetitionError with that reason."""
    problem = identity_problem(user)
    if problem:
        raise PetitionError(problem)
    try:
        return _record_signature(petition, user, show_name=show_name, notify=notify, meta=meta,
                                 resident_only=True)
    except PetitionError as exc:
        if exc.code != "not_open":
            raise
        petition = db.session.get(Petition, petition) if isinstance(petition, int) else petition
        if petition is None:
            raise PetitionError("not_found") from None
        db.session.refresh(petition)
        problem = signing_problem(petition, user) or "not_open"
        raise PetitionError(problem, region=petition.body.region) from None


# --- reports -----------------------------------------------------------------------


def report(petition: Petition, user: User, reason: str, comment: str | None) -> Report:
    """Raises PetitionError: not open, unverified, unknown reason, already reported."""
    if petition.state is not S.OPEN:
        raise PetitionError("not_open")
    if not user.is_verified:
        raise PetitionError("unverified")
    try:
        why = ReportReason(reason)
    except ValueError:
        raise PetitionError("unknown_reason", field="reason") from None
    entry = Report(petition_id=petition.id, reporter_id=user.id, reason=why,
                   comment=(comment or "").strip() or None)
    try:
        with db.session.begin_nested():
            db.session.add(entry)
            db.session.flush()
    except IntegrityError:
        raise PetitionError("already_reported") from None
    return entry
