"""Calls for artists, their participating cities and the record of changes made after opening."""

from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, Column, Date, ForeignKey, Index, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from residency.core.types import UTCDateTime, utcnow
from residency.extensions import db


class CallState:
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    IN_REVIEW = "in_review"
    DECIDED = "decided"
    ARCHIVED = "archived"

    ALL = (DRAFT, OPEN, CLOSED, IN_REVIEW, DECIDED, ARCHIVED)


DISCIPLINES = (
    "media_arts", "digital_art", "sound", "film", "video", "interactive", "games", "ai_art",
    "net_art", "vr_xr", "performance", "installation", "bio_art", "data_art",
)
FORMATS = ("online", "hybrid")
CAREER_STAGES = ("emerging", "mid_career", "established")

call_cities = Table(
    "call_cities",
    db.metadata,
    Column("call_id", ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True),
    Column("city_id", ForeignKey("cities.id", ondelete="CASCADE"), primary_key=True),
)


class Call(db.Model):
    """An open call.

    ``texts`` holds each language's fields: ``{"en": {"title", "summary", "body", "benefits"}, …}``;
    a missing language falls back to ``main_language``.

    ``form`` is the ordered list of the call's own questions, each a dict:
    ``{"id", "type", "label": {lang: text}, "help": {lang: text}, "required": bool, …}`` with, by type,
    ``word_limit`` (long_text), ``choices: [{"value", "label": {lang: text}}]`` (single/multiple
    choice), ``kinds``, ``max_size``, ``max_count`` (file). Types: short_text, long_text,
    single_choice, multiple_choice, url, date, file.

    ``rubric`` is the ordered list of scoring criteria: ``{"id", "name": {lang}, "description":
    {lang}, "weight": number, "scale_min": int, "scale_max": int}``.

    ``eligibility``: ``{"countries": [ISO codes], "city_ids": [ids], "career_stages": [...],
    "questions": [{"id", "label": {lang}, "required_answer": "yes"|"no"}]}``; empty lists mean anyone.
    """

    __tablename__ = "calls"
    __table_args__ = (Index("ix_calls_state_closes_at", "state", "closes_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    city_id: Mapped[Optional[int]] = mapped_column(ForeignKey("cities.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    main_language: Mapped[str] = mapped_column(String(10), default="en")
    texts: Mapped[dict] = mapped_column(JSON, default=dict)
    disciplines: Mapped[list] = mapped_column(JSON, default=list)
    format: Mapped[str] = mapped_column(String(16), default="online")
    residency_starts_on: Mapped[Optional[date]] = mapped_column(Date)
    residency_ends_on: Mapped[Optional[date]] = mapped_column(Date)
    places: Mapped[int] = mapped_column(default=1)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    opens_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    closes_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(16), default=CallState.DRAFT, index=True)
    # Set when the coordinator publishes: the call shows as upcoming and opens by itself at opens_at.
    published_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    allow_multiple_applications: Mapped[bool] = mapped_column(default=False)
    eligibility: Mapped[dict] = mapped_column(JSON, default=dict)
    form: Mapped[list] = mapped_column(JSON, default=list)
    rubric: Mapped[list] = mapped_column(JSON, default=list)
    # The highest number given to a question (q…), criterion (c…) and condition (e…) id, removed
    # ones included: ids are never given twice, so answers and scores keep their meaning.
    last_question_number: Mapped[int] = mapped_column(default=0, server_default="0")
    last_criterion_number: Mapped[int] = mapped_column(default=0, server_default="0")
    last_condition_number: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    city = relationship("City")
    cities = relationship("City", secondary=call_cities, order_by="City.name")
    created_by = relationship("User")
    changes = relationship("CallChange", back_populates="call", order_by="CallChange.id", cascade="all, delete-orphan")

    def text(self, field, locale=None):
        """``field`` in ``locale``, else in the main language, else in any language."""
        texts = self.texts or {}
        for lang in (str(locale) if locale else None, self.main_language):
            value = (texts.get(lang) or {}).get(field) if lang else None
            if value:
                return value
        for values in texts.values():
            if values.get(field):
                return values[field]
        return ""

    def accepting(self, now=None):
        """True when an application submitted ``now`` is on time (by the clock, not by the beat)."""
        now = now or utcnow()
        return (
            self.published_at is not None
            and self.state in (CallState.DRAFT, CallState.OPEN)
            and self.opens_at is not None and self.closes_at is not None
            and self.opens_at <= now < self.closes_at
        )

    def question(self, question_id):
        return next((q for q in self.form or [] if q.get("id") == question_id), None)


class CallChange(db.Model):
    """A change made to a call after it opened, kept and announced to applicants."""

    __tablename__ = "call_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    summary: Mapped[str] = mapped_column(String(500))
    before: Mapped[dict] = mapped_column(JSON, default=dict)
    after: Mapped[dict] = mapped_column(JSON, default=dict)

    call = relationship("Call", back_populates="changes")
