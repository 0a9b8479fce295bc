"""Applications' share of a user's personal data (the ``personal_data`` hook).

Export (``applications``): the artist profile; each application the user owns (call, state,
dates, current answers, eligibility answers, every submitted version as frozen, the coordinators'
messages about it); the applications of others the user was invited to (call, state, when invited
and accepted). Their files are in media's part (``files/media/``).

Erase (see :mod:`residency.applications.erasure` for what "deleted" and "stripped" mean):

- the artist profile is deleted;
- drafts never submitted, and submitted or withdrawn applications nobody else has a record of,
  are deleted with their files;
- applications others rely on (a decision, the jury's records) are stripped: state and decision
  stay, answers, files and profile go;
- in other people's applications, the user's membership and pending invitations to their address
  are deleted and the frozen versions name them "Deleted user", without their profile.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_

from residency.applications import erasure
from residency.applications.models import Application, ApplicationMember, ApplicationMessage, ArtistProfile
from residency.core.personal_data import PersonalDataPart
from residency.extensions import db


def _iso(moment):
    return moment.isoformat() if moment is not None else None


def _profile(user):
    profile = db.session.get(ArtistProfile, user.id)
    if profile is None:
        return None
    return {"bio": profile.bio, "website": profile.website, "links": list(profile.links or []),
            "country_of_residence": profile.country_of_residence, "career_stage": profile.career_stage,
            "organisation": profile.organisation, "portfolio_work_ids": list(profile.portfolio_work_ids or []),
            "updated_at": _iso(profile.updated_at)}


def _application(application):
    messages = db.session.execute(
        db.select(ApplicationMessage).where(ApplicationMessage.application_id == application.id)
        .order_by(ApplicationMessage.id)
    ).scalars()
    return {
        "id": application.id, "call_id": application.call_id,
        "call": application.call.text("title", application.owner.locale) if application.call is not None else None,
        "state": application.state, "created_at": _iso(application.created_at),
        "updated_at": _iso(application.updated_at), "submitted_at": _iso(application.submitted_at),
        "withdrawn_at": _iso(application.withdrawn_at),
        "answers": {key: value for key, value in (application.answers or {}).items()},
        "eligibility_answers": dict(application.eligibility_answers or {}),
        "versions": [{"number": version.number, "submitted_at": _iso(version.submitted_at),
                      "fingerprint": version.fingerprint, "snapshot": version.snapshot}
                     for version in application.versions],
        "messages": [{"subject": message.subject, "body": message.body, "sent_at": _iso(message.sent_at)}
                     for message in messages],
    }


def _memberships(user):
    return db.session.execute(
        db.select(ApplicationMember).where(or_(
            ApplicationMember.user_id == user.id, func.lower(ApplicationMember.email) == (user.email or "").lower(),
        )).order_by(ApplicationMember.id)
    ).scalars().all()


def export(user):
    """``{"profile": {...} | None, "applications": [...], "memberships": [...]}``; no files."""
    memberships = [{"application_id": member.application_id, "call_id": member.application.call_id,
                    "state": member.application.state, "email": member.email,
                    "invited_at": _iso(member.invited_at), "accepted_at": _iso(member.accepted_at)}
                   for member in _memberships(user)]
    return {"profile": _profile(user), "applications": [_application(a) for a in erasure.owned(user.id)],
            "memberships": memberships}, []


def erase(user):
    """Delete the profile; delete or strip the user's applications; forget them in others'."""
    names = [user.display_name, user.email]
    profile = db.session.get(ArtistProfile, user.id)
    if profile is not None:
        db.session.delete(profile)
    applications = erasure.owned(user.id)
    kept = erasure.relied_upon(applications)
    for application in applications:
        if application.id in kept:
            erasure.strip_application(application, names=names)
        else:
            erasure.delete_application(application)
    for member in _memberships(user):
        application_id = member.application_id
        db.session.delete(member)
        erasure.forget_member_in_snapshots(application_id, user.id)
        erasure.scrub_messages(application_id, names)
    db.session.flush()


PART = PersonalDataPart(
    name="applications",
    export=export,
    erase=erase,
    description=_l("Your artist profile, your applications (answers, every submitted version as the jury saw it, "
                   "messages from the coordinators) and the applications you were invited to join."),
)
