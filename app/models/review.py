"""Review cases: a petition that reached its threshold, queued for its state body."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.workdays import working_days_between
from app.models.base import Base, UTCDateTime
from app.models.geo import StateBody
from app.models.petition import Petition
from app.models.types import enum_column
from app.models.user import User


class CaseState(enum.Enum):
    QUEUED = "queued"
    ACKNOWLEDGED = "acknowledged"
    ANSWERED = "answered"


class ReviewCase(Base):
    __tablename__ = "review_cases"
    __table_args__ = (
        CheckConstraint("state != 'answered' OR (response_text IS NOT NULL AND answered_at IS NOT NULL)",
                        name="answered_has_response"),
        Index("ix_review_cases_body_id_state_due_on", "body_id", "state", "due_on"),
        # The fan-outs not finished (app.review.engine.pending_fanouts): a few rows of a
        # table that only grows.
        Index("ix_review_cases_threshold_fanout_pending", "id",
              postgresql_where=text("threshold_fanout_done_at IS NULL"),
              sqlite_where=text("threshold_fanout_done_at IS NULL")),
        Index("ix_review_cases_response_fanout_pending", "id",
              postgresql_where=text("state = 'answered' AND response_fanout_done_at IS NULL"),
              sqlite_where=text("state = 'answered' AND response_fanout_done_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique: a petition is queued for review once, whatever races or retries happen.
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), unique=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("state_bodies.id"))
    state: Mapped[CaseState] = mapped_column(enum_column(CaseState, "case_state"), default=CaseState.QUEUED)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    due_on: Mapped[date]
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    response_text: Mapped[str | None] = mapped_column(Text)
    # Fan-out progress of the emails to signers who asked for news: the last signature
    # id handled, and when it finished. A crash resumes from the cursor.
    threshold_fanout_cursor: Mapped[int] = mapped_column(default=0)
    threshold_fanout_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    response_fanout_cursor: Mapped[int] = mapped_column(default=0)
    response_fanout_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    petition: Mapped[Petition] = relationship(lazy="joined", back_populates="review_case")
    body: Mapped[StateBody] = relationship(lazy="joined")
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
    reassignments: Mapped[list[CaseReassignment]] = relationship(
        back_populates="case", order_by="CaseReassignment.id", cascade="all, delete-orphan")

    def overdue_days(self, today: date) -> int:
        """Working days past the due date on `today` (0 if not late, or answered)."""
        if self.state is CaseState.ANSWERED:
            return 0
        return max(0, -working_days_between(today, self.due_on))


class CaseReassignment(Base):
    """A case moved from one state body to another: the public timeline says so, and
    the accountability figures know which body held it when."""

    __tablename__ = "review_reassignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("review_cases.id", ondelete="CASCADE"), index=True)
    from_body_id: Mapped[int] = mapped_column(ForeignKey("state_bodies.id"))
    to_body_id: Mapped[int] = mapped_column(ForeignKey("state_bodies.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    case: Mapped[ReviewCase] = relationship(back_populates="reassignments")
    from_body: Mapped[StateBody] = relationship(foreign_keys=[from_body_id], lazy="joined")
    to_body: Mapped[StateBody] = relationship(foreign_keys=[to_body_id], lazy="joined")
