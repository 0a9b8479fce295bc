"""Co-applicants: the owner invites people by e-mail with a single-use link, they accept, the
owner removes them. Accepted co-applicants edit and submit the application like its owner."""

from flask_babel import lazy_gettext as _l

from residency.accounts.models import User, hash_token, new_token
from residency.applications.models import ApplicationMember
from residency.applications.operations.states import ensure_writable
from residency.applications.operations.submission import local_time
from residency.applications.policies import is_member
from residency.audit.operations import record
from residency.calls.operations import public_url
from residency.core.errors import ActionRefused
from residency.core.permissions import can
from residency.extensions import db
from residency.notifications.operations import queue_email

MAX_MEMBERS = 10


def invite_member(actor, application, email, now):
    """Invite a co-applicant by e-mail with a single-use link. Returns ``(member, raw token)``.

    :raise ActionRefused: not the owner (403), not writable (409), their own address, an address
        already invited, or too many members (field ``email``).
    """
    if not can(actor, "application.manage_members", application):
        raise ActionRefused(_l("Only the person who started the application invites co-applicants."), status=403)
    ensure_writable(application, now)
    email = (email or "").strip().lower()
    if email == actor.email.lower():
        raise ActionRefused(_l("This is your own address."), field="email")
    if any(m.email == email for m in application.members):
        raise ActionRefused(_l("%(email)s is already invited.", email=email), field="email")
    if len(application.members) >= MAX_MEMBERS:
        raise ActionRefused(_l("An application may have at most %(max)d co-applicants.", max=MAX_MEMBERS), field="email")
    raw = new_token()
    member = ApplicationMember(email=email, token_hash=hash_token(raw), invited_by_id=actor.id, invited_at=now)
    application.members.append(member)
    db.session.flush()
    invitee = db.session.execute(db.select(User).where(db.func.lower(User.email) == email)).scalar_one_or_none()
    locale = invitee.locale if invitee else actor.locale
    title = application.call.text("title", locale)
    queue_email(
        email, "application_invitation", _l("%(name)s invites you to apply together to %(call)s", name=actor.display_name, call=title),
        user=invitee, locale=locale, inviter=actor.display_name, call_title=title,
        link=public_url("applications.invitation", token=raw), closes=local_time(application.call.closes_at, invitee or actor),
    )
    record("application.member_invited", actor=actor, obj=application, member_id=member.id)
    return member, raw


def find_invitation(raw):
    """The pending invitation of this link. :raise ActionRefused 404: unknown or already used."""
    member = db.session.execute(
        db.select(ApplicationMember).where(ApplicationMember.token_hash == hash_token(raw or ""))
    ).scalar_one_or_none()
    if member is None:
        raise ActionRefused(_l("This invitation link is not valid any more: it was used, or the invitation was "
                               "withdrawn. Ask the person who invited you for a new one."), status=404)
    return member


def accept_invitation(user, raw, now):
    """Join the application as a co-applicant; the link then stops working.

    :raise ActionRefused: unknown or used link (404), unconfirmed e-mail (403), the owner or an
        existing member (409), the call not accepting (409).
    """
    member = find_invitation(raw)
    application = member.application
    if not can(user, "application.create", application.call):
        raise ActionRefused(_l("Confirm your e-mail address first, then open the invitation again."), status=403)
    if is_member(user, application):
        raise ActionRefused(_l("You are already part of this application."), status=409)
    ensure_writable(application, now)
    member.user_id = user.id
    member.accepted_at = now
    member.token_hash = None
    db.session.flush()
    record("application.member_accepted", actor=user, obj=application, member_id=member.id)
    return member


def remove_member(actor, application, member_id, now):
    """Remove a co-applicant or cancel an invitation.

    :raise ActionRefused: not the owner (403), unknown member (404), not writable (409).
    """
    if not can(actor, "application.manage_members", application):
        raise ActionRefused(_l("Only the person who started the application removes co-applicants."), status=403)
    ensure_writable(application, now)
    member = next((m for m in application.members if m.id == member_id), None)
    if member is None:
        raise ActionRefused(_l("This co-applicant is not part of the application."), status=404)
    application.members.remove(member)
    db.session.flush()
    record("application.member_removed", actor=actor, obj=application, member_id=member_id, user_id=member.user_id)
    return member
