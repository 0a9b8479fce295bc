"""A call's panel: jurors and a chair, appointed by the call's coordinators, from invitation to
withdrawal.

Everyone on a panel came in by an invitation they accepted (:mod:`residency.jury.invitations`),
which granted them the role (``juror`` or ``jury_chair``, scoped to the call). A coordinator
removes a member, or a member steps down: the member is then withdrawn and the role grant revoked.

A panel has one chair at a time: a second chair can be invited once the first has been removed or
has stepped down.

Operations take plain arguments, flush, record an audit entry and never commit.
"""

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from residency import signals
from residency.accounts.models import RoleGrant, User
from residency.accounts.operations import find_user_by_email, revoke_role
from residency.audit.operations import record
from residency.calls.operations import public_url
from residency.core.errors import ActionRefused
from residency.core.types import utcnow
from residency.extensions import db
from residency.jury.models import JurySettings, MemberRole, MemberStatus, PanelMember
from residency.jury.rounds import lock_rounds
from residency.notifications.operations import queue_email

ROLE_LABELS = {MemberRole.JUROR: _l("Juror"), MemberRole.CHAIR: _l("Jury chair")}
STATUS_LABELS = {
    MemberStatus.INVITED: _l("Invited"),
    MemberStatus.ACTIVE: _l("Active"),
    MemberStatus.DECLINED: _l("Declined"),
    MemberStatus.WITHDRAWN: _l("Withdrawn"),
}
#: The role grant an active member of each panel role holds on the call.
GRANTED_ROLES = {MemberRole.JUROR: "juror", MemberRole.CHAIR: "jury_chair"}

MESSAGE_MAX_LENGTH = 2000
MAX_LOAD_LIMIT = 1000
MAX_TAGS = 20
TAG_MAX_LENGTH = 40


# --- Reading -------------------------------------------------------------------------------------

def active_members(call, role=None):
    """The call's active panel members (of ``role``, ``"juror"`` or ``"chair"``, when given), by id."""
    query = select(PanelMember).where(PanelMember.call_id == call.id, PanelMember.status == MemberStatus.ACTIVE)
    if role is not None:
        query = query.where(PanelMember.role == role)
    return db.session.execute(query.order_by(PanelMember.id)).scalars().all()


def members_of(call):
    """Everyone the call's panel ever invited, in every status, by id."""
    return db.session.execute(
        select(PanelMember).where(PanelMember.call_id == call.id).order_by(PanelMember.id)).scalars().all()


def get_member(call, member_id):
    """The call's panel member ``member_id``, or None (another call's member is None too)."""
    member = db.session.get(PanelMember, member_id)
    return member if member is not None and member.call_id == call.id else None


def memberships(user):
    """``user``'s panel memberships that are active or await their answer, newest call first."""
    return db.session.execute(
        select(PanelMember).where(PanelMember.user_id == user.id,
                                  PanelMember.status.in_((MemberStatus.ACTIVE, MemberStatus.INVITED)))
        .order_by(PanelMember.call_id.desc())
    ).scalars().all()


def chair_of(call):
    """The call's chair, active or invited, or None (a panel has one chair at a time)."""
    return db.session.execute(
        select(PanelMember).where(PanelMember.call_id == call.id, PanelMember.role == MemberRole.CHAIR,
                                  PanelMember.status.in_((MemberStatus.ACTIVE, MemberStatus.INVITED)))
        .order_by(PanelMember.id).limit(1)
    ).scalar_one_or_none()


def display_name(member):
    """The member's name when they have an account, else their address."""
    return member.user.display_name if member.user is not None else member.email


def clean_message(message):
    """A member's optional message to the coordinator, trimmed. :raise ActionRefused: too long."""
    message = (message or "").replace("\r\n", "\n").strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        raise ActionRefused(_l("Keep the message under %(max)d characters.", max=MESSAGE_MAX_LENGTH), field="message")
    return message


# --- Leaving -------------------------------------------------------------------------------------

def remove_member(actor, member, now=None):
    """A coordinator removes an active member or withdraws an invitation still out. The member is
    withdrawn, their role on the call revoked, and told by e-mail.

    :raise ActionRefused 409: the person is not on the panel (declined or already withdrawn).
    """
    now = now or utcnow()
    # Lock order: the call's rounds (the member's pairs are handed over), then the member.
    lock_rounds(member.call_id)
    if member.status not in (MemberStatus.ACTIVE, MemberStatus.INVITED):
        raise ActionRefused(_l("This person is not on the panel."), status=409)
    was = member.status
    _withdraw(actor, member, now)
    record("jury.member_removed", actor=actor, obj=member, call_id=member.call_id, was=was)
    user = member.user or find_user_by_email(member.email)
    title = member.call.text("title", member.language)
    queue_email(member.email, "jury_removed", _l("You are no longer on the jury of “%(call)s”", call=title),
                user=user, locale=(user.locale if user is not None else member.language), call_title=title,
                was_invited=was == MemberStatus.INVITED)
    if was == MemberStatus.ACTIVE:
        signals.jury_member_left.send(current_app._get_current_object(), member=member)
    return member


def step_down(user, call, message="", now=None):
    """An active member leaves the panel of ``call``, with an optional message; the coordinator who
    invited them is told.

    :raise ActionRefused 404: ``user`` is not an active member of the call's panel.
    """
    now = now or utcnow()
    lock_rounds(call.id)  # lock order: the call's rounds (the member's pairs are handed over), then the member
    member = db.session.execute(
        select(PanelMember).where(PanelMember.call_id == call.id, PanelMember.user_id == user.id,
                                  PanelMember.status == MemberStatus.ACTIVE)
    ).scalar_one_or_none()
    if member is None:
        raise ActionRefused(_l("You are not on this panel."), status=404)
    member.message = clean_message(message)
    _withdraw(user, member, now)
    record("jury.member_stepped_down", actor=user, obj=member, call_id=call.id, with_message=bool(member.message))
    tell_inviter(member, "jury_stepped_down", _l("%(name)s stepped down from the jury", name=display_name(member)))
    signals.jury_member_left.send(current_app._get_current_object(), member=member)
    return member


def _withdraw(actor, member, now):
    member.status = MemberStatus.WITHDRAWN
    member.responded_at = now
    member.token_hash = None
    member.token_expires_at = None
    if member.user is not None:
        grant = role_grant(member, member.user)
        if grant is not None:
            revoke_role(actor, grant)
    db.session.flush()


def role_grant(member, user):
    """The role grant on the call that ``user`` holds as ``member`` (juror or chair), or None."""
    return db.session.execute(
        select(RoleGrant).where(RoleGrant.user_id == user.id, RoleGrant.role == GRANTED_ROLES[member.role],
                                RoleGrant.scope_type == "call", RoleGrant.scope_id == member.call_id)
    ).scalar_one_or_none()


def tell_inviter(member, template, subject, **context):
    """E-mail the coordinator who sent the invitation, in their language (nobody if they are gone).
    ``subject``: a lazy string taking ``name``."""
    inviter = db.session.get(User, member.invited_by_id) if member.invited_by_id else None
    if inviter is None:
        return
    title = member.call.text("title", inviter.locale)
    queue_email(inviter.email, template, subject, user=inviter, member_name=display_name(member),
                member_email=member.email, call_title=title, message=member.message, role=member.role,
                link=public_url("jury.panel", call_id=member.call_id), **context)


# --- Editing -------------------------------------------------------------------------------------

def update_member(actor, member, max_load, expertise):
    """Set a member's cap (the most applications they review in a round; None: their balanced
    share) and expertise tags (comma-separated text or a list).

    :raise ActionRefused: a cap out of range, too many or too long tags; a member no longer on the
        panel (409).
    """
    if member.status not in (MemberStatus.ACTIVE, MemberStatus.INVITED):
        raise ActionRefused(_l("This person is not on the panel."), status=409)
    if max_load is not None and not 1 <= max_load <= MAX_LOAD_LIMIT:
        raise ActionRefused(_l("Enter a whole number from 1 to %(max)d, or leave it empty.", max=MAX_LOAD_LIMIT),
                            field="max_load")
    tags = expertise.split(",") if isinstance(expertise, str) else list(expertise or ())
    cleaned = []
    for tag in tags:
        tag = " ".join(str(tag).split())
        if tag and tag.lower() not in [t.lower() for t in cleaned]:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise ActionRefused(_l("Give at most %(max)d tags.", max=MAX_TAGS), field="expertise")
    if any(len(tag) > TAG_MAX_LENGTH for tag in cleaned):
        raise ActionRefused(_l("Keep each tag under %(max)d characters.", max=TAG_MAX_LENGTH), field="expertise")
    changed = member.max_load != max_load or list(member.expertise or []) != cleaned
    member.max_load = max_load
    member.expertise = cleaned
    db.session.flush()
    if changed:
        record("jury.member_updated", actor=actor, obj=member, call_id=member.call_id, max_load=max_load,
               expertise=len(cleaned))
    return member


# --- The jury's settings of a call ---------------------------------------------------------------

def jury_settings(call):
    """The call's jury settings (defaults, unsaved, when nobody set any)."""
    return db.session.get(JurySettings, call.id) or JurySettings(call_id=call.id, same_city_conflicts=False,
                                                                 applicant_feedback=False)


def update_settings(actor, call, same_city_conflicts, now=None, applicant_feedback=None):
    """Set whether a juror living in an applicant's city is in conflict with the application (the
    automatic conflicts are then worked out again) and, unless None, whether published decisions
    carry the feedback jurors wrote for the applicant."""
    now = now or utcnow()
    settings = db.session.get(JurySettings, call.id)
    if settings is None:
        settings = JurySettings(call_id=call.id, same_city_conflicts=False, applicant_feedback=False)
        db.session.add(settings)
    changed = settings.same_city_conflicts != bool(same_city_conflicts)
    settings.same_city_conflicts = bool(same_city_conflicts)
    feedback_changed = applicant_feedback is not None and settings.applicant_feedback != bool(applicant_feedback)
    if feedback_changed:
        settings.applicant_feedback = bool(applicant_feedback)
    settings.updated_at = now
    db.session.flush()
    if feedback_changed:
        record("jury.settings_updated", actor=actor, obj=call, applicant_feedback=settings.applicant_feedback)
    if changed:
        record("jury.settings_updated", actor=actor, obj=call, same_city_conflicts=settings.same_city_conflicts)
        refresh_conflicts(call)
    return settings


def refresh_conflicts(call):
    """Work out the call's automatic conflicts again (after the panel or the settings changed)."""
    # Imported here: the conflicts module (another part of the jury) builds on the panel.
    try:
        from residency.jury.conflicts import refresh_automatic_conflicts
    except ImportError:  # pragma: no cover - until the conflicts part lands
        return
    refresh_automatic_conflicts(call)
