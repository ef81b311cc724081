"""Accounts and the roles staff hold."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import gettext
from flask_login import UserMixin
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, LargeBinary, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.core import clock
from app.core.mailboxes import mailbox_key
from app.models.base import Base, UTCDateTime
from app.models.geo import Region, StateBody
from app.models.identity import IdentityLevel
from app.models.types import enum_column


class Role(enum.Enum):
    CITIZEN = "citizen"
    MODERATOR = "moderator"
    OFFICIAL = "official"
    ADMIN = "admin"


STAFF_ROLES = (Role.MODERATOR, Role.OFFICIAL, Role.ADMIN)


# The password hash of an account made through the state's identity provider: no password
# matches it (app.accounts.passwords), until its owner sets one by a reset link.
NO_PASSWORD = "!no-password"  # noqa: S105 (not a secret: a hash no password matches)




class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("language IN ('kk', 'ru', 'en')", name="language_known"),
        CheckConstraint("session_version > 0", name="session_version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased so uniqueness is case-insensitive on every backend.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # The mailbox the address reaches (app.core.mailboxes.mailbox_key), kept with it: one
    # account per mailbox, "name+2@" of a provider that delivers it to "name@" included.
    mailbox: Mapped[str] = mapped_column(String(254), unique=True)
    # As in the identity document. Public pages show "Given S." (display_name).
    given_name: Mapped[str] = mapped_column(String(100))
    surname: Mapped[str] = mapped_column(String(100))
    patronymic: Mapped[str | None] = mapped_column(String(100))
    # The three parts were guessed from one "full name" field by a migration: the person
    # is asked to confirm them at their next log-in.
    name_unconfirmed: Mapped[bool] = mapped_column(default=False, server_default=false())
    password_hash: Mapped[str] = mapped_column(String(255))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    # HMAC-SHA256 of the IIN with a server key: enforces one account per person without
    # keeping the number. Staff created from the CLI may have none.
    iin_hmac: Mapped[bytes | None] = mapped_column(LargeBinary(32), unique=True)
    birth_date: Mapped[date | None]
    identity_level: Mapped[IdentityLevel] = mapped_column(
        enum_column(IdentityLevel, "identity_level"), default=IdentityLevel.SELF_DECLARED,
        server_default=IdentityLevel.SELF_DECLARED.value)
    # When the state's identity provider (or an EDS) last vouched for the identity.
    identity_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A new address waits here until the link sent to it is followed.
    pending_email: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(2), default="kk")
    # Bumped on each password change or reset (the sessions themselves end in user_sessions).
    session_version: Mapped[int] = mapped_column(default=1)
    active: Mapped[bool] = mapped_column(default=True)
    # A moderator's suspension (active is then false): when, and the reason the account's
    # owner is told when they try to log in.
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    suspension_reason: Mapped[str | None] = mapped_column(String(500))
    # The privacy notice's version the person consented to, and when (app.legal).
    consent_version: Mapped[str | None] = mapped_column(String(20))
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The last move to another region (moves are limited: residency decides who signs).
    region_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Deleted by its owner: personal data erased, only iin_hmac kept (app.accounts.own_data).
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The second factor (RFC 6238 codes): the shared secret in base32, when it was turned
    # on, and the last time step a code was accepted for (a code is never accepted twice).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # Wrong codes in a row (at log-in, or asked again before a grave change), and when the
    # last came: past TWO_FACTOR_MAX_FAILURES within the window no code is even checked.
    second_factor_failures: Mapped[int] = mapped_column(default=0)
    second_factor_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Wrong answers to "prove it is you" inside a session, counted apart from log-in's.
    reauth_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    reauth_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    region: Mapped[Region | None] = relationship()
    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # The server-side session this request runs in (set by the session loader); the
    # session cookie and the remember-me cookie carry its key, never the user's id.
    current_session = None  # a UserSession, per request, not a column
    session_key = None  # str, per request, not a column

    @validates("email")
    def _keep_mailbox(self, _key: str, address: str) -> str:
        """Every address set is kept with its mailbox."""
        self.mailbox = mailbox_key(address)
        return address

    def get_id(self) -> str:
        if not self.session_key:
            raise RuntimeError("log in through app.accounts.sessions.start, which makes the session key")
        return self.session_key

    @property
    def is_staff(self) -> bool:
        return bool(self.roles)

    @property
    def has_second_factor(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def second_factor_passed(self) -> bool:
        """Whether this session was opened (or confirmed) with the second factor."""
        return self.current_session is not None and self.current_session.second_factor_at is not None

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def has_password(self) -> bool:
        """False for an account made through the state's identity provider until its owner
        sets a password (by a reset link)."""
        return self.password_hash != NO_PASSWORD

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def role_set(self) -> set[Role]:
        return {Role.CITIZEN} | {r.role for r in self.roles}

    def has_role(self, *roles: Role) -> bool:
        return bool(self.role_set & set(roles))

    def acts_as(self, *roles: Role) -> bool:
        """Holds one of these roles in a session that passed the second factor: what
        staff powers outside the staff pages (e.g. seeing a hidden petition) ask for."""
        return self.has_role(*roles) and self.second_factor_passed

    @property
    def official_body(self) -> StateBody | None:
        for r in self.roles:
            if r.role is Role.OFFICIAL:
                return r.body
        return None

    @property
    def full_name(self) -> str:
        """Surname, given name and patronymic, in the order of the identity card (staff
        pages)."""
        return " ".join(part for part in (self.surname, self.given_name, self.patronymic) if part)

    @property
    def display_name(self) -> str:
        """The given name and the initial of the surname: how public pages show people."""
        if self.deleted_at is not None:
            return gettext("a former user")
        if not self.surname:
            return self.given_name
        return f"{self.given_name} {self.surname[0]}."


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


class UserSession(Base):
    """One log-in: the cookie holds a random key, this row its hash. Log-out, a password
    change or a timeout ends the row, and with it every copy of the cookie."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    remember: Mapped[bool] = mapped_column(default=False)
    second_factor_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RecoveryCode(Base):
    """A one-time code that stands in for the second factor; only its hash is kept."""

    __tablename__ = "recovery_codes"
    __table_args__ = (UniqueConstraint("user_id", "code_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
