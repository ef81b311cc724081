"""Digest preferences and the record of every digest sent."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.models.base import Base, UTCDateTime
from app.models.types import enum_column
from app.models.user import User


class DigestFrequency(enum.Enum):
    DAILY = "daily"
    WEEKLY = "weekly"
    OFF = "off"


class DigestPreference(Base):
    """An official's choice; without a row, the default: daily, in the account's language."""

    __tablename__ = "digest_preferences"
    __table_args__ = (CheckConstraint("language IS NULL OR language IN ('kk', 'ru', 'en')", name="language_known"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    frequency: Mapped[DigestFrequency] = mapped_column(enum_column(DigestFrequency, "digest_frequency"),
                                                       default=DigestFrequency.DAILY)
    language: Mapped[str | None] = mapped_column(String(2))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)


class DigestRecord(Base):
    """One digest for one official and one period ("daily:2026-11-23",
    "weekly:2026-W48"): unique, so no retry, restart or second scheduler sends twice."""

    __tablename__ = "digest_records"
    __table_args__ = (
        UniqueConstraint("user_id", "period"),
        # The digest job reads the records of the periods due now (app.digests.services.due).
        Index("ix_digest_records_period_user_id", "period", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("state_bodies.id"))
    period: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, index=True)
    items: Mapped[int] = mapped_column(default=0)
    # None when there was nothing to say: the period is done, and no email went out.
    outbox_email_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_emails.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship()
