"""Petitions, their signatures, moderation decisions and citizens' reports."""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.models.base import Base, UTCDateTime
from app.models.geo import Region, StateBody
from app.models.types import enum_column
from app.models.user import IdentityLevel, User

if TYPE_CHECKING:
    from app.models.review import ReviewCase


class PetitionState(enum.Enum):
    DRAFT = "draft"
    COLLECTING_SPONSORS = "collecting_sponsors"
    PENDING_MODERATION = "pending_moderation"
    RETURNED = "returned"
    REJECTED = "rejected"
    HIDDEN = "hidden"
    OPEN = "open"
    CLOSED = "closed"
    # The link-only stage ended without enough supporters (the law's 50 in 20 working days).
    LAPSED = "lapsed"


def new_link_key() -> str:
    """128 random bits, URL-safe: 22 characters."""
    return secrets.token_urlsafe(16)


# Listed and searchable by everyone.
PUBLIC_STATES = (PetitionState.OPEN, PetitionState.CLOSED, PetitionState.REJECTED)
# Reachable by their link, not listed.
LINK_ONLY_STATES = (PetitionState.COLLECTING_SPONSORS, PetitionState.PENDING_MODERATION)
SIGNABLE_STATES = (PetitionState.OPEN, PetitionState.COLLECTING_SPONSORS)


class Category(enum.Enum):
    EDUCATION = "education"
    HEALTH = "health"
    ENVIRONMENT = "environment"
    TRANSPORT = "transport_roads"
    HOUSING = "housing_utilities"
    SOCIAL = "social_protection"
    ECONOMY = "economy_business"
    CULTURE = "culture_language"
    DIGITAL = "digital_services"
    SAFETY = "public_safety"
    GOVERNANCE = "governance"
    OTHER = "other"


class RejectionCode(enum.Enum):
    DUPLICATE = "duplicate"
    OUTSIDE_COMPETENCE = "outside_competence"
    EXCLUDED_TOPIC = "excluded_topic"
    UNCLEAR_REQUEST = "unclear_request"
    OFFENSIVE = "offensive"
    DEFAMATORY = "defamatory"
    PERSONAL_DATA = "personal_data"
    ADVERTISING = "advertising"
    ILLEGAL = "illegal"
    OTHER = "other"


# Codes whose petition is hidden rather than shown rejected (DOMAIN.md, * codes).
HIDING_CODES = frozenset({
    RejectionCode.OFFENSIVE,
    RejectionCode.DEFAMATORY,
    RejectionCode.PERSONAL_DATA,
    RejectionCode.ADVERTISING,
    RejectionCode.ILLEGAL,
})


class Petition(Base):
    __tablename__ = "petitions"
    __table_args__ = (
        CheckConstraint("length(title) >= 10 AND length(title) <= 120", name="title_length"),
        CheckConstraint("length(summary) <= 500", name="summary_length"),
        CheckConstraint("length(details) <= 4000", name="details_length"),
        CheckConstraint("language IN ('kk', 'ru', 'en')", name="language_known"),
        CheckConstraint("signature_count >= 0 AND sponsor_count >= 0", name="counts_non_negative"),
        CheckConstraint("state != 'open' OR (opened_at IS NOT NULL AND closes_at IS NOT NULL)",
                        name="open_has_dates"),
        CheckConstraint("excluded_subject IS NULL OR rejection_code = 'excluded_topic'",
                        name="subject_with_excluded_topic"),
        Index("ix_petitions_state_opened_at", "state", "opened_at"),
        Index("ix_petitions_state_signature_count", "state", "signature_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("state_bodies.id"), index=True)
    category: Mapped[Category] = mapped_column(enum_column(Category, "category"))
    language: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(String(500))
    details: Mapped[str] = mapped_column(Text)
    state: Mapped[PetitionState] = mapped_column(
        enum_column(PetitionState, "petition_state"), default=PetitionState.DRAFT
    )
    # The unguessable part of the address through which a petition not yet public (its
    # LINK_ONLY_STATES) is reached by those its author shares it with (app.petitions.access).
    link_key: Mapped[str] = mapped_column(String(32), default=new_link_key)
    # Changed only by app.petitions.counting, in SQL.
    signature_count: Mapped[int] = mapped_column(default=0)
    sponsor_count: Mapped[int] = mapped_column(default=0)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The last day of the link-only stage (None: no limit); then it lapses without its sponsors.
    sponsors_due_on: Mapped[date | None]
    moderation_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    moderation_due_on: Mapped[date | None]
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejection_code: Mapped[RejectionCode | None] = mapped_column(
        enum_column(RejectionCode, "rejection_code")
    )
    # Shown on the public page of a rejected petition.
    rejection_explanation: Mapped[str | None] = mapped_column(Text)
    # For an excluded topic: which subject of the law's list (app.petitions.subjects).
    excluded_subject: Mapped[str | None] = mapped_column(String(20))
    return_note: Mapped[str | None] = mapped_column(Text)
    # The threshold profile (app.bodies.thresholds) the petition was submitted under: its
    # threshold, stages and periods follow it even after the configured profile changes.
    # None until submitted (a draft follows the configured one).
    threshold_profile: Mapped[str | None] = mapped_column(String(20))
    # Set once, by the threshold engine, with a guarded UPDATE (see app/review/engine.py).
    threshold_reached_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    threshold_at_crossing: Mapped[int | None]
    # The state a hidden petition came from, so a moderator can restore it.
    hidden_from: Mapped[PetitionState | None] = mapped_column(
        enum_column(PetitionState, "petition_hidden_from")
    )

    author: Mapped[User] = relationship(lazy="joined")
    body: Mapped[StateBody] = relationship(lazy="joined")
    # Declared here, not as a backref of ReviewCase.petition: a backref exists only once
    # some code has configured the mappers, and a fresh process may not have.
    review_case: Mapped[ReviewCase | None] = relationship(back_populates="petition", uselist=False)

    @property
    def is_public(self) -> bool:
        return self.state in PUBLIC_STATES


class Signature(Base):
    """One person's signature. Never withdrawn; `valid` is cleared only by fraud review."""

    __tablename__ = "signatures"
    __table_args__ = (
        # Also the index for "this petition's signatures". Each index here is paid on every
        # signature of a national surge, so there are few: regional and hourly counts live
        # in their own tables, kept by the aggregator; the names shown on a petition's page
        # come from a partial index that holds only the signers who chose to show them.
        UniqueConstraint("petition_id", "user_id"),
        Index("ix_signatures_shown", "petition_id", "id", postgresql_where=text("show_name"),
              sqlite_where=text("show_name")),
        # Holds only invalidated signatures: nothing for a signer to pay.
        Index("ix_signatures_invalidation", "invalidation_id", "id",
              postgresql_where=text("invalidation_id IS NOT NULL"), sqlite_where=text("invalidation_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The signer's region when they signed: moving later does not move the signature.
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    sponsor: Mapped[bool] = mapped_column(default=False)
    show_name: Mapped[bool] = mapped_column(default=False)
    notify: Mapped[bool] = mapped_column(default=True)
    valid: Mapped[bool] = mapped_column(default=True)
    # The invalidation that turned this signature invalid (app.moderation.integrity);
    # no foreign key, so that signing never looks it up.
    invalidation_id: Mapped[int | None] = mapped_column()
    # For fraud analysis, without keeping addresses in clear: a keyed hash of the IP
    # address and of its /24 (IPv4) or /48 (IPv6) network, and of the user agent.
    ip_hmac: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    network_hmac: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    user_agent_hash: Mapped[str | None] = mapped_column(String(16))
    # How the signature was made: with an EDS (its evidence in signature_evidence), or by
    # a logged-in account whose identity was self-declared or given by the state's
    # identity provider (app.models.user.IdentityLevel).
    assurance: Mapped[IdentityLevel] = mapped_column(
        enum_column(IdentityLevel, "signature_assurance"), default=IdentityLevel.SELF_DECLARED,
        server_default=IdentityLevel.SELF_DECLARED.value)

    user: Mapped[User] = relationship()
    region: Mapped[Region | None] = relationship()


class SignatureEvidence(Base):
    """What proves an EDS signature without us: the statement the signer signed, their CMS
    and the OCSP answer (the time-mark), sealed together with the evidence key
    (app.eds.evidence; the certificate in the CMS holds the raw IIN). `nonce_hash` spends
    the statement's nonce: a statement is signed once."""

    __tablename__ = "signature_evidence"

    signature_id: Mapped[int] = mapped_column(ForeignKey("signatures.id", ondelete="CASCADE"), primary_key=True)
    nonce_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    algorithm: Mapped[str] = mapped_column(String(20))
    # "ocsp" (the answer is sealed with it) or "crl" (the responder did not answer).
    revocation: Mapped[str] = mapped_column(String(4))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    signature: Mapped[Signature] = relationship()


class DecisionAction(enum.Enum):
    APPROVE = "approve"
    RETURN = "return"
    REJECT = "reject"
    HIDE = "hide"
    TAKE_DOWN = "take_down"
    RESTORE = "restore"
    CHANGE_METADATA = "change_metadata"
    DISMISS_REPORTS = "dismiss_reports"


class ModerationDecision(Base):
    __tablename__ = "moderation_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), index=True)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[DecisionAction] = mapped_column(enum_column(DecisionAction, "decision_action"))
    reason_code: Mapped[RejectionCode | None] = mapped_column(enum_column(RejectionCode, "decision_reason"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    moderator: Mapped[User] = relationship()


class ReportReason(enum.Enum):
    OFFENSIVE = "offensive"
    DEFAMATORY = "defamatory"
    PERSONAL_DATA = "personal_data"
    ADVERTISING = "advertising"
    ILLEGAL = "illegal"
    DUPLICATE = "duplicate"
    OTHER = "other"


class Report(Base):
    """A citizen's report of an open petition, for the moderators' "reported" list."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("petition_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[ReportReason] = mapped_column(enum_column(ReportReason, "report_reason"))
    comment: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SignatureDelta(Base):
    """An insert-only count change: signing writes one row (n = +1) instead of updating
    the petition row, so a national surge never queues on one hot row. The aggregator
    deletes a batch of these and adds them to the totals in the same transaction.

    No foreign keys: a delta is written from the signature just inserted (whose keys
    hold) and lives seconds; checking them again cost every signature two lookups and
    share locks on the hot petition's and the region's rows."""

    __tablename__ = "signature_deltas"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(index=True)
    region_id: Mapped[int]
    sponsor: Mapped[bool] = mapped_column(default=False)
    n: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    # The signature's assurance, so that the counts by level follow the total.
    assurance: Mapped[IdentityLevel] = mapped_column(
        enum_column(IdentityLevel, "delta_assurance"), default=IdentityLevel.SELF_DECLARED,
        server_default=IdentityLevel.SELF_DECLARED.value)


class PetitionAssuranceCount(Base):
    """Valid signatures per petition and how they were made (signatures.assurance), kept
    by the aggregator: "of which N signed with an EDS", and what a body's rule counts."""

    __tablename__ = "petition_assurance_counts"
    __table_args__ = (CheckConstraint("count >= 0", name="count_non_negative"),)

    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True)
    assurance: Mapped[IdentityLevel] = mapped_column(enum_column(IdentityLevel, "counted_assurance"), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class PetitionHourlyCount(Base):
    """Valid signatures per petition and UTC hour of signing, kept by the aggregator:
    "trending" (and the signatures-over-time chart) read these, never signature rows."""

    __tablename__ = "petition_hourly_counts"
    __table_args__ = (CheckConstraint("count >= 0", name="count_non_negative"),
                      Index("ix_petition_hourly_counts_hour", "hour"))

    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True)
    hour: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)  # the start of the hour
    count: Mapped[int] = mapped_column(default=0)


class PetitionRegionCount(Base):
    """Signatures per petition and signer region, kept by the aggregator."""

    __tablename__ = "petition_region_counts"
    __table_args__ = (CheckConstraint("count >= 0", name="count_non_negative"),)

    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)

    region: Mapped[Region] = relationship(lazy="joined")
