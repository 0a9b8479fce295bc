"""Sessions as iCalendar (RFC 5545): one session's file, and each participant's feed of every
session of a residency at a secret address they can revoke.

Events are written in the residency's timezone (with its VTIMEZONE), so calendar programs show them
in each reader's own zone. A cancelled session stays in the feed as ``STATUS:CANCELLED`` and every
change raises its ``SEQUENCE``, so subscribed calendars update or drop their copy. Only the SHA-256
of a feed's token is stored; a revoked or replaced token answers like one that never existed.
"""

import hashlib
import secrets
from datetime import timezone
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from icalendar import Calendar, Event, vText

from residency.audit.operations import record
from residency.core.types import utcnow
from residency.extensions import db
from residency.residencies.models import CalendarFeed, Participant, Residency
from residency.residencies.labels import KIND_LABELS
from residency.residencies.links import site_url

PRODID = "-//City to City Residency//Residencies//EN"


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _host():
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


def _page_url(residency):
    return site_url("residencies.residency", residency_id=residency.id)


def _event(session, residency):
    zone = ZoneInfo(residency.timezone)
    event = Event()
    event.add("uid", f"residency-session-{session.id}@{_host()}")
    event.add("dtstamp", (session.updated_at or session.created_at).astimezone(timezone.utc))
    event.add("created", session.created_at.astimezone(timezone.utc))
    event.add("last-modified", (session.updated_at or session.created_at).astimezone(timezone.utc))
    event.add("dtstart", session.starts_at.astimezone(zone))
    event.add("dtend", session.ends_at.astimezone(zone))
    event.add("sequence", session.sequence)
    event.add("summary", f"{KIND_LABELS[session.kind]}: {session.title}")
    url = _page_url(residency)
    event.add("description", "\n\n".join(part for part in (session.description, residency.title, url) if part))
    if session.location:
        event.add("location", session.location)
    event.add("url", url)
    event.add("categories", [str(KIND_LABELS[session.kind])])
    event.add("status", "CANCELLED" if session.cancelled else "CONFIRMED")
    return event


def ics_document(residency, sessions, name=None):
    """The iCalendar document (bytes) of ``sessions`` of ``residency``."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", vText(name or residency.title))
    calendar.add("x-wr-timezone", vText(residency.timezone))
    for session in sessions:
        calendar.add_component(_event(session, residency))
    if sessions:
        calendar.add_missing_timezones()
    return calendar.to_ical()


# Feeds ------------------------------------------------------------------------------------------

def live_feed(participant):
    """The participant's feed that works now, or None."""
    return db.session.execute(
        db.select(CalendarFeed).where(CalendarFeed.participant_id == participant.id,
                                      CalendarFeed.revoked_at.is_(None))
    ).scalars().first()


def new_feed(participant):
    """A new secret address for the participant's feed; the previous one stops working.

    Returns the raw token: shown once, never stored.
    """
    now = utcnow()
    _revoke_all(participant, now)
    token = secrets.token_urlsafe(32)
    db.session.add(CalendarFeed(participant_id=participant.id, token_hash=_hash(token), created_at=now))
    db.session.flush()
    record("residency.calendar_feed_created", participant.user_id, participant.residency)
    return token


def revoke_feed(participant):
    """Stop the participant's feed address; returns whether one was working."""
    revoked = _revoke_all(participant, utcnow())
    if revoked:
        record("residency.calendar_feed_revoked", participant.user_id, participant.residency)
    return bool(revoked)


def _revoke_all(participant, now):
    return db.session.execute(
        db.update(CalendarFeed).where(CalendarFeed.participant_id == participant.id,
                                      CalendarFeed.revoked_at.is_(None)).values(revoked_at=now)).rowcount


def feed_by_token(token):
    """``(feed, participant, residency)`` for a working token of an active participant, or None
    (an unknown, revoked or malformed token, someone who left)."""
    if not token or len(token) > 100 or not token.isascii():
        return None
    row = db.session.execute(
        db.select(CalendarFeed, Participant, Residency)
        .join(Participant, Participant.id == CalendarFeed.participant_id)
        .join(Residency, Residency.id == Participant.residency_id)
        .where(CalendarFeed.token_hash == _hash(token), CalendarFeed.revoked_at.is_(None),
               Participant.left_at.is_(None))
    ).first()
    if row is None or not row[1].user.is_active:
        return None
    return tuple(row)
