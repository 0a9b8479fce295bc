"""A call's jury: its panel, rounds, conflicts of interest, bids, assignments and scores.

Scores are stored per criterion, never only as a total, and are never changed in place: a
changed score sheet is a new :class:`Review` that supersedes the previous one (the next issue
chains them into a tamper-evident record and ranks them).
"""

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from residency.core.types import UTCDateTime, utcnow
from residency.extensions import db


class JurySettings(db.Model):
    """The jury's settings of a call (a row once a coordinator set anything)."""

    __tablename__ = "jury_settings"

    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True)
    #: A juror living in the applicant's city is in conflict with the application.
    same_city_conflicts: Mapped[bool] = mapped_column(default=False)
    #: Ids of the call's form questions whose answers identify the applicant: a blind round hides
    #: them from the jurors, with the name, city, e-mail and co-applicants.
    identifying_question_ids: Mapped[list] = mapped_column(JSON, default=list)
    #: Published decisions carry the feedback jurors wrote for the applicant (comments meant for them).
    applicant_feedback: Mapped[bool] = mapped_column(default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MemberRole:
    JUROR = "juror"
    CHAIR = "chair"


class MemberStatus:
    INVITED = "invited"      # an invitation is out; no access yet
    ACTIVE = "active"        # accepted (or appointed as an existing user who accepted)
    DECLINED = "declined"    # said no to the invitation
    WITHDRAWN = "withdrawn"  # left, or was removed, after accepting


class PanelMember(db.Model):
    """A person on a call's panel, as juror or chair, from invitation to withdrawal.

    ``user_id`` is empty while an invitation to an address with no account is out. An active
    member holds the matching role grant (``juror`` or ``jury_chair``) scoped to the call.
    """

    __tablename__ = "jury_members"
    __table_args__ = (UniqueConstraint("call_id", "email", name="uq_jury_members_call_email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16), default=MemberRole.JUROR)
    status: Mapped[str] = mapped_column(String(16), default=MemberStatus.INVITED, index=True)
    language: Mapped[str] = mapped_column(String(10), default="en")
    #: The most applications this member reviews in a round (None: the balanced share).
    max_load: Mapped[Optional[int]]
    #: Free tags matched against applications' disciplines when assigning.
    expertise: Mapped[list] = mapped_column(JSON, default=list)
    #: People the member works with (e-mail addresses or names): an application by one of them is
    #: an automatic conflict.
    collaborators: Mapped[list] = mapped_column(JSON, default=list)
    #: Set when the member declared having no conflict with any application of the call.
    declared_no_conflicts_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    invited_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    responded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    message: Mapped[str] = mapped_column(Text, default="")
    #: SHA-256 of the invitation link's token while an invitation is out (the link works once).
    token_hash: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    call = relationship("Call")
    user = relationship("User", foreign_keys=[user_id])


class RoundPhase:
    SETUP = "setup"
    SCORING = "scoring"
    CLOSED = "closed"


class RoundCoverage:
    ELIGIBLE = "eligible"  # every eligible submitted application
    ADVANCED = "advanced"  # those the previous round advanced


class ScoresVisibility:
    NEVER = "never"
    AFTER_OWN = "after_own"
    ALWAYS = "always"


class Round(db.Model):
    """A round of review (e.g. shortlist, then final) with its dates, coverage and rules."""

    __tablename__ = "jury_rounds"
    __table_args__ = (UniqueConstraint("call_id", "number", name="uq_jury_rounds_call_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(120))
    phase: Mapped[str] = mapped_column(String(16), default=RoundPhase.SETUP)
    scoring_opens_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    scoring_closes_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    coverage: Mapped[str] = mapped_column(String(16), default=RoundCoverage.ELIGIBLE)
    #: k: the reviews each application gets.
    reviews_per_application: Mapped[int] = mapped_column(default=3)
    blind: Mapped[bool] = mapped_column(default=False)
    others_scores: Mapped[str] = mapped_column(String(16), default=ScoresVisibility.AFTER_OWN)
    #: With a randomised assignment, the highest probability of any one juror–application pair.
    max_pair_probability: Mapped[Optional[float]] = mapped_column(Float)
    assignment_confirmed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    call = relationship("Call")


class RoundApplication(db.Model):
    """An application a round covers; ``advanced`` when the round sends it to the next one."""

    __tablename__ = "jury_round_applications"

    round_id: Mapped[int] = mapped_column(ForeignKey("jury_rounds.id", ondelete="CASCADE"), primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True,
                                                index=True)
    advanced: Mapped[bool] = mapped_column(default=False)


class ConflictSource:
    DECLARED = "declared"
    AUTOMATIC = "automatic"


class ConflictReason:
    DECLARED = "declared"            # the juror's own words
    SAME_PERSON = "same_person"      # the juror applied
    CO_APPLICANT = "co_applicant"    # the juror is a member of the application
    EMAIL_DOMAIN = "email_domain"    # same organisation's e-mail domain
    COLLABORATOR = "collaborator"    # named among the application's collaborators
    SAME_CITY = "same_city"          # a setting per call


class Conflict(db.Model):
    """A conflict of interest between a panel member and an application: the member never sees,
    opens or scores it."""

    __tablename__ = "jury_conflicts"
    __table_args__ = (
        UniqueConstraint("member_id", "application_id", "reason", name="uq_jury_conflicts_member_application_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("jury_members.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(16))
    details: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    member = relationship("PanelMember")


class Bid:
    EAGER = "eager"
    WILLING = "willing"
    RATHER_NOT = "rather_not"


class Preference(db.Model):
    """A juror's bid on an application (no row: no preference)."""

    __tablename__ = "jury_bids"

    member_id: Mapped[int] = mapped_column(ForeignKey("jury_members.id", ondelete="CASCADE"), primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True,
                                                index=True)
    bid: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Assignment(db.Model):
    """A panel member asked to review an application in a round.

    A proposed assignment (the solver's preview) has no ``confirmed_at``; removal (a conflict
    declared late, a juror who dropped out, a move by hand) sets ``removed_at`` and its reason
    rather than deleting the row, so that reviews keep what they were made for.
    """

    __tablename__ = "jury_assignments"
    __table_args__ = (
        Index("uq_jury_assignments_live", "round_id", "member_id", "application_id", unique=True,
              postgresql_where=text("removed_at IS NULL"), sqlite_where=text("removed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("jury_rounds.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("jury_members.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(16), default="solver")  # solver | manual | replacement
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    removed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    removed_reason: Mapped[Optional[str]] = mapped_column(String(32))

    round = relationship("Round")
    member = relationship("PanelMember")


class Review(db.Model):
    """One score sheet of an assignment as submitted: a score per criterion (or an abstention).

    Never updated: a changed sheet is a new row whose ``supersedes_id`` names the previous one;
    the current sheet of an assignment is the one nobody supersedes.
    """

    __tablename__ = "jury_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("jury_assignments.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("jury_rounds.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("jury_members.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    abstained: Mapped[bool] = mapped_column(default=False)
    abstain_reason: Mapped[str] = mapped_column(Text, default="")
    supersedes_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("jury_reviews.id", ondelete="SET NULL"), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    scores = relationship("Score", order_by="Score.id", cascade="all, delete-orphan")


class Score(db.Model):
    """A score on one criterion of the call's rubric, on that criterion's scale."""

    __tablename__ = "jury_scores"
    __table_args__ = (UniqueConstraint("review_id", "criterion_id", name="uq_jury_scores_review_criterion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("jury_reviews.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[str] = mapped_column(String(16))
    value: Mapped[float] = mapped_column(Float)


class CommentVisibility:
    PRIVATE = "private"      # the juror's own note
    PANEL = "panel"          # the panel of the call
    APPLICANT = "applicant"  # feedback the applicant may receive with the decision


class Comment(db.Model):
    """A juror's comment on an application in a round, with who may read it."""

    __tablename__ = "jury_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("jury_rounds.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("jury_members.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    review_id: Mapped[Optional[int]] = mapped_column(ForeignKey("jury_reviews.id", ondelete="SET NULL"))
    visibility: Mapped[str] = mapped_column(String(16), default=CommentVisibility.PANEL)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Reminder(db.Model):
    """A reminder e-mailed to a panel member about their unscored applications of a round, once
    per threshold (the hours before scoring closes, e.g. 72 and 24)."""

    __tablename__ = "jury_reminders"

    round_id: Mapped[int] = mapped_column(ForeignKey("jury_rounds.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("jury_members.id", ondelete="CASCADE"), primary_key=True,
                                           index=True)
    hours_before: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: The applications the member had left to score when it was sent (a reminder covers the earlier
    #: thresholds that had passed unsent: one e-mail, a row for each).
    unscored: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
