"""A call's panel: jurors and a chair, appointed by the call's coordinators, from invitation to
withdrawal.

Every appointment is an invitation to accept, whether or not the person has an account: an
e-mail in their language (their account's, or the one the coordinator picks for an address with
no account) carries a single-use link that expires. Accepting needs the account of the invited
address, with that address confirmed, and grants the role (``juror`` or ``jury_chair``, scoped to
the call). Declining needs only the link (it proves the mailbox; no account is needed to say no),
or, when logged in, the invited account. A coordinator removes a member, or a member steps down:
the member is then withdrawn and the role grant revoked.

A panel has one chair at a time: a second chair can be invited once the first has been removed or
has stepped down.

Operations take plain arguments, flush, record an audit entry and never commit.
"""

import re
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from residency import signals
from residency.accounts.models import RoleGrant, User, hash_token, new_token
from residency.accounts.operations import find_user_by_email, grant_role, normalize_email, revoke_role
from residency.audit.operations import record
from residency.calls.operations import format_in_zone, public_url
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

DEFAULT_INVITATION_DAYS = 14
MESSAGE_MAX_LENGTH = 2000
MAX_LOAD_LIMIT = 1000
MAX_TAGS = 20
TAG_MAX_LENGTH = 40
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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


# --- Appointing ----------------------------------------------------------------------------------

def _invitation_days():
    return int(current_app.config.get("JURY_INVITATION_DAYS", DEFAULT_INVITATION_DAYS))


def _existing_member(call, email, user):
    query = select(PanelMember).where(PanelMember.call_id == call.id)
    condition = func.lower(PanelMember.email) == email
    if user is not None:
        condition = condition | (PanelMember.user_id == user.id)
    return db.session.execute(query.where(condition).order_by(PanelMember.id).limit(1)).scalar_one_or_none()


def invite_member(actor, call, email, role, language=None, now=None):
    """Appoint a juror or the chair by e-mail: an invitation to accept, sent in their language.

    ``language`` is used only for an address without an account (an account's own language wins).
    Someone who declined or left may be invited again: their row is reused.

    :return: ``(member, raw token)``.
    :raise ActionRefused: a malformed address, an unknown role or language (400); someone already
        on the panel or already invited, or a second chair (409).
    """
    now = now or utcnow()
    email = normalize_email(email or "")
    if not _EMAIL.match(email) or len(email) > 254:
        raise ActionRefused(_l("Enter an e-mail address, like name@example.org."), field="email")
    if role not in ROLE_LABELS:
        raise ActionRefused(_l("Choose juror or chair."), field="role")
    user = find_user_by_email(email)
    if user is None and language not in current_app.config["LANGUAGES"]:
        raise ActionRefused(_l("Choose the language of the invitation."), field="language")
    member = _existing_member(call, email, user)
    if member is not None and member.status == MemberStatus.ACTIVE:
        raise ActionRefused(_l("%(email)s is already on the panel.", email=email), field="email", status=409)
    if member is not None and member.status == MemberStatus.INVITED:
        raise ActionRefused(_l("%(email)s is already invited: send the invitation again from the list if it "
                               "was lost.", email=email), field="email", status=409)
    chair = chair_of(call)
    if role == MemberRole.CHAIR and chair is not None:
        raise ActionRefused(_l("The panel already has a chair (%(name)s). A panel has one chair at a time: remove "
                               "them first.", name=display_name(chair)), field="role", status=409)
    if member is None:
        member = PanelMember(call_id=call.id, email=email)
        db.session.add(member)
    member.user_id = user.id if user is not None else None
    member.email = email
    member.role = role
    member.status = MemberStatus.INVITED
    member.language = (user.locale if user is not None else language) or "en"
    member.invited_by_id = getattr(actor, "id", None)
    member.invited_at = now
    member.responded_at = None
    member.message = ""
    raw = _new_token(member, now)
    db.session.flush()
    _send_invitation(member, raw, actor, user)
    record("jury.member_invited", actor=actor, obj=member, call_id=call.id, role=role, has_account=user is not None)
    return member, raw


def resend_invitation(actor, member, now=None):
    """A new link for an invitation still out (the previous link stops working).

    :return: the raw token. :raise ActionRefused 409: the person already answered or was removed.
    """
    now = now or utcnow()
    if member.status != MemberStatus.INVITED:
        raise ActionRefused(_l("This person is not waiting for an invitation."), status=409)
    member.invited_at = now
    raw = _new_token(member, now)
    db.session.flush()
    user = member.user or find_user_by_email(member.email)
    _send_invitation(member, raw, actor, user)
    record("jury.invitation_resent", actor=actor, obj=member, call_id=member.call_id)
    return raw


def _new_token(member, now):
    raw = new_token()
    member.token_hash = hash_token(raw)
    member.token_expires_at = now + timedelta(days=_invitation_days())
    return raw


def _send_invitation(member, raw, actor, user):
    call = member.call
    locale = member.language
    title = call.text("title", locale)
    zone = (user.timezone if user is not None else None) or call.timezone or "UTC"
    queue_email(
        member.email, "jury_invitation",
        _l("Invitation to the jury of “%(call)s”", call=title),
        user=user, locale=locale, inviter=getattr(actor, "display_name", None), call_title=title,
        role=member.role, has_account=user is not None, link=public_url("jury.invitation", token=raw),
        expires=format_in_zone(member.token_expires_at, zone),
    )


# --- Answering -----------------------------------------------------------------------------------

def find_invitation(raw):
    """The member an invitation link is for. :raise ActionRefused 404: unknown, used or withdrawn."""
    member = None
    if raw:
        member = db.session.execute(
            select(PanelMember).where(PanelMember.token_hash == hash_token(raw))).scalar_one_or_none()
    if member is None or member.status != MemberStatus.INVITED:
        raise ActionRefused(_l("This invitation link is not valid any more: it was used, or the invitation was "
                               "withdrawn. Ask the coordinator who invited you for a new one."), status=404)
    return member


def open_invitation(raw, now=None):
    """The member a *usable* invitation link is for. :raise ActionRefused: 404 (see
    :func:`find_invitation`), 410 once expired."""
    now = now or utcnow()
    member = find_invitation(raw)
    if member.token_expires_at is None or member.token_expires_at <= now:
        raise ActionRefused(_l("This invitation has expired. Ask the coordinator who invited you to send it again."),
                            status=410)
    return member


def is_invitee(member, user):
    """Whether ``user`` is the person ``member``'s invitation was sent to."""
    if user is None or not user.is_authenticated:
        return False
    if member.user_id is not None:
        return member.user_id == user.id
    return normalize_email(user.email) == member.email


def _check_invitee(member, user):
    if not is_invitee(member, user):
        raise ActionRefused(_l("This invitation was sent to %(email)s, and you are logged in as %(current)s. Log out, "
                               "then open the link again and log in with the invited address.",
                               email=member.email, current=user.email), status=403)


def accept_invitation(user, raw, now=None):
    """Join the panel: the member becomes active and receives the role on the call; the link then
    stops working.

    :raise ActionRefused: a bad link (404, 410); another account (403); an unconfirmed address
        (403); the panel got another chair meanwhile (409).
    """
    now = now or utcnow()
    member = open_invitation(raw, now)
    _check_invitee(member, user)
    if not user.email_verified:
        raise ActionRefused(_l("Confirm your e-mail address first (we sent you a link), then open the invitation "
                               "again."), status=403)
    if member.role == MemberRole.CHAIR:
        chair = chair_of(member.call)
        if chair is not None and chair.id != member.id:
            raise ActionRefused(_l("The panel has another chair now. Ask the coordinator."), status=409)
    member.user_id = user.id
    member.status = MemberStatus.ACTIVE
    member.responded_at = now
    member.token_hash = None
    member.token_expires_at = None
    db.session.flush()
    role = GRANTED_ROLES[member.role]
    if role_grant(member, user) is None:
        inviter = db.session.get(User, member.invited_by_id) if member.invited_by_id else None
        grant_role(inviter or user, user, role, "call", member.call_id)
    record("jury.invitation_accepted", actor=user, obj=member, call_id=member.call_id, role=member.role)
    _refresh_conflicts(member.call)  # the new member's automatic conflicts
    _tell_inviter(member, "jury_invitation_answered",
                  _l("%(name)s accepted to sit on the jury", name=display_name(member)), accepted=True)
    return member


def decline_invitation(user, raw, message="", now=None):
    """Say no to an invitation, with an optional message for the coordinator. ``user`` may be None
    (not logged in): the link is enough.

    :raise ActionRefused: a bad link (404, 410); logged in as another account (403); a message too long.
    """
    now = now or utcnow()
    member = open_invitation(raw, now)
    if user is not None and user.is_authenticated:
        _check_invitee(member, user)
    message = _clean_message(message)
    member.status = MemberStatus.DECLINED
    member.responded_at = now
    member.message = message
    member.token_hash = None
    member.token_expires_at = None
    db.session.flush()
    record("jury.invitation_declined", actor=user if user is not None and user.is_authenticated else None,
           obj=member, call_id=member.call_id, with_message=bool(message))
    _tell_inviter(member, "jury_invitation_answered",
                  _l("%(name)s declined to sit on the jury", name=display_name(member)), accepted=False)
    return member


def _clean_message(message):
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
    member.message = _clean_message(message)
    _withdraw(user, member, now)
    record("jury.member_stepped_down", actor=user, obj=member, call_id=call.id, with_message=bool(member.message))
    _tell_inviter(member, "jury_stepped_down", _l("%(name)s stepped down from the jury", name=display_name(member)))
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


def _tell_inviter(member, template, subject, **context):
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
    return db.session.get(JurySettings, call.id) or JurySettings(call_id=call.id, same_city_conflicts=False)


def update_settings(actor, call, same_city_conflicts, now=None):
    """Set whether a juror living in an applicant's city is in conflict with the application; the
    automatic conflicts are then worked out again."""
    now = now or utcnow()
    settings = db.session.get(JurySettings, call.id)
    if settings is None:
        settings = JurySettings(call_id=call.id, same_city_conflicts=False)
        db.session.add(settings)
    changed = settings.same_city_conflicts != bool(same_city_conflicts)
    settings.same_city_conflicts = bool(same_city_conflicts)
    settings.updated_at = now
    db.session.flush()
    if changed:
        record("jury.settings_updated", actor=actor, obj=call, same_city_conflicts=settings.same_city_conflicts)
        _refresh_conflicts(call)
    return settings


def _refresh_conflicts(call):
    # Imported here: the conflicts module (another part of the jury) builds on the panel.
    try:
        from residency.jury.conflicts import refresh_automatic_conflicts
    except ImportError:  # pragma: no cover - until the conflicts part lands
        return
    refresh_automatic_conflicts(call)
