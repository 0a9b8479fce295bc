"""Artist profiles, applications, their frozen submitted versions and their members."""

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from residency.core.types import UTCDateTime, utcnow
from residency.extensions import db


class ArtistProfile(db.Model):
    """What an artist reuses across applications: bio, links, selected works."""

    __tablename__ = "artist_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    bio: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    links: Mapped[list] = mapped_column(JSON, default=list)
    country_of_residence: Mapped[Optional[str]] = mapped_column(String(2))
    career_stage: Mapped[Optional[str]] = mapped_column(String(20))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    portfolio_work_ids: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user = relationship("User")


class ApplicationState:
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    SHORTLISTED = "shortlisted"
    SELECTED = "selected"
    WAITLISTED = "waitlisted"
    DECLINED = "declined"


class Application(db.Model):
    """An artist's (or a collective's) application to a call.

    ``answers`` maps question ids to values (text, list of choices, ISO date, URL, or for file
    questions a list of media asset ids). The draft changes freely; each submission freezes a
    copy in :class:`ApplicationVersion`, and the last submitted version is the one that counts.

    ``residence_country`` and ``residence_city_id`` are copied from the last submitted version at
    each submission (with :class:`ApplicationFile` rows for its files): the coordinators' list
    filters and flags on them without reading the frozen JSON.
    """

    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_call_state", "call_id", "state"),
        Index("ix_applications_call_submitted", "call_id", "submitted_at"),
        # The coordinators' list: the listed applications of a call in submission order, with what
        # its counts and filters read, so that counting and paging never touch the wide rows.
        Index("ix_applications_listed", "call_id", "submitted_at", "id",
              postgresql_include=["state", "eligible", "owner_id"],
              postgresql_where=text("current_version > 0 AND state <> 'draft'"),
              sqlite_where=text("current_version > 0 AND state <> 'draft'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), default=ApplicationState.DRAFT)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    eligibility_answers: Mapped[dict] = mapped_column(JSON, default=dict)
    eligible: Mapped[Optional[bool]]
    eligibility_notes: Mapped[list] = mapped_column(JSON, default=list)
    current_version: Mapped[int] = mapped_column(default=0)
    fingerprint: Mapped[Optional[str]] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    residence_country: Mapped[Optional[str]] = mapped_column(String(2))
    residence_city_id: Mapped[Optional[int]] = mapped_column(ForeignKey("cities.id", ondelete="SET NULL"))
    #: Asset ids the members removed from file questions; the files stay stored, since an earlier
    #: submitted version may show them.
    detached_asset_ids: Mapped[list] = mapped_column(JSON, default=list)

    call = relationship("Call")
    owner = relationship("User")
    members = relationship("ApplicationMember", back_populates="application", cascade="all, delete-orphan",
                           order_by="ApplicationMember.id")
    versions = relationship("ApplicationVersion", back_populates="application", cascade="all, delete-orphan",
                            order_by="ApplicationVersion.number")


class ApplicationVersion(db.Model):
    """A submitted version, frozen: what the jury sees, even if the profile or files change later."""

    __tablename__ = "application_versions"
    __table_args__ = (UniqueConstraint("application_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Answers, profile, members and files (with their SHA-256) exactly as submitted.
    snapshot: Mapped[dict] = mapped_column(JSON)
    fingerprint: Mapped[str] = mapped_column(String(64))

    application = relationship("Application", back_populates="versions")


class ApplicationFile(db.Model):
    """A file of an application's last submitted version, as frozen (name and SHA-256): what the
    duplicate detection compares across a call. Rewritten at each submission."""

    __tablename__ = "application_files"
    __table_args__ = (Index("ix_application_files_call_sha256", "call_id", "sha256"),)

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True)
    # No foreign key: the record says what was submitted even once the stored file is gone.
    asset_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(64), default="")
    filename: Mapped[str] = mapped_column(String(255), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="")


class ApplicationMember(db.Model):
    """A co-applicant invited to a collaborative application (the owner is not listed here)."""

    __tablename__ = "application_members"
    __table_args__ = (UniqueConstraint("application_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    accepted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    application = relationship("Application", back_populates="members")
    user = relationship("User", foreign_keys=[user_id])


class ApplicationMessage(db.Model):
    """A message from a call's coordinators to one applicant or to all (also sent by e-mail)."""

    __tablename__ = "application_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[Optional[int]] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    sender_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recipients: Mapped[int] = mapped_column(default=0)
