"""The jury's share of a juror's personal data (the ``personal_data`` hook).

Export (``jury``): each panel the user sat on (call, role, status, expertise, collaborators,
dates), the conflicts of interest declared for them, their bids and their comments.

Erase: an active juror leaves each panel as if they stepped down (their role on the call is
revoked and their unscored applications handed to other jurors, :data:`signals.jury_member_left`),
without the e-mail to the coordinator that would name them; invitations still out are withdrawn.
The member row stays for the records pointing at it (assignments, score sheets, comments,
conflicts, decisions, the hash-chained jury ledger), anonymised: a non-deliverable address, no
expertise, collaborators or message. Scores and comments are the panel's record of its
deliberation: they stay, attributed to "Deleted user".
"""

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from residency import signals
from residency.audit.operations import record
from residency.core.personal_data import PersonalDataPart
from residency.core.types import utcnow
from residency.extensions import db
from residency.jury.models import Comment, Conflict, MemberStatus, PanelMember, Preference
from residency.jury.panels import _withdraw
from residency.jury.rounds import lock_rounds


def _iso(moment):
    return moment.isoformat() if moment is not None else None


def _members(user):
    return db.session.execute(
        select(PanelMember).where(or_(
            PanelMember.user_id == user.id, func.lower(PanelMember.email) == (user.email or "").lower(),
        )).order_by(PanelMember.id)
    ).scalars().all()


def export(user):
    """``{"panels": [...], "conflicts": [...], "bids": [...], "comments": [...]}``; no files."""
    members = _members(user)
    ids = [member.id for member in members]
    conflicts = db.session.execute(select(Conflict).where(Conflict.member_id.in_(ids)).order_by(Conflict.id)).scalars()
    bids = db.session.execute(select(Preference).where(Preference.member_id.in_(ids))).scalars()
    comments = db.session.execute(select(Comment).where(Comment.member_id.in_(ids)).order_by(Comment.id)).scalars()
    return {
        "panels": [{"call_id": m.call_id, "role": m.role, "status": m.status, "email": m.email,
                    "expertise": list(m.expertise or []), "collaborators": list(m.collaborators or []),
                    "invited_at": _iso(m.invited_at), "responded_at": _iso(m.responded_at)} for m in members],
        "conflicts": [{"call_id": c.call_id, "application_id": c.application_id, "source": c.source,
                       "reason": c.reason, "details": c.details, "created_at": _iso(c.created_at)} for c in conflicts],
        "bids": [{"application_id": b.application_id, "bid": b.bid, "updated_at": _iso(b.updated_at)} for b in bids],
        "comments": [{"round_id": c.round_id, "application_id": c.application_id, "visibility": c.visibility,
                      "body": c.body, "created_at": _iso(c.created_at)} for c in comments],
    }, []


def erase(user):
    """Leave every panel, anonymise the member rows; keep the panel's records (see the module)."""
    now = utcnow()
    for member in _members(user):
        if member.status in (MemberStatus.ACTIVE, MemberStatus.INVITED):
            lock_rounds(member.call_id)
            was = member.status
            _withdraw(user, member, now)
            record("jury.member_left", actor=user, obj=member, call_id=member.call_id, reason="account_deleted")
            if was == MemberStatus.ACTIVE:
                signals.jury_member_left.send(current_app._get_current_object(), member=member)
        member.email = f"deleted-member-{member.id}@deleted.invalid"
        member.expertise, member.collaborators, member.message = [], [], ""
        member.token_hash = member.token_expires_at = None
    db.session.flush()


PART = PersonalDataPart(
    name="jury",
    export=export,
    erase=erase,
    description=_l("The juries you sat on: role, expertise, collaborators, the conflicts of interest declared, "
                   "your bids and your comments."),
)
