"""Files shared in a room: uploaded through the media pipeline (the resumable uploader, or a plain
form) into the room's upload slot ``room:<id>``, checked and processed by the workers like every
upload, and posted as a message that carries the file. The room's shelf lists them."""

from flask_babel import lazy_gettext as _l

from residency.core.errors import ActionRefused
from residency.core.ids import parse_id
from residency.core.permissions import can
from residency.extensions import db
from residency.media.models import MediaAsset
from residency.media.slots import ALL_KINDS, NOT_YOURS, Slot, SlotRules, default_max_size, slot_resolver
from residency.rooms import access, operations
from residency.rooms.events import RoomError
from residency.rooms.models import Message


#: The words for a shared file's processing state (media's ``AssetState``).
ASSET_STATES = {
    "uploaded": _l("Received, waiting to be checked"),
    "processing": _l("Being checked and processed"),
    "ready": _l("Ready"),
    "failed": _l("Refused or failed"),
}


def slot_ref(room):
    return f"room:{room.id}"


@slot_resolver("room")
def room_slot(user, raw_id):
    """The upload slot of a room: any kind of file, up to ``MEDIA_MAX_FILE_SIZE``, for those who
    may write in it.

    :raise ActionRefused: malformed (400), no such room or one the user is not in (404, as if it
        did not exist), a room the user reads but may not write in (403).
    """
    room_id = parse_id(raw_id) if raw_id.isascii() and raw_id.isdigit() else None
    if room_id is None:
        raise ActionRefused(_l("Unknown upload destination."), status=400)
    room = access.get_room(room_id)
    if room is None or not can(user, "rooms.view", room):
        raise ActionRefused(_l("Unknown upload destination."), status=404)
    if not can(user, "rooms.post", room):
        raise ActionRefused(NOT_YOURS, status=403)
    return Slot(ref=slot_ref(room), rules=SlotRules(kinds=ALL_KINDS, max_size=default_max_size()))


def post_with_file(room, user, client_id, text, asset_id):
    """Post ``text`` (may be empty) with the file ``asset_id``, which ``user`` uploaded to this
    room's slot and has not posted yet; ``(message, created)`` as :func:`operations.post`."""
    asset = db.session.get(MediaAsset, asset_id) if asset_id else None
    if asset is None or asset.owner_id != user.id or asset.slot != slot_ref(room):
        raise RoomError("not_found", _l("This file was not uploaded to this room."))
    posted = db.session.execute(db.select(Message).where(Message.asset_id == asset.id)).scalars().first()
    if posted is not None and posted.client_id != client_id:
        raise RoomError("bad_request", _l("This file is already in the room."))
    return operations.post(room, user, client_id, text or "", asset=asset)


def shelf(room, limit=200):
    """The room's shared files, newest first: messages that carry a file and still stand."""
    return db.session.execute(
        db.select(Message).where(Message.room_id == room.id, Message.asset_id.is_not(None),
                                 Message.deleted_at.is_(None))
        .order_by(Message.seq.desc()).limit(limit)
    ).scalars().all()


def referenced_assets(asset_ids):
    """``media_asset_references`` hook: files still posted in a room keep their bytes."""
    return set(db.session.execute(
        db.select(Message.asset_id).where(Message.asset_id.in_(asset_ids), Message.deleted_at.is_(None))
    ).scalars())
