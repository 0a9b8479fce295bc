"""Residencies and their participants: creating, editing, archiving, adding and removing people.

Operations take plain arguments, check the rule they hold, flush, write the audit entry and the
notices; they never commit (the view or the command does, once). A refusal is an
:class:`~residency.core.errors.ActionRefused` whose message is shown to the user.
"""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

from residency.accounts.models import User
from residency.audit.operations import record
from residency.core.errors import ActionRefused
from residency.core.i18n import is_valid_timezone
from residency.core.permissions import has_role, is_network_admin
from residency.core.types import utcnow
from residency.extensions import db
from residency.residencies import notify
from residency.residencies.models import (
    CalendarFeed, Participant, ParticipantRole, Residency, ResidencyStatus,
)

TITLE_MAX_LENGTH = 200
PROGRAMME_MAX_LENGTH = 20_000
#: The longest residency, in days (a year and a half: long enough for any programme of the network).
MAX_DAYS = 550
#: Dates further than this from today are refused as typing mistakes.
MAX_YEARS_AHEAD = 5

# Reading ----------------------------------------------------------------------------------------

def residencies_of(user):
    """The residencies ``user`` actively takes part in, the latest first."""
    return db.session.execute(
        db.select(Residency).join(Participant, Participant.residency_id == Residency.id)
        .where(Participant.user_id == user.id, Participant.left_at.is_(None))
        .order_by(Residency.starts_on.desc(), Residency.id.desc())
    ).scalars().all()


def residencies_coordinated(user):
    """The residencies of the cities ``user`` coordinates (every city for a network coordinator
    or a network admin), the latest first."""
    query = db.select(Residency).order_by(Residency.starts_on.desc(), Residency.id.desc())
    if not (is_network_admin(user) or has_role(user, "city_coordinator", "network")):
        city_ids = [grant.scope_id for grant in user.grants
                    if grant.role == "city_coordinator" and grant.scope_type == "city"]
        if not city_ids:
            return []
        query = query.where(Residency.city_id.in_(city_ids))
    return db.session.execute(query).scalars().all()


def participants_of(residency, include_left=False):
    """The residency's participants: coordinators, mentors, then artists, each by name."""
    query = db.select(Participant).join(User, User.id == Participant.user_id).where(
        Participant.residency_id == residency.id)
    if not include_left:
        query = query.where(Participant.left_at.is_(None))
    order = {ParticipantRole.COORDINATOR: 0, ParticipantRole.MENTOR: 1, ParticipantRole.ARTIST: 2}
    people = db.session.execute(query).scalars().all()
    return sorted(people, key=lambda p: (p.left_at is not None, order.get(p.role, 3), p.user.display_name.lower(),
                                         p.id))


def get_participant(residency, participant_id):
    """The residency's participant ``participant_id`` (active or not), or None."""
    participant = db.session.get(Participant, participant_id)
    if participant is None or participant.residency_id != residency.id:
        return None
    return participant


# Checks -----------------------------------------------------------------------------------------

def clean_title(title):
    title = (title or "").strip()
    if not title:
        raise ActionRefused(_l("Give the residency a title."), field="title")
    if len(title) > TITLE_MAX_LENGTH:
        raise ActionRefused(_l("Keep the title under %(max)d characters.", max=TITLE_MAX_LENGTH), field="title")
    return title


def clean_programme(text):
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > PROGRAMME_MAX_LENGTH:
        raise ActionRefused(_l("Keep the programme under %(max)d characters.", max=PROGRAMME_MAX_LENGTH),
                            field="description")
    return text


def check_timezone(name):
    """The IANA zone name, stripped. :raise ActionRefused: not a zone this server knows."""
    name = (name or "").strip()
    if not is_valid_timezone(name):
        raise ActionRefused(_l("Choose a timezone from the list (for example Europe/Paris)."), field="timezone")
    return name


def check_dates(starts_on, ends_on, today=None):
    """:raise ActionRefused: a missing date, an end before the start, a residency longer than
    ``MAX_DAYS`` or dates years away."""
    if not isinstance(starts_on, date):
        raise ActionRefused(_l("Give the first day of the residency."), field="starts_on")
    if not isinstance(ends_on, date):
        raise ActionRefused(_l("Give the last day of the residency."), field="ends_on")
    if ends_on < starts_on:
        raise ActionRefused(_l("The last day cannot come before the first day."), field="ends_on")
    if (ends_on - starts_on).days + 1 > MAX_DAYS:
        raise ActionRefused(_l("A residency lasts at most %(days)d days.", days=MAX_DAYS), field="ends_on")
    today = today or utcnow().date()
    if abs((starts_on - today).days) > MAX_YEARS_AHEAD * 366:
        raise ActionRefused(_l("The first day is more than %(years)d years away: check the year.",
                               years=MAX_YEARS_AHEAD), field="starts_on")


def _check_open(residency):
    if residency.archived:
        raise ActionRefused(_l("This residency is archived: it can no longer be changed."), status=409)


def _check_call(call, city):
    """A residency formed from a call belongs to that call's city (or any city, for a network call)."""
    if call is not None and call.city_id is not None and call.city_id != city.id:
        raise ActionRefused(_l("This call belongs to another city."), field="call")


# Residencies ------------------------------------------------------------------------------------

def create_residency(actor, city, title, description, timezone, starts_on, ends_on, call=None):
    """A new active residency of ``city`` (no participants yet); audited.

    :raise ActionRefused: an empty or long title, a long programme, an unknown timezone, bad dates.
    """
    residency = Residency(
        city_id=city.id, call_id=call.id if call is not None else None, title=clean_title(title),
        description=clean_programme(description), timezone=check_timezone(timezone),
        starts_on=starts_on, ends_on=ends_on, status=ResidencyStatus.ACTIVE,
        created_by_id=actor.id, created_at=utcnow(), updated_at=utcnow(),
    )
    check_dates(starts_on, ends_on)
    _check_call(call, city)
    db.session.add(residency)
    db.session.flush()
    record("residency.created", actor, residency, city_id=city.id, call_id=residency.call_id)
    return residency


def update_residency(actor, residency, title, description, timezone, starts_on, ends_on):
    """Change the residency's title, programme, timezone and dates.

    Sessions keep their instants when the timezone changes (a talk at 18:00 UTC stays there).
    :raise ActionRefused: bad input as for creating, an archived residency, or new dates that
        would leave a scheduled session outside the residency.
    """
    _check_open(residency)
    title, description, timezone = clean_title(title), clean_programme(description), check_timezone(timezone)
    check_dates(starts_on, ends_on, today=min(utcnow().date(), residency.starts_on))
    from residency.residencies.scheduling import sessions_outside

    outside = sessions_outside(residency, starts_on, ends_on, timezone)
    if outside:
        raise ActionRefused(
            _l("The session “%(title)s” would fall outside these dates: move or cancel it first.",
               title=outside[0].title), field="starts_on")
    residency.title, residency.description, residency.timezone = title, description, timezone
    residency.starts_on, residency.ends_on, residency.updated_at = starts_on, ends_on, utcnow()
    db.session.flush()
    record("residency.updated", actor, residency)
    return residency


def archive_residency(actor, residency):
    """Close the residency: read-only from now on (no new sessions, participants or changes)."""
    _check_open(residency)
    residency.status = ResidencyStatus.ARCHIVED
    residency.updated_at = utcnow()
    db.session.flush()
    record("residency.archived", actor, residency)


# Participants -----------------------------------------------------------------------------------

def find_account(email):
    """The account using ``email`` (any case), or None."""
    email = (email or "").strip().lower()
    if not email:
        return None
    return db.session.execute(db.select(User).where(func.lower(User.email) == email)).scalars().first()


def add_participant(actor, residency, email, role, application=None, notify_user=True):
    """Add the account using ``email`` to the residency as ``role`` (someone who left comes back).

    The person gets an in-app notice and an e-mail in their language.
    :raise ActionRefused: an unknown role, no account with that address, an inactive account,
        someone already taking part, an archived residency.
    """
    _check_open(residency)
    if role not in ParticipantRole.ALL:
        raise ActionRefused(_l("Choose artist, mentor or coordinator."), field="role")
    user = find_account(email)
    if user is None or not user.is_active:
        raise ActionRefused(_l("No active account uses this e-mail address. Ask the person to sign up, then add "
                               "them."), field="email")
    return add_user(actor, residency, user, role, application=application, notify_user=notify_user)


def add_user(actor, residency, user, role, application=None, notify_user=True):
    """Add ``user`` (see :func:`add_participant`). :raise ActionRefused 409: already taking part."""
    already = ActionRefused(_l("%(name)s already takes part in this residency.", name=user.display_name),
                            field="email", status=409)
    participant = db.session.execute(
        db.select(Participant).options(lazyload(Participant.user))
        .where(Participant.residency_id == residency.id, Participant.user_id == user.id)
        .with_for_update()
    ).scalars().first()
    now = utcnow()
    if participant is not None and participant.left_at is None:
        raise already
    if participant is None:
        try:
            with db.session.begin_nested():  # someone adding the same person at the same moment
                participant = Participant(residency_id=residency.id, user_id=user.id, role=role, joined_at=now)
                db.session.add(participant)
        except IntegrityError:
            raise already from None
    participant.role, participant.joined_at, participant.left_at = role, now, None
    participant.added_by_id = getattr(actor, "id", None)
    participant.application_id = application.id if application is not None else participant.application_id
    db.session.flush()
    record("residency.participant_added", actor, residency, user_id=user.id, role=role)
    if notify_user:
        notify.participant_added(residency, participant)
    return participant


def change_role(actor, residency, participant, role):
    """Make an active participant an artist, mentor or coordinator of the residency."""
    _check_open(residency)
    if role not in ParticipantRole.ALL:
        raise ActionRefused(_l("Choose artist, mentor or coordinator."), field="role")
    if participant.left_at is not None:
        raise ActionRefused(_l("This person no longer takes part in the residency."), status=409)
    if participant.role != role:
        previous, participant.role = participant.role, role
        db.session.flush()
        record("residency.participant_role_changed", actor, residency, user_id=participant.user_id,
               previous=previous, role=role)
    return participant


def remove_participant(actor, residency, participant):
    """``participant`` leaves the residency (removed by a coordinator, or leaving on their own).

    Their calendar feeds stop working. The row stays, with ``left_at``. Once the caller has
    committed, it calls :func:`announce_left` so the rooms close the person's connections.
    :raise ActionRefused 409: the person had already left.
    """
    if participant.left_at is not None:
        raise ActionRefused(_l("This person no longer takes part in the residency."), status=409)
    now = utcnow()
    participant.left_at = now
    db.session.execute(
        db.update(CalendarFeed).where(CalendarFeed.participant_id == participant.id, CalendarFeed.revoked_at.is_(None))
        .values(revoked_at=now))
    db.session.flush()
    record("residency.participant_left", actor, residency, user_id=participant.user_id,
           by_self=getattr(actor, "id", None) == participant.user_id)
    return participant


def announce_left(residency, user_id):
    """Send ``residency_participant_left`` (sender the residency, ``user_id``): after the commit that
    removed the person, so receivers (the rooms) find them gone."""
    from residency.signals import residency_participant_left

    residency_participant_left.send(residency, user_id=user_id)


# From a call's selection ------------------------------------------------------------------------

def selected_people(call):
    """``[(application, user)]``: the owners and accepted co-applicants of the call's selected,
    published applications, each person once, in the order the decisions were taken."""
    from residency.jury.decisions import selected_applications

    seen, people = set(), []
    for application in selected_applications(call.id):
        users = [application.owner] + [member.user for member in application.members
                                        if member.user is not None and member.accepted_at is not None]
        for user in users:
            if user.id not in seen and user.is_active:
                seen.add(user.id)
                people.append((application, user))
    return people


def create_from_selection(actor, call, title, description, timezone, starts_on, ends_on):
    """A residency of the call's city whose artists are the people of its selected applications.

    :raise ActionRefused: a network-wide call (choose a city by hand), no selected application
        published yet, or bad input as for :func:`create_residency`.
    """
    from residency.cities.models import City

    if call.city_id is None:
        raise ActionRefused(_l("This call belongs to the whole network: create the residency by hand in a city."),
                            field="call")
    people = selected_people(call)
    if not people:
        raise ActionRefused(_l("No selected application of this call has been published yet."), field="call")
    residency = create_residency(actor, db.session.get(City, call.city_id), title, description, timezone,
                                 starts_on, ends_on, call=call)
    for application, user in people:
        add_user(actor, residency, user, ParticipantRole.ARTIST, application=application)
    return residency
