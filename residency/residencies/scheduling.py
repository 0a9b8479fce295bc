"""A residency's sessions: talks, studio visits and critiques scheduled in the residency's timezone.

Times are entered as wall-clock times of the residency's zone and stored as UTC instants; a time
the clocks skip is refused, one that happens twice is taken at its first occurrence. A session
lies within the residency's days (in its zone), ends after it starts and lasts at most
``MAX_HOURS``. Every change raises the session's ``sequence`` (calendar programs then replace their
copy) and tells the participants (in-app notice and e-mail).
"""

from datetime import timedelta

from flask_babel import lazy_gettext as _l

from residency.audit.operations import record
from residency.calls.operations.times import local_to_utc
from residency.core.errors import ActionRefused
from residency.core.types import utcnow
from residency.extensions import db
from residency.residencies import notify
from residency.residencies.models import Session, SessionKind
from residency.residencies.zones import local

MAX_HOURS = 12
TITLE_MAX_LENGTH = 200
LOCATION_MAX_LENGTH = 300
DESCRIPTION_MAX_LENGTH = 5000
#: Sessions a residency may hold (cancelled ones included): a cap against a flood of writes.
MAX_SESSIONS = 500

def sessions_of(residency, include_cancelled=True):
    """The residency's sessions in time order."""
    query = db.select(Session).where(Session.residency_id == residency.id)
    if not include_cancelled:
        query = query.where(Session.cancelled_at.is_(None))
    return db.session.execute(query.order_by(Session.starts_at, Session.id)).scalars().all()


def get_session(residency, session_id):
    """The residency's session ``session_id``, or None."""
    session = db.session.get(Session, session_id)
    if session is None or session.residency_id != residency.id:
        return None
    return session


def sessions_outside(residency, starts_on, ends_on, zone_name):
    """The scheduled (not cancelled) sessions that would not lie within ``starts_on``–``ends_on``
    in ``zone_name``."""
    return [session for session in sessions_of(residency, include_cancelled=False)
            if local(session.starts_at, zone_name).date() < starts_on
            or local(session.ends_at, zone_name).date() > ends_on]


def _clean(kind, title, description, location):
    if kind not in SessionKind.ALL:
        raise ActionRefused(_l("Choose a talk, a studio visit or a critique."), field="kind")
    title = (title or "").strip()
    if not title:
        raise ActionRefused(_l("Give the session a title."), field="title")
    if len(title) > TITLE_MAX_LENGTH:
        raise ActionRefused(_l("Keep the title under %(max)d characters.", max=TITLE_MAX_LENGTH), field="title")
    location = (location or "").strip()
    if len(location) > LOCATION_MAX_LENGTH:
        raise ActionRefused(_l("Keep the place under %(max)d characters.", max=LOCATION_MAX_LENGTH), field="location")
    description = (description or "").replace("\r\n", "\n").strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise ActionRefused(_l("Keep the description under %(max)d characters.", max=DESCRIPTION_MAX_LENGTH),
                            field="description")
    return kind, title, description, location


def instants(residency, starts_local, ends_local):
    """The UTC instants of the wall-clock times ``starts_local`` and ``ends_local`` (naive) in the
    residency's zone, and the notes about times that happen twice.

    :raise ActionRefused: a missing time, a time the clocks skip, an end not after the start, a
        session longer than ``MAX_HOURS``, or one not within the residency's days.
    """
    if starts_local is None:
        raise ActionRefused(_l("Give the day and time the session starts."), field="starts_at")
    if ends_local is None:
        raise ActionRefused(_l("Give the day and time the session ends."), field="ends_at")
    starts_at, start_note = local_to_utc(starts_local, residency.timezone, "starts_at")
    ends_at, end_note = local_to_utc(ends_local, residency.timezone, "ends_at")
    if ends_at <= starts_at:
        raise ActionRefused(_l("The session must end after it starts."), field="ends_at")
    if ends_at - starts_at > timedelta(hours=MAX_HOURS):
        raise ActionRefused(_l("A session lasts at most %(hours)d hours.", hours=MAX_HOURS), field="ends_at")
    for field, instant in (("starts_at", starts_at), ("ends_at", ends_at)):
        day = local(instant, residency.timezone).date()
        if not residency.starts_on <= day <= residency.ends_on:
            raise ActionRefused(
                _l("Sessions take place during the residency, from %(first)s to %(last)s.",
                   first=residency.starts_on.isoformat(), last=residency.ends_on.isoformat()), field=field)
    return starts_at, ends_at, [note for note in (start_note, end_note) if note]


def _check_open(residency):
    if residency.archived:
        raise ActionRefused(_l("This residency is archived: it can no longer be changed."), status=409)


def schedule_session(actor, residency, kind, title, description, location, starts_local, ends_local):
    """A new session; every other participant is told. Returns ``(session, notes)``.

    :raise ActionRefused: see :func:`instants`, an empty or long text, an archived residency, or
        ``MAX_SESSIONS`` reached.
    """
    _check_open(residency)
    kind, title, description, location = _clean(kind, title, description, location)
    starts_at, ends_at, notes = instants(residency, starts_local, ends_local)
    count = db.session.scalar(db.select(db.func.count(Session.id)).where(Session.residency_id == residency.id))
    if count >= MAX_SESSIONS:
        raise ActionRefused(_l("This residency already has %(max)d sessions.", max=MAX_SESSIONS), status=409)
    now = utcnow()
    session = Session(residency_id=residency.id, kind=kind, title=title, description=description, location=location,
                      starts_at=starts_at, ends_at=ends_at, sequence=0, created_by_id=actor.id, created_at=now,
                      updated_at=now)
    db.session.add(session)
    db.session.flush()
    record("residency.session_scheduled", actor, residency, session_id=session.id)
    notify.session_event(session, notify.SESSION_ADDED, actor)
    return session, notes


def change_session(actor, session, kind, title, description, location, starts_local, ends_local):
    """Change a scheduled session. Participants are told when something they see changed (the
    time, place, title or kind). Returns ``(changed, notes)``.

    :raise ActionRefused: as for :func:`schedule_session`, or a cancelled session.
    """
    residency = session.residency
    _check_open(residency)
    if session.cancelled:
        raise ActionRefused(_l("This session was cancelled: schedule a new one instead."), status=409)
    kind, title, description, location = _clean(kind, title, description, location)
    starts_at, ends_at, notes = instants(residency, starts_local, ends_local)
    before = (session.kind, session.title, session.description, session.location, session.starts_at, session.ends_at)
    after = (kind, title, description, location, starts_at, ends_at)
    if before == after:
        return False, notes
    moved = (session.starts_at, session.ends_at) != (starts_at, ends_at)
    session.kind, session.title, session.description, session.location = kind, title, description, location
    session.starts_at, session.ends_at = starts_at, ends_at
    session.sequence += 1
    session.updated_at = utcnow()
    db.session.flush()
    record("residency.session_changed", actor, residency, session_id=session.id, moved=moved)
    notify.session_event(session, notify.SESSION_CHANGED, actor)
    return True, notes


def cancel_session(actor, session):
    """Cancel a session: it stays listed as cancelled, calendars drop it, participants are told.

    :raise ActionRefused 409: already cancelled, or an archived residency.
    """
    _check_open(session.residency)
    if session.cancelled:
        raise ActionRefused(_l("This session is already cancelled."), status=409)
    session.cancelled_at = utcnow()
    session.sequence += 1
    session.updated_at = session.cancelled_at
    db.session.flush()
    record("residency.session_cancelled", actor, session.residency, session_id=session.id)
    notify.session_event(session, notify.SESSION_CANCELLED, actor)
