"""Residencies: a cohort of artists, mentors and coordinators over dates, its scheduled sessions,
each participant's calendar feed and their in-app notices.

Sessions are stored as aware UTC instants; the residency's IANA ``timezone`` is the one they are
scheduled in, and each participant sees them in their own. A participant who leaves keeps their
row (``left_at``): the history of who was part of the cohort stays readable by its coordinators.
"""

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from residency.core.types import UTCDateTime, utcnow
from residency.extensions import db


class ResidencyStatus:
    ACTIVE = "active"      # being prepared or running: sessions may be scheduled
    ARCHIVED = "archived"  # over and closed by a coordinator: read-only

    ALL = (ACTIVE, ARCHIVED)


class ParticipantRole:
    ARTIST = "artist"
    MENTOR = "mentor"
    COORDINATOR = "coordinator"

    ALL = (ARTIST, MENTOR, COORDINATOR)


class SessionKind:
    TALK = "talk"
    STUDIO_VISIT = "studio_visit"
    CRITIQUE = "critique"

    ALL = (TALK, STUDIO_VISIT, CRITIQUE)


class Residency(db.Model):
    """A residency of a city: who takes part, from when to when, and its programme."""

    __tablename__ = "residencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The open call whose selected applications formed the cohort (None: created by hand).
    call_id: Mapped[Optional[int]] = mapped_column(ForeignKey("calls.id", ondelete="SET NULL"), index=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    #: The programme, plain text shown with its line breaks.
    description: Mapped[str] = mapped_column(Text, default="")
    #: IANA name of the zone sessions are scheduled in.
    timezone: Mapped[str] = mapped_column(String(64))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=ResidencyStatus.ACTIVE, index=True)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    city = relationship("City", lazy="joined")
    call = relationship("Call")
    created_by = relationship("User", foreign_keys=[created_by_id])

    @property
    def archived(self):
        return self.status == ResidencyStatus.ARCHIVED

    def __repr__(self):
        return f"<Residency {self.id}>"


class Participant(db.Model):
    """A person in a residency, as artist, mentor or coordinator; active while ``left_at`` is None."""

    __tablename__ = "residency_participants"
    __table_args__ = (UniqueConstraint("residency_id", "user_id", name="uq_residency_participants_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    residency_id: Mapped[int] = mapped_column(ForeignKey("residencies.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default=ParticipantRole.ARTIST)
    #: The selected application that brought the artist in (None: added by hand).
    application_id: Mapped[Optional[int]] = mapped_column(ForeignKey("applications.id", ondelete="SET NULL"))
    added_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    left_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    residency = relationship("Residency")
    user = relationship("User", foreign_keys=[user_id], lazy="joined")

    @property
    def active(self):
        return self.left_at is None

    def __repr__(self):
        return f"<Participant {self.residency_id}:{self.user_id} {self.role}>"


class Session(db.Model):
    """A talk, studio visit or critique of a residency, at UTC instants.

    ``sequence`` grows at every change so calendar programs replace their copy (RFC 5545
    SEQUENCE); a cancelled session stays (``cancelled_at``) so feeds can tell calendars to drop it.
    """

    __tablename__ = "residency_sessions"
    __table_args__ = (Index("ix_residency_sessions_residency_start", "residency_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    residency_id: Mapped[int] = mapped_column(ForeignKey("residencies.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16), default=SessionKind.TALK)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: Where it happens: a place or a link, shown as text.
    location: Mapped[str] = mapped_column(String(300), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sequence: Mapped[int] = mapped_column(default=0)
    cancelled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    residency = relationship("Residency")

    @property
    def cancelled(self):
        return self.cancelled_at is not None

    def __repr__(self):
        return f"<Session {self.id} of residency {self.residency_id}>"


class CalendarFeed(db.Model):
    """A participant's secret calendar address. Only the token's SHA-256 is kept; a revoked feed
    (``revoked_at``) answers like an unknown one. At most one live feed per participant."""

    __tablename__ = "residency_calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("residency_participants.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    last_used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    participant = relationship("Participant")


class NoticeKind:
    SESSION_ADDED = "session_added"
    SESSION_CHANGED = "session_changed"
    SESSION_CANCELLED = "session_cancelled"
    JOINED = "joined"

    ALL = (SESSION_ADDED, SESSION_CHANGED, SESSION_CANCELLED, JOINED)


class Notice(db.Model):
    """An in-app notice to one user about a residency (a session added, changed or cancelled, being
    added to the cohort); unread while ``read_at`` is None."""

    __tablename__ = "residency_notices"
    __table_args__ = (Index("ix_residency_notices_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    residency_id: Mapped[int] = mapped_column(ForeignKey("residencies.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[Optional[int]] = mapped_column(ForeignKey("residency_sessions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    residency = relationship("Residency")
    session = relationship("residency.residencies.models.Session")
