"""Fraud defence: invalidations of signatures, alert rules and the alerts they raised,
and rate-limit rules held as data."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.models.base import Base, UTCDateTime
from app.models.types import enum_column
from app.models.user import User


class RemovalCategory(enum.Enum):
    """The one-line public reason a signature was removed: a category, nothing identifying."""

    AUTOMATED = "automated"
    BULK_ACCOUNTS = "bulk_accounts"
    IDENTITY_MISUSE = "identity_misuse"
    COERCION = "coercion"
    OTHER = "other"


class InvalidationKind(enum.Enum):
    INVALIDATE = "invalidate"
    REVALIDATE = "revalidate"


class InvalidationState(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    CANCELLED = "cancelled"


class SignatureInvalidation(Base):
    """One run of a moderator's filter over signatures, done by a background job in
    batches. An invalidation marks each matching valid signature invalid and stamps it
    with its id (so the run can be undone exactly); a revalidation undoes one
    invalidation. Counts move through count deltas, never directly."""

    __tablename__ = "signature_invalidations"
    __table_args__ = (
        CheckConstraint("processed >= 0 AND changed >= 0", name="progress_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[InvalidationKind] = mapped_column(enum_column(InvalidationKind, "invalidation_kind"))
    state: Mapped[InvalidationState] = mapped_column(
        enum_column(InvalidationState, "invalidation_state"), default=InvalidationState.QUEUED)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    # The filter, as the moderator built it (see app.moderation.integrity.Filter).
    criteria: Mapped[dict] = mapped_column(JSON, default=dict)
    category: Mapped[RemovalCategory] = mapped_column(enum_column(RemovalCategory, "removal_category"))
    note: Mapped[str] = mapped_column(Text)
    suspend_accounts: Mapped[bool] = mapped_column(default=False)
    # A revalidation names the invalidation it undoes.
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("signature_invalidations.id"))
    # Set on an invalidation when a revalidation of it is started (at most one).
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expected: Mapped[int] = mapped_column(default=0)       # the preview's count at the start
    processed: Mapped[int] = mapped_column(default=0)      # signatures looked at so far
    changed: Mapped[int] = mapped_column(default=0)        # signatures this run turned
    suspended: Mapped[int] = mapped_column(default=0)      # accounts this run suspended
    last_signature_id: Mapped[int] = mapped_column(default=0)  # where the next batch starts
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    created_by: Mapped[User] = relationship()

    @property
    def active(self) -> bool:
        return self.state in (InvalidationState.QUEUED, InvalidationState.RUNNING)


class AlertRule(Base):
    """A threshold on the trending counts (app.fraud.trending): when one source reaches it in
    one period, the moderators are alerted, once per source and period."""

    __tablename__ = "alert_rules"
    __table_args__ = (
        UniqueConstraint("metric", "scope", "source"),
        CheckConstraint("threshold >= 1", name="threshold_positive"),
        CheckConstraint("metric IN ('signatures', 'accounts')", name="metric_known"),
        CheckConstraint("scope IN ('site', 'petition')", name="scope_known"),
        CheckConstraint("source IN ('network', 'address', 'email_domain', 'user_agent')", name="source_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    metric: Mapped[str] = mapped_column(String(12))     # signatures | accounts (new accounts)
    scope: Mapped[str] = mapped_column(String(10))      # site | petition
    source: Mapped[str] = mapped_column(String(16))     # network | address | email_domain | user_agent
    threshold: Mapped[int]
    enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class IntegrityAlert(Base):
    """One source over one rule's threshold in one period (unique: raised once)."""

    __tablename__ = "integrity_alerts"
    __table_args__ = (UniqueConstraint("rule_id", "period", "petition_id", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("alert_rules.id", ondelete="CASCADE"))
    period: Mapped[int]                                  # app.fraud.trending.period()
    petition_id: Mapped[int] = mapped_column(default=0)  # 0: site-wide
    value: Mapped[str] = mapped_column(String(253))      # the fingerprint (hex) or the domain
    count: Mapped[int]                                   # when raised
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, index=True)

    rule: Mapped[AlertRule] = relationship(lazy="joined")


class RateRule(Base):
    """A rate limit held as data: at most `limit` of `action` per `window_seconds` from
    one `scope` value (an address, a network, an email domain, an email address or an
    account). A short window makes a burst limit, a long one a sustained limit."""

    __tablename__ = "rate_rules"
    __table_args__ = (
        UniqueConstraint("action", "scope", "window_seconds"),
        CheckConstraint("max_count >= 1", name="max_count_positive"),
        CheckConstraint("window_seconds >= 1 AND window_seconds <= 2592000", name="window_range"),
        CheckConstraint("action IN ('register', 'sign', 'create', 'report')", name="action_known"),
        CheckConstraint("scope IN ('address', 'network', 'email_domain', 'email', 'account')", name="scope_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(10))
    scope: Mapped[str] = mapped_column(String(12))
    max_count: Mapped[int]
    window_seconds: Mapped[int]
    enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class RemovedSignatureCount(Base):
    """Signatures an invalidation holds invalid now, per petition and UTC hour of signing:
    written by the run's job in the transaction of each batch (a revalidation subtracts),
    so the public note and the chart read a few rows, never the signatures."""

    __tablename__ = "removed_signature_counts"
    __table_args__ = (CheckConstraint("count >= 0", name="count_non_negative"),
                      Index("ix_removed_signature_counts_petition", "petition_id"))

    run_id: Mapped[int] = mapped_column(ForeignKey("signature_invalidations.id", ondelete="CASCADE"),
                                        primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), primary_key=True)
    hour: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
