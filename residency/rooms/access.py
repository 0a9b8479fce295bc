"""Who is in a room, and the rooms someone sees: the questions the rooms' rules and pages ask.

A residency's own room holds every active participant of the residency; a group room the
active participants added to it; a direct room its two people while both take part. People
who left the residency are in none of its rooms.
"""

from flask import g, has_app_context

from residency.extensions import db
from residency.residencies.access import participant_user_ids
from residency.residencies.models import Participant, Residency
from residency.rooms.models import Room, RoomKind, RoomMember


def residency_room_key(residency_id):
    return f"residency:{residency_id}"


def direct_room_key(residency_id, user_a, user_b):
    low, high = sorted((int(user_a), int(user_b)))
    return f"direct:{residency_id}:{low}:{high}"


def get_room(room_id):
    """The room with this id, or None (ids from outside are checked by the caller)."""
    return db.session.get(Room, room_id) if room_id is not None else None


def room_by_key(key):
    return db.session.execute(db.select(Room).where(Room.key == key)).scalars().first()


def listed_member_ids(room):
    """The user ids added to a group or direct room (whether or not still participants)."""
    return set(db.session.execute(db.select(RoomMember.user_id).where(RoomMember.room_id == room.id)).scalars())


def is_listed(room, user_id):
    return db.session.execute(
        db.select(RoomMember.id).where(RoomMember.room_id == room.id, RoomMember.user_id == user_id)
    ).first() is not None


def member_ids(room):
    """The user ids in ``room`` now: who receives its messages and may be mentioned."""
    participants = participant_user_ids(room.residency_id)
    if room.kind == RoomKind.RESIDENCY:
        return participants
    return listed_member_ids(room) & participants


def active_role(user, residency_id):
    """The role of ``user``'s active participation in the residency, or None. Asked by every rule
    of every event, so one socket event asks the database once (kept in ``g``, which each event
    and request starts empty) and loads no user row with it."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    cache = g.setdefault("rooms_roles", {}) if has_app_context() else {}
    key = (user.id, residency_id)
    if key not in cache:
        cache[key] = db.session.execute(
            db.select(Participant.role).where(
                Participant.residency_id == residency_id, Participant.user_id == user.id, Participant.left_at.is_(None))
        ).scalar()
    return cache[key]


def in_room(user, room):
    """Whether ``user`` is in ``room`` now (an active participant, and listed unless it is the
    residency's room)."""
    if room is None or user is None or not user.is_authenticated:
        return False
    if active_role(user, room.residency_id) is None:
        return False
    return room.kind == RoomKind.RESIDENCY or is_listed(room, user.id)


def rooms_for(user, residency):
    """The rooms of ``residency`` that ``user`` is in, the residency's own room first."""
    rooms = db.session.execute(
        db.select(Room).where(Room.residency_id == residency.id).order_by(Room.kind != RoomKind.RESIDENCY, Room.id)
    ).scalars().all()
    listed = set(db.session.execute(
        db.select(RoomMember.room_id).join(Room, Room.id == RoomMember.room_id)
        .where(Room.residency_id == residency.id, RoomMember.user_id == user.id)
    ).scalars())
    active = active_role(user, residency.id) is not None
    return [room for room in rooms if active and (room.kind == RoomKind.RESIDENCY or room.id in listed)]


def room_title(room, viewer=None):
    """What a room is called for ``viewer``: the residency's room by the residency, a group by its
    name, a direct conversation by the other person."""
    from flask_babel import gettext as _

    if room.kind == RoomKind.RESIDENCY:
        return _("Everyone in %(residency)s", residency=residency_of(room).title)
    if room.kind == RoomKind.GROUP:
        return room.name
    people = db.session.execute(db.select(RoomMember).where(RoomMember.room_id == room.id)).scalars().all()
    others = [m.user.display_name for m in people if viewer is None or m.user_id != viewer.id]
    return _("Conversation with %(people)s", people=", ".join(others) or _("nobody"))


def residency_of(room):
    return db.session.get(Residency, room.residency_id)  # the identity map answers a second time
