"""Accounts: users, their login sessions, e-mail tokens, login throttles and the roles they hold in a scope."""

import enum
import hashlib
import secrets
from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from residency.core.types import UTCDateTime, utcnow
from residency.extensions import db


def new_token():
    return secrets.token_urlsafe(32)


def hash_token(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(120))
    pronouns: Mapped[Optional[str]] = mapped_column(String(40))
    city_id: Mapped[Optional[int]] = mapped_column(ForeignKey("cities.id", ondelete="SET NULL"))
    locale: Mapped[str] = mapped_column(String(10), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    email_verified_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    city = relationship("City", lazy="joined")
    grants = relationship(
        "RoleGrant",
        back_populates="user",
        cascade="all, delete-orphan",
        foreign_keys="RoleGrant.user_id",
        lazy="selectin",
    )

    # Flask-Login's interface is supplied by the session the user logged in with.
    is_authenticated = True
    is_anonymous = False

    def get_id(self):
        """Replaced per instance by the login session's token (see ``accounts.sessions``)."""
        raise RuntimeError("user is not attached to a login session")

    @property
    def email_verified(self):
        return self.email_verified_at is not None

    def __repr__(self):
        return f"<User {self.id}>"


class LoginSession(db.Model):
    """One browser's login. The cookie holds only its random token; logout deletes the row."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_agent: Mapped[Optional[str]] = mapped_column(String(255))

    user = relationship("User", lazy="joined")


class TokenPurpose(enum.StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"
    CHANGE_EMAIL = "change_email"
    LOGIN_LINK = "login_link"


class AuthToken(db.Model):
    """A single-use, expiring token sent by e-mail. Only its SHA-256 is stored."""

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    new_email: Mapped[Optional[str]] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    user = relationship("User")


class LoginThrottle(db.Model):
    """Consecutive failed passwords counted on one key, shared by every web process.

    The key is the SHA-256 of an e-mail address tried from browsers its account does not know, or
    of one known browser's device cookie (see ``accounts.throttle``). There is no foreign key:
    addresses without an account are counted like the others, so the answers tell nobody who
    has one.
    """

    __tablename__ = "login_throttles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    failures: Mapped[int] = mapped_column(default=0)
    first_failure_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    last_failure_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    # Until then every attempt on the key is told to wait, and no password is checked.
    blocked_until: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    # When the account's owner was last told of failed attempts by e-mail.
    alerted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())


class Role(enum.StrEnum):
    CITY_COORDINATOR = "city_coordinator"
    JUROR = "juror"
    JURY_CHAIR = "jury_chair"
    FESTIVAL_PROGRAMMER = "festival_programmer"
    NETWORK_ADMIN = "network_admin"


class ScopeType(enum.StrEnum):
    NETWORK = "network"
    CITY = "city"
    CALL = "call"
    FESTIVAL = "festival"


#: Which scopes each role may be held in. Every signed-up user is an artist on their own account.
ROLE_SCOPES = {
    Role.NETWORK_ADMIN: {ScopeType.NETWORK},
    Role.CITY_COORDINATOR: {ScopeType.CITY, ScopeType.NETWORK},
    Role.JUROR: {ScopeType.CALL},
    Role.JURY_CHAIR: {ScopeType.CALL},
    Role.FESTIVAL_PROGRAMMER: {ScopeType.FESTIVAL},
}


class RoleGrant(db.Model):
    """A role held in a scope: "city coordinator of Lyon", "juror of call 12"."""

    __tablename__ = "role_grants"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "scope_type", "scope_id"),
        Index("ix_role_grants_scope", "scope_type", "scope_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    scope_type: Mapped[str] = mapped_column(String(16))
    # 0 for the network scope, so the unique constraint holds (NULLs are all distinct in SQL).
    scope_id: Mapped[int] = mapped_column(default=0)
    granted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user = relationship("User", back_populates="grants", foreign_keys=[user_id])
    granted_by = relationship("User", foreign_keys=[granted_by_id])

    def __repr__(self):
        return f"<RoleGrant {self.role} {self.scope_type}:{self.scope_id}>"
