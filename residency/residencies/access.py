"""Who is in a residency: the questions other features (rooms) and this one's rules ask.

Only active participations count (``left_at`` is None): someone who left is no longer in.
"""

from residency.extensions import db
from residency.residencies.models import Participant


def participation(user, residency_id):
    """The active :class:`Participant` of ``user`` in residency ``residency_id``, or None
    (anonymous visitors, people never added and people who left alike)."""
    if user is None or not getattr(user, "is_authenticated", False) or residency_id is None:
        return None
    return db.session.execute(
        db.select(Participant).where(
            Participant.residency_id == residency_id,
            Participant.user_id == user.id,
            Participant.left_at.is_(None),
        )
    ).scalars().first()


def participant_user_ids(residency_id):
    """The ids of the users actively taking part in residency ``residency_id``."""
    return set(db.session.execute(
        db.select(Participant.user_id).where(
            Participant.residency_id == residency_id, Participant.left_at.is_(None))
    ).scalars())


def is_participant_anywhere(user):
    """Whether ``user`` actively takes part in at least one residency."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.execute(
        db.select(Participant.id).where(Participant.user_id == user.id, Participant.left_at.is_(None)).limit(1)
    ).first() is not None
