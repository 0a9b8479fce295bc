"""The automatic conflicts of interest: which hold now between a call's panel members and its
applications, computed from the data (no writing: :func:`residency.jury.conflicts.refresh_automatic_conflicts`
makes the stored rows what :func:`automatic_conflicts` says).

  ``same_person``   the member (their account or e-mail address) made the application;
  ``co_applicant``  the member is one of its co-applicants (an ``ApplicationMember`` by account or
                    e-mail address, invitation accepted or not);
  ``email_domain``  the member's e-mail domain is the applicant's or a co-applicant's, unless the
                    domain names no organisation
                    (:func:`residency.jury.conflict_matching.is_public_domain`);
  ``collaborator``  one of the member's ``collaborators`` (e-mail addresses or names) is the
                    applicant or a co-applicant, compared without case or accents;
  ``same_city``     with the call's ``JurySettings.same_city_conflicts`` on, the member's
                    ``User.city_id`` is the city the applicant said they live in (the frozen
                    eligibility answer, which submitting copies into ``Application.residence_city_id``).
"""

from dataclasses import dataclass, field

from sqlalchemy import select

from residency.accounts.models import User
from residency.applications.listing import listed
from residency.applications.models import Application, ApplicationMember
from residency.cities.models import City
from residency.extensions import db
from residency.jury.conflict_matching import (
    email_domain,
    fold,
    fold_email,
    is_public_domain,
    split_collaborator,
)
from residency.jury.models import ConflictReason, JurySettings


@dataclass
class _People:
    """Who an application is from, as the automatic rules compare them."""

    owner_id: int
    owner_email: str
    member_user_ids: set = field(default_factory=set)
    member_emails: set = field(default_factory=set)
    #: Every address of the applicant and co-applicants, folded.
    emails: set = field(default_factory=set)
    names: set = field(default_factory=set)
    city_id: object = None


def _call_people(call):
    """``{application id: _People}`` of the call's applications, read as plain columns (two
    queries; no ORM objects, which cost more than the comparisons for a large call)."""
    owner_rows = db.session.execute(
        select(Application.id, Application.owner_id, Application.residence_city_id, User.email, User.display_name)
        .join(User, User.id == Application.owner_id).where(listed(call.id))
    ).tuples().all()
    everyone = {}
    for application_id, owner_id, city_id, email, name in owner_rows:
        people = everyone[application_id] = _People(owner_id=owner_id, owner_email=fold_email(email), city_id=city_id)
        people.emails.add(people.owner_email)
        people.names.add(fold(name))
    member_rows = db.session.execute(
        select(ApplicationMember.application_id, ApplicationMember.email, ApplicationMember.user_id, User.email,
               User.display_name)
        .join(Application, Application.id == ApplicationMember.application_id)
        .outerjoin(User, User.id == ApplicationMember.user_id).where(listed(call.id))
    ).tuples().all()
    for application_id, invited_email, user_id, user_email, user_name in member_rows:
        people = everyone.get(application_id)
        if people is None:
            continue
        people.member_emails.add(fold_email(invited_email))
        if user_id is not None:
            people.member_user_ids.add(user_id)
        if user_email is not None:
            people.member_emails.add(fold_email(user_email))
            people.names.add(fold(user_name))
    for people in everyone.values():
        people.emails |= people.member_emails
        people.names.discard("")
    return everyone


class _Index:
    """The call's applications indexed by what the rules look up, so that a refresh costs one pass
    over the applications and one over the members, not one check per pair."""

    def __init__(self, everyone):
        self.people = everyone
        self.by_owner, self.by_owner_email, self.by_member_user, self.by_member_email = {}, {}, {}, {}
        self.by_email, self.by_name, self.by_domain, self.by_city = {}, {}, {}, {}
        for application_id, people in everyone.items():
            self.by_owner.setdefault(people.owner_id, set()).add(application_id)
            self.by_owner_email.setdefault(people.owner_email, set()).add(application_id)
            for user_id in people.member_user_ids:
                self.by_member_user.setdefault(user_id, set()).add(application_id)
            for email in people.member_emails:
                self.by_member_email.setdefault(email, set()).add(application_id)
            for email in people.emails:
                self.by_email.setdefault(email, set()).add(application_id)
                self.by_domain.setdefault(email_domain(email), {}).setdefault(application_id, set()).add(email)
            for name in people.names:
                self.by_name.setdefault(name, set()).add(application_id)
            if people.city_id is not None:
                self.by_city.setdefault(people.city_id, set()).add(application_id)


def _member_emails(member):
    emails = {fold_email(member.email)}
    if member.user is not None:
        emails.add(fold_email(member.user.email))
    emails.discard("")
    return emails


def _member_conflicts(member, index, same_city, city_names):
    """``{(application id, reason): details}`` of the automatic conflicts of one member."""
    found = {}
    emails = _member_emails(member)

    def add(application_ids, reason, details=""):
        for application_id in application_ids:
            found.setdefault((application_id, reason), details)

    if member.user_id is not None:
        add(index.by_owner.get(member.user_id, ()), ConflictReason.SAME_PERSON)
        add(index.by_member_user.get(member.user_id, ()), ConflictReason.CO_APPLICANT)
    for email in emails:
        add(index.by_owner_email.get(email, ()), ConflictReason.SAME_PERSON)
        add(index.by_member_email.get(email, ()), ConflictReason.CO_APPLICANT)
    for domain in sorted({email_domain(email) for email in emails}):
        if is_public_domain(domain):
            continue
        # The member's own address on an application is "same person" or "co-applicant", not a
        # shared organisation: only someone else's address at that domain counts.
        add([application_id for application_id, addresses in index.by_domain.get(domain, {}).items()
             if addresses - emails], ConflictReason.EMAIL_DOMAIN, domain)
    for entry in member.collaborators or []:
        entry_emails, name = split_collaborator(entry)
        shown = str(entry).strip()[:200]
        for email in entry_emails:
            add(index.by_email.get(email, ()), ConflictReason.COLLABORATOR, shown)
        if name:
            add(index.by_name.get(name, ()), ConflictReason.COLLABORATOR, shown)
    if same_city and member.user is not None and member.user.city_id is not None:
        add(index.by_city.get(member.user.city_id, ()), ConflictReason.SAME_CITY,
            city_names.get(member.user.city_id, ""))
    return found


def automatic_conflicts(call, members):
    """``{(member id, application id, reason): details}``: the automatic conflicts that hold now
    between ``members`` and the call's applications."""
    index = _Index(_call_people(call))
    settings = db.session.get(JurySettings, call.id)
    same_city = bool(settings and settings.same_city_conflicts)
    city_names = dict(db.session.execute(select(City.id, City.name)).tuples().all()) if same_city else {}
    found = {}
    for member in members:
        for (application_id, reason), details in _member_conflicts(member, index, same_city, city_names).items():
            found[(member.id, application_id, reason)] = details
    return found
