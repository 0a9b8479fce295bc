"""Invitations to a call's panel: every appointment is an invitation to accept, whether or not
the person has an account.

An e-mail in their language (their account's, or the one the coordinator picks for an address with
no account) carries a single-use link that expires. Accepting needs the account of the invited
address, with that address confirmed, and grants the role (``juror`` or ``jury_chair``, scoped to
the call). Declining needs only the link (it proves the mailbox; no account is needed to say no),
or, when logged in, the invited account. The panel itself (its members, leaving it) is
:mod:`residency.jury.panels`.

Operations take plain arguments, flush, record an audit entry and never commit.
"""

import re
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from residency.accounts.models import User, hash_token, new_token
from residency.accounts.operations import (
    find_user_by_email,
    grant_role,
    normalize_email,
)
from residency.audit.operations import record
from residency.calls.operations import format_in_zone, public_url
from residency.core.errors import ActionRefused
from residency.core.types import utcnow
from residency.extensions import db
from residency.jury.models import MemberRole, MemberStatus, PanelMember
from residency.jury.panels import (
    GRANTED_ROLES,
    ROLE_LABELS,
    chair_of,
    clean_message,
    display_name,
    refresh_conflicts,
    role_grant,
    tell_inviter,
)
from residency.notifications.operations import queue_email

DEFAULT_INVITATION_DAYS = 14
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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
    refresh_conflicts(member.call)  # the new member's automatic conflicts
    tell_inviter(member, "jury_invitation_answered",
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
    message = clean_message(message)
    member.status = MemberStatus.DECLINED
    member.responded_at = now
    member.message = message
    member.token_hash = None
    member.token_expires_at = None
    db.session.flush()
    record("jury.invitation_declined", actor=user if user is not None and user.is_authenticated else None,
           obj=member, call_id=member.call_id, with_message=bool(message))
    tell_inviter(member, "jury_invitation_answered",
                 _l("%(name)s declined to sit on the jury", name=display_name(member)), accepted=False)
    return member
