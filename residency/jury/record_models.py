"""Juries II: the panel's decisions, its discussion threads and the hash-chained record of a call.

Decisions are never changed in place: a changed decision is a new :class:`Decision` whose
``supersedes_id`` names the one it replaces, and only ``published_at`` is ever set on an existing
row (once). Every score sheet, every change of one and every decision is also appended to
:class:`LedgerRecord`, a SHA-256 hash chain per call (:mod:`residency.jury.ledger`); the
database refuses nothing by itself, so the chain is what shows a row edited behind the
application's back.
"""

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from residency.core.types import UTCDateTime, utcnow
from residency.extensions import db


class Outcome:
    SELECTED = "selected"
    WAITLISTED = "waitlisted"
    DECLINED = "declined"
    ADVANCED = "advanced"  # sent to the next round

    ALL = (SELECTED, WAITLISTED, DECLINED, ADVANCED)


class DecisionStage:
    PROPOSED = "proposed"  # the chair's proposal, before the panel decides
    FINAL = "final"        # the panel's decision, recorded by the chair


class Decision(db.Model):
    """A proposed or final decision on an application in a round, with its rationale and who took it.

    The current decision of a stage is the one nobody supersedes. ``published_at`` is set when the
    final decisions of the call are published (applicants notified).
    """

    __tablename__ = "jury_decisions"
    __table_args__ = (Index("ix_jury_decisions_round_application", "round_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("jury_rounds.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))
    rationale: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    supersedes_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("jury_decisions.id", ondelete="SET NULL"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    decided_by = relationship("User")
    application = relationship("Application")


class DiscussionMessage(db.Model):
    """A message in the panel's discussion of one application in one round."""

    __tablename__ = "jury_discussion"
    __table_args__ = (Index("ix_jury_discussion_round_application", "round_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("jury_rounds.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("jury_members.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    member = relationship("PanelMember")


class LedgerRecord(db.Model):
    """One record of a call's hash chain: ``digest`` is the SHA-256 of the record's canonical
    content, which includes ``previous`` (the digest of the record before it, zeros for the first)."""

    __tablename__ = "jury_ledger"
    __table_args__ = (UniqueConstraint("call_id", "seq", name="uq_jury_ledger_call_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int]
    kind: Mapped[str] = mapped_column(String(24))
    ref_id: Mapped[int]
    payload: Mapped[dict] = mapped_column(JSON)
    recorded_at: Mapped[str] = mapped_column(String(32))
    previous: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))


class LedgerHead(db.Model):
    """The last record of a call's chain: locked to append, so records of one call line up."""

    __tablename__ = "jury_ledger_heads"

    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    digest: Mapped[str] = mapped_column(String(64))
