"""Accounts and the roles staff hold."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.models.base import Base, UTCDateTime
from app.models.geo import Region, StateBody
from app.models.types import enum_column


class Role(enum.Enum):
    CITIZEN = "citizen"
    MODERATOR = "moderator"
    OFFICIAL = "official"
    ADMIN = "admin"


STAFF_ROLES = (Role.MODERATOR, Role.OFFICIAL, Role.ADMIN)


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("language IN ('kk', 'ru', 'en')", name="language_known"),
        CheckConstraint("session_version > 0", name="session_version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased so uniqueness is case-insensitive on every backend.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    # HMAC-SHA256 of the IIN with a server key: enforces one account per person without
    # keeping the number. Staff created from the CLI may have none.
    iin_hmac: Mapped[bytes | None] = mapped_column(LargeBinary(32), unique=True)
    birth_date: Mapped[date | None]
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A new address waits here until the link sent to it is followed.
    pending_email: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(2), default="kk")
    # Bumped on password change/reset: every other session and remember-me cookie dies.
    session_version: Mapped[int] = mapped_column(default=1)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    region: Mapped[Region | None] = relationship()
    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def role_set(self) -> set[Role]:
        return {Role.CITIZEN} | {r.role for r in self.roles}

    def has_role(self, *roles: Role) -> bool:
        return bool(self.role_set & set(roles))

    @property
    def official_body(self) -> StateBody | None:
        for r in self.roles:
            if r.role is Role.OFFICIAL:
                return r.body
        return None

    @property
    def display_name(self) -> str:
        """First name and the initial of the surname, as public pages show people."""
        parts = self.full_name.split()
        if len(parts) < 2:
            return self.full_name
        return f"{parts[0]} {parts[-1][0]}."


class UserRole(Base):
    """A staff role granted to a user. Citizen is implicit for every account."""

    __tablename__ = "user_roles"
    __table_args__ = (
        UniqueConstraint("user_id", "role"),
        CheckConstraint("role != 'citizen'", name="citizen_is_implicit"),
        CheckConstraint(
            "(role = 'official') = (body_id IS NOT NULL)", name="official_has_body"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    body_id: Mapped[int | None] = mapped_column(ForeignKey("state_bodies.id"), index=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    user: Mapped[User] = relationship(back_populates="roles")
    body: Mapped[StateBody | None] = relationship(lazy="joined")
