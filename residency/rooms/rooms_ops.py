"""Creating rooms: the residency's own room (made on first use), group rooms and direct
conversations. Flush, never commit."""

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from residency.core.types import utcnow
from residency.extensions import db
from residency.residencies.access import participant_user_ids
from residency.rooms import access
from residency.rooms.events import RoomError
from residency.rooms.models import Room, RoomKind, RoomMember


def _get_or_create(key, **fields):
    room = access.room_by_key(key)
    if room is not None:
        return room, False
    savepoint = db.session.begin_nested()
    try:
        room = Room(key=key, created_at=utcnow(), last_seq=0, **fields)
        db.session.add(room)
        db.session.flush()
        savepoint.commit()
        return room, True
    except IntegrityError:  # made at the same moment by someone else
        savepoint.rollback()
        return access.room_by_key(key), False


def residency_room(residency):
    """The residency's own room (created the first time anyone asks)."""
    room, _created = _get_or_create(access.residency_room_key(residency.id),
                                    residency_id=residency.id, kind=RoomKind.RESIDENCY, name="")
    return room


def create_group(residency, creator, name, member_ids):
    """A group room of ``residency`` holding its creator and the chosen active participants."""
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise RoomError("bad_request", _l("Give the group a name of at most 120 characters."))
    allowed = participant_user_ids(residency.id)
    chosen = set(member_ids or ()) | {creator.id}
    if not chosen <= allowed:
        raise RoomError("bad_request", _l("Only people taking part in the residency can be in its groups."))
    room = Room(residency_id=residency.id, kind=RoomKind.GROUP, name=name, created_by_id=creator.id,
                created_at=utcnow(), last_seq=0)
    db.session.add(room)
    db.session.flush()
    db.session.add_all(RoomMember(room_id=room.id, user_id=uid, added_at=utcnow()) for uid in sorted(chosen))
    db.session.flush()
    return room


def direct_room(residency, user, other_id):
    """The direct conversation of ``user`` and ``other_id`` in ``residency`` (made if need be)."""
    if other_id == user.id or other_id not in participant_user_ids(residency.id):
        raise RoomError("bad_request", _l("Choose another person taking part in the residency."))
    room, created = _get_or_create(access.direct_room_key(residency.id, user.id, other_id),
                                   residency_id=residency.id, kind=RoomKind.DIRECT, name="", created_by_id=user.id)
    if created:
        db.session.add_all(RoomMember(room_id=room.id, user_id=uid, added_at=utcnow()) for uid in (user.id, other_id))
        db.session.flush()
    return room
