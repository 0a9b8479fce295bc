"""Coordinators' moderation: removing a message, muting and unmuting a participant. Each is
audited; a mute silences the participant in every room of the residency until it ends."""

from flask_babel import lazy_gettext as _l

from residency.audit.operations import record
from residency.core.types import utcnow
from residency.extensions import db
from residency.rooms import events
from residency.rooms.models import Mute


def active_mute(residency_id, user_id):
    mute = db.session.execute(
        db.select(Mute).where(Mute.residency_id == residency_id, Mute.user_id == user_id)
    ).scalars().first()
    if mute is None or (mute.until is not None and mute.until <= utcnow()):
        return None
    return mute


def is_muted(residency_id, user_id):
    """Whether a mute silences ``user_id`` in the residency's rooms now (one small query)."""
    row = db.session.execute(
        db.select(Mute.until).where(Mute.residency_id == residency_id, Mute.user_id == user_id)).first()
    return row is not None and (row.until is None or row.until > utcnow())


def mute(residency, user_id, by, until=None):
    """Silence ``user_id`` in the residency's rooms until ``until`` (None: until lifted)."""
    if user_id == by.id:
        raise events.RoomError("bad_request", _l("You cannot mute yourself."))
    row = db.session.execute(
        db.select(Mute).where(Mute.residency_id == residency.id, Mute.user_id == user_id)
    ).scalars().first()
    if row is None:
        row = Mute(residency_id=residency.id, user_id=user_id)
        db.session.add(row)
    row.muted_by_id, row.muted_at, row.until = by.id, utcnow(), until
    db.session.flush()
    record("rooms.mute", actor=by, obj=residency, user_id=user_id, until=until.isoformat() if until else None)
    return row


def unmute(residency, user_id, by):
    row = db.session.execute(
        db.select(Mute).where(Mute.residency_id == residency.id, Mute.user_id == user_id)
    ).scalars().first()
    if row is not None:
        db.session.delete(row)
        db.session.flush()
        record("rooms.unmute", actor=by, obj=residency, user_id=user_id)
    return row is not None


def remove_as_coordinator(message, by):
    """Remove someone's message as a coordinator; the audit entry keeps who wrote what."""
    author_id, text = message.author_id, message.body
    events.remove_message(message, by=by)
    record("rooms.message_removed", actor=by, obj=message, room_id=message.room_id, seq=message.seq,
           author_id=author_id, length=len(text))
    return message


def mutes_of(residency_id):
    now = utcnow()
    rows = db.session.execute(db.select(Mute).where(Mute.residency_id == residency_id)).scalars().all()
    return [row for row in rows if row.until is None or row.until > now]
