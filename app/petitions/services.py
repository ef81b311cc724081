"""Writing, submitting, sponsoring, signing and reporting petitions.

Services hold the rules and flush; the request commits. Every refusal is a PetitionError
(an app.core.refusals.Refusal): its code names the rule, its message and status come
from app.petitions.messages.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import (
    Boolean,
    Date,
    Integer,
    LargeBinary,
    String,
    and_,
    bindparam,
    case,
    false,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.exc import IntegrityError

from app.accounts import tokens
from app.accounts.iin import is_adult
from app.bodies.queries import body_by_code
from app.core import clock
from app.core.refusals import Refusal
from app.extensions import db
from app.fraud import fingerprints, trending
from app.models import (
    BodyLevel,
    Category,
    IdentityLevel,
    Petition,
    PetitionState,
    Report,
    ReportReason,
    Role,
    Signature,
    StateBody,
    User,
)
from app.models.base import MAX_ID, UTCDateTime
from app.models.petition import LINK_ONLY_STATES, PUBLIC_STATES, SIGNABLE_STATES
from app.petitions import counting, lifecycle
from app.petitions.access import link_key_matches
from app.petitions.messages import MESSAGES, STATUS
from app.petitions.notifications import notify_author
from app.web.requests import absolute_url

S = PetitionState


class PetitionError(Refusal):
    """A petition rule refused the action; `code` names the rule, `field` the form field.
    Its message and status come from app.petitions.messages (422 for a code not there)."""

    messages = MESSAGES

    def __init__(self, code: str, field: str | None = None, *, status: int | None = None, **details):
        super().__init__(code, field, status=status or STATUS.get(code), **details)


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
    if not is_adult(user.birth_date, today or clock.today()):
        return "under_age"
    return None


def residency_problem(user: User, body: StateBody) -> str | None:
    """A local body (of a region, a city or a district) takes petitions and signatures
    from the residents of its region only."""
    if body.level is not BodyLevel.NATIONAL and body.region_id != user.region_id:
        return "not_resident"
    return None


def can_view(petition: Petition, user: User | None, link_key: str | None = None) -> bool:
    """Who may read a petition. Open, closed and rejected ones: everyone. One not yet
    public (collecting sponsors, waiting for moderation): whoever comes through its link
    (its `link_key`, which its author shares), and by its number only its author, those
    who signed it (its sponsors) and moderators; nobody who counts ids reads it before a
    moderator has. Drafts and returned ones: their author (and staff, returned); hidden
    ones, and those that lapsed in their link-only stage: their author and staff."""
    if petition.state in PUBLIC_STATES:
        return True
    if petition.state in LINK_ONLY_STATES and link_key_matches(petition, link_key):
        return True
    if user is None or not user.is_authenticated:
        return False
    if petition.author_id == user.id:
        return True
    if petition.state in LINK_ONLY_STATES:
        return user.acts_as(Role.MODERATOR, Role.ADMIN) or has_signed(petition, user)
    return petition.state in (S.HIDDEN, S.RETURNED, S.LAPSED) and user.acts_as(Role.MODERATOR, Role.ADMIN)


def signing_problem(petition: Petition, user: User | None) -> str | None:
    """Why `user` cannot sign (or sponsor) this petition now, or None."""
    if petition.state not in SIGNABLE_STATES:
        return "not_open"
    if (petition.state is S.COLLECTING_SPONSORS and petition.sponsors_due_on is not None
            and clock.today() > petition.sponsors_due_on):
        return "not_open"  # the link-only stage is over; the petition lapses
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


def signature_of(petition: Petition, user: User) -> Signature | None:
    return db.session.scalar(select(Signature).where(Signature.petition_id == petition.id,
                                                     Signature.user_id == user.id))


def has_signed(petition: Petition, user: User) -> bool:
    return db.session.scalar(
        select(Signature.id).where(Signature.petition_id == petition.id, Signature.user_id == user.id)
    ) is not None


# --- writing -----------------------------------------------------------------------


def _validated_body(code: str) -> StateBody:
    body = body_by_code(code)
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


def fraud_fields(ip: str | None, user_agent: str | None) -> dict:
    """What fraud analysis needs about where a signature came from, never in clear."""
    return fingerprints.fingerprints(ip, user_agent)


_SIGNATURE_COLUMNS = ("petition_id", "user_id", "region_id", "created_at", "sponsor", "show_name", "notify",
                      "valid", "ip_hmac", "network_hmac", "user_agent_hash", "assurance")


@functools.cache
def _signature_statement(dialect: str, states: tuple[PetitionState, ...], resident_only: bool, keyed: bool):
    """The INSERT ... SELECT of one signature, built once per shape with bound
    parameters (building and caching a statement per request was a fifth of the
    signing request's own time). On PostgreSQL it writes the count delta in the same
    statement (a data-modifying CTE) and yields the sponsor flag; elsewhere it yields
    the sponsor flag, and the caller adds the delta. `keyed`: a petition not yet public
    takes the signature only with its link key (bound as `link_key`)."""
    user_id = bindparam("user_id", type_=Integer())
    region_id = bindparam("region_id", type_=Integer())
    # The author's own signature counts, but not as a sponsor's.
    sponsor = case((and_(Petition.state == S.COLLECTING_SPONSORS, Petition.author_id != user_id), true()),
                   else_=false())
    source = select(
        Petition.id, user_id, region_id,
        bindparam("created_at", type_=UTCDateTime()),
        sponsor,
        bindparam("show_name", type_=Boolean()),
        bindparam("notify", type_=Boolean()),
        true(),
        bindparam("ip_hmac", type_=LargeBinary()),
        bindparam("network_hmac", type_=LargeBinary()),
        bindparam("user_agent_hash", type_=String()),
        bindparam("assurance", type_=Signature.__table__.c.assurance.type),
    ).where(Petition.id == bindparam("petition_id", type_=Integer()))
    shared = [state for state in states if keyed and state in LINK_ONLY_STATES]
    public = [state for state in states if state not in shared]
    if shared:
        # ... and only until its link-only stage ends (then it lapses).
        source = source.where(or_(Petition.state.in_(public), and_(
            Petition.state.in_(shared), Petition.link_key == bindparam("link_key", type_=String()),
            or_(Petition.sponsors_due_on.is_(None), Petition.sponsors_due_on >= bindparam("today", type_=Date())))))
    else:
        source = source.where(Petition.state.in_(public))
    if resident_only:
        # A regional akimat's petitions: residents of its region only (DOMAIN.md).
        source = source.join(StateBody, StateBody.id == Petition.body_id).where(
            or_(StateBody.level == BodyLevel.NATIONAL, StateBody.region_id == region_id))
    # A plain INSERT: the unique constraint refuses a second signature. ON CONFLICT DO
    # NOTHING cost a quarter of the signing throughput on PostgreSQL (bench/RESULTS.md).
    new_signature = insert(Signature.__table__).from_select(list(_SIGNATURE_COLUMNS), source)
    if dialect == "postgresql":
        return counting.with_delta(new_signature)
    return new_signature.returning(Signature.__table__.c.sponsor)


def made_by_account(user: User) -> IdentityLevel:
    """How a signature made through a logged-in account (not with an EDS) is vouched for:
    by the state's identity provider when the account's identity was confirmed."""
    return IdentityLevel.STATE_IDP if user.identity_level.verified else IdentityLevel.SELF_DECLARED


def _record_signature(petition: Petition | int, user: User, *, show_name: bool, notify: bool,
                      meta: dict | None, states: tuple[PetitionState, ...] = SIGNABLE_STATES,
                      resident_only: bool = False, link_key: str | None = None, keyed: bool = False,
                      assurance: IdentityLevel | None = None) -> bool:
    """Insert the signature if, at that instant, the petition is in one of `states`;
    returns whether it counts as a sponsor's. One INSERT ... SELECT, so a petition
    closed or taken down a moment ago takes no more signatures, and the unique
    constraint refuses a second signature from the same person.

    Raises PetitionError("already_signed") for a second signature (on PostgreSQL the
    transaction is then spoilt: the refusal ends the request's unit of work, and the page
    that shows it reads in a fresh one, see app.web.forms) and PetitionError("not_open")
    when nothing was inserted for another reason, which the caller finds out only then."""
    fraud = fraud_fields((meta or {}).get("ip"), (meta or {}).get("user_agent"))
    petition_id = petition if isinstance(petition, int) else petition.id
    connection = db.session.connection()
    dialect = connection.dialect.name
    statement = _signature_statement(dialect, tuple(states), resident_only, keyed)
    values = {"petition_id": petition_id, "user_id": user.id, "region_id": user.region_id, "link_key": link_key,
              "created_at": clock.now(), "show_name": show_name, "notify": notify,
              "ip_hmac": fraud.get("ip_hmac"), "network_hmac": fraud.get("network_hmac"),
              "user_agent_hash": fraud.get("user_agent_hash"), "assurance": assurance or made_by_account(user)}
    if keyed:
        values["today"] = clock.today()
    try:
        # Core, not the ORM: nothing here needs the identity map.
        inserted = connection.execute(statement, values).scalar_one_or_none()
    except IntegrityError:
        # The unique constraint: this person has signed (the common case pays nothing
        # for the check).
        raise PetitionError("already_signed") from None
    if inserted is None:
        raise PetitionError("not_open")
    if dialect != "postgresql":
        counting.add_signature(petition_id, user.region_id, sponsor=bool(inserted), created_at=values["created_at"],
                               assurance=values["assurance"])
    if meta:
        trending.record_signature(petition_id, fraud, user.email, values["created_at"])
    return bool(inserted)


def sign(petition: Petition | int, user: User, *, show_name: bool, notify: bool, meta: dict | None = None,
         link_key: str | None = None, assurance: IdentityLevel | None = None) -> bool:
    """Sign an open petition, or sponsor one that is collecting sponsors, which takes its
    `link_key` (the link its author shared: nobody sponsors, and so reads, a petition by
    counting ids). Returns whether it was a sponsor's signature. The counts, and the move to moderation once
    enough sponsors have signed, follow within seconds (app.review.jobs.aggregate_counts).

    The common case costs two INSERTs: the state and residency rules are guards of the
    INSERT itself and the unique constraint refuses a second signature; only a refused
    signature pays for finding out why. Raises PetitionError with that reason."""
    problem = identity_problem(user)
    if problem:
        raise PetitionError(problem)
    try:
        return _record_signature(petition, user, show_name=show_name, notify=notify, meta=meta,
                                 resident_only=True, link_key=link_key, keyed=True, assurance=assurance)
    except PetitionError as exc:
        if exc.code != "not_open":
            raise
        petition = db.session.get(Petition, petition) if isinstance(petition, int) else petition
        if petition is None:
            raise PetitionError("not_found") from None
        db.session.refresh(petition)
        if petition.state in LINK_ONLY_STATES and not link_key_matches(petition, link_key):
            raise PetitionError("not_found") from None
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


# --- news to signers: unsubscribing ----------------------------------------------------

UNSUBSCRIBE_MAX_AGE = 2 * 365 * 24 * 3600  # a signer may stop the news years after signing


def unsubscribe_url(user: User, petition_id: int) -> str:
    """The signed link in every email to a signer: works without logging in, for this
    petition (and offers all petitions)."""
    token = tokens.make_token(tokens.Purpose.UNSUBSCRIBE, user.id, f"petition:{petition_id}", p=str(petition_id))
    return absolute_url("petitions.unsubscribe_link", token=token, lang=user.language)


def unsubscribe_headers(user: User, petition_id: int) -> dict[str, str]:
    """List-Unsubscribe with one-click (RFC 8058): a mail client POSTs to the link."""
    return {"List-Unsubscribe": f"<{unsubscribe_url(user, petition_id)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def read_unsubscribe(token: str) -> tuple[User, Petition]:
    """The signer and petition an unsubscribe link is for. Raises TokenError."""
    user_id, state = tokens.read_token(tokens.Purpose.UNSUBSCRIBE, token, UNSUBSCRIBE_MAX_AGE)
    raw = tokens.token_extra(tokens.Purpose.UNSUBSCRIBE, token, UNSUBSCRIBE_MAX_AGE, "p") or ""
    if (not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_ID
            or state != tokens.fingerprint(f"petition:{raw}")):
        raise tokens.TokenError(expired=False)
    user, petition = db.session.get(User, user_id), db.session.get(Petition, int(raw))
    if user is None or petition is None:
        raise tokens.TokenError(expired=False)
    return user, petition


def stop_news(user: User, petition: Petition | None) -> int:
    """No more emails about this petition (or, with None, any petition this person
    signed). Returns how many signatures changed; idempotent."""
    query = update(Signature).where(Signature.user_id == user.id, Signature.notify.is_(True))
    if petition is not None:
        query = query.where(Signature.petition_id == petition.id)
    return db.session.execute(query.values(notify=False).execution_options(synchronize_session=False)).rowcount
