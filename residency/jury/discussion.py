"""The panel's discussion of one application in a round: a thread for the round's jurors.

Who takes part: an active member of the call's panel who is its chair or had the application's
round to score (a live, confirmed assignment in the round), and who has no conflict of interest
with the application; the call's coordinators read it. The thread opens once scoring of the round
is closed, so that nobody is swayed before scoring.

Operations take plain arguments, flush, record an audit entry and never commit.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from residency.audit.operations import record
from residency.core.errors import ActionRefused
from residency.core.types import utcnow
from residency.extensions import db
from residency.jury import scoring
from residency.jury.models import Assignment, MemberRole, RoundApplication
from residency.jury.record_models import DiscussionMessage

MESSAGE_MAX_LENGTH = 5000


@dataclass(frozen=True)
class Thread:
    """One application of one round, as the ``jury.discuss`` rule is asked about it."""

    round: object  # Round
    application_id: int


def covers(round_, application_id):
    return db.session.get(RoundApplication, (round_.id, application_id)) is not None


def participant(member, round_, application_id):
    """Whether ``member`` (active) takes part in the thread: chair, or a juror of the round, and
    not conflicted with the application."""
    if member is None or scoring.is_conflicted(member, application_id):
        return False
    if member.role == MemberRole.CHAIR:
        return True
    return db.session.execute(
        select(Assignment.id).where(Assignment.round_id == round_.id, Assignment.member_id == member.id,
                                    Assignment.removed_at.is_(None), Assignment.confirmed_at.is_not(None)).limit(1)
    ).first() is not None


def is_open(round_):
    return scoring.scoring_state(round_) == "closed"


def messages(round_, application_id):
    return db.session.execute(
        select(DiscussionMessage).where(DiscussionMessage.round_id == round_.id,
                                        DiscussionMessage.application_id == application_id)
        .order_by(DiscussionMessage.id)).scalars().all()


def post_message(member, round_, application_id, body, now=None):
    """Add ``member``'s message to the thread.

    :raise ActionRefused 404: the member does not take part (see :func:`participant`) or the round
        does not cover the application.
    :raise ActionRefused 409: scoring of the round is not closed yet.
    :raise ActionRefused 400: an empty message, or one longer than ``MESSAGE_MAX_LENGTH``.
    """
    if not covers(round_, application_id) or not participant(member, round_, application_id):
        raise ActionRefused(_l("We could not find this page."), status=404)
    if not is_open(round_):
        raise ActionRefused(_l("The discussion opens when scoring of the round is closed."), status=409)
    body = (body or "").strip()
    if not body:
        raise ActionRefused(_l("Write a message."), field="body")
    if len(body) > MESSAGE_MAX_LENGTH:
        raise ActionRefused(_l("A message has at most %(n)d characters.", n=MESSAGE_MAX_LENGTH), field="body")
    message = DiscussionMessage(round_id=round_.id, application_id=application_id, member_id=member.id, body=body,
                                created_at=now or utcnow())
    db.session.add(message)
    db.session.flush()
    record("jury.discussion_message", actor=member.user_id, obj=message, round_id=round_.id,
           application_id=application_id)
    return message
