"""Who may do what with a call's jury. Every jury page, export and socket event asks these.

The objects: a :class:`~residency.calls.models.Call` (its panel and rounds), or an
:class:`~residency.jury.access.Seat` (a panel member in front of one application in one round).
"""

from residency.calls.policies import coordinates
from residency.core.permissions import has_role, rule


def active_member(user, call, role=None):
    """The user's active panel membership of ``call`` (of ``role`` when given), or None."""
    from residency.extensions import db
    from residency.jury.models import MemberStatus, PanelMember

    if call is None or not user.is_authenticated:
        return None
    query = db.select(PanelMember).where(
        PanelMember.call_id == call.id, PanelMember.user_id == user.id, PanelMember.status == MemberStatus.ACTIVE)
    if role is not None:
        query = query.where(PanelMember.role == role)
    return db.session.execute(query).scalars().first()


def is_chair(user, call):
    return call is not None and has_role(user, "jury_chair", "call", call.id) and active_member(user, call, "chair") is not None


@rule("jury.manage")
def manage_jury(user, call):
    """Appoint and remove panel members, set rounds and the jury's settings: the call's coordinators."""
    return coordinates(user, call)


@rule("jury.chair")
def chair_jury(user, call):
    """Run the rounds: assignment, progress, everyone's scores. The chair, and the coordinators."""
    return coordinates(user, call) or is_chair(user, call)


@rule("jury.sit", admin=False)
def sit_on_jury(user, call):
    """See one's own jury pages of ``call`` (dashboard, conflicts, bids, assigned applications)."""
    return active_member(user, call) is not None


# Scoring, blind review, the juror's dashboard and the chair's progress (area D) ------------------

@rule("jury.dashboard", admin=False)
def see_jury_dashboard(user, _obj=None):
    """The juror's dashboard (and its menu entry): someone active on at least one call's panel."""
    from residency.extensions import db
    from residency.jury.models import MemberStatus, PanelMember

    if not user.is_authenticated:
        return False
    return db.session.execute(
        db.select(PanelMember.id).where(PanelMember.user_id == user.id, PanelMember.status == MemberStatus.ACTIVE)
        .limit(1)
    ).first() is not None


@rule("jury.see_others_scores", admin=False)
def see_others_scores(user, seat):
    """Read the other jurors' sheets of the application in front of a :class:`~residency.jury.access.Seat`
    (one's own): as the round says, never, always, or once one has scored it (an abstention does
    not count, so that abstaining is no way to read the others first)."""
    from residency.jury.models import ScoresVisibility

    if seat is None or not user.is_authenticated or seat.member.user_id != user.id:
        return False
    if seat.round.others_scores == ScoresVisibility.ALWAYS:
        return True
    if seat.round.others_scores == ScoresVisibility.AFTER_OWN:
        return seat.own_review is not None and not seat.own_review.abstained
    return False


# Panels, invitations, rounds and settings (area A) ----------------------------------------------

@rule("jury.view")
def view_jury(user, call):
    """Know that the call has a jury at all: its coordinators, its chair and its active members.
    Anyone else is answered as if the jury's pages did not exist (404)."""
    return coordinates(user, call) or is_chair(user, call) or active_member(user, call) is not None


# Deliberation and decisions (Juries II) ----------------------------------------------------------

@rule("jury.discuss", admin=False)
def discuss(user, thread):
    """Take part in the discussion of an application of a round (a
    :class:`~residency.jury.discussion.Thread`): the chair and the round's jurors, never one in
    conflict with the application. (Coordinators read it through the chair's pages.)"""
    from residency.jury.discussion import covers, participant

    if thread is None or not user.is_authenticated or not covers(thread.round, thread.application_id):
        return False
    return participant(active_member(user, thread.round.call), thread.round, thread.application_id)


@rule("jury.decide", admin=False)
def decide(user, call):
    """Record proposed and final decisions: the chair of the call's panel only."""
    return is_chair(user, call)
