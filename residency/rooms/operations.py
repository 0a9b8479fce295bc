"""What people do in rooms, as named operations shared by the socket events and the plain pages:
post, edit and delete messages, mark a room read, count what is unread.

Each checks the rule through :func:`residency.core.permissions.can`, flushes, and registers the
live broadcast to run once the caller's commit makes the change durable; none commits.
"""

import re
import unicodedata

from flask import current_app
from flask_babel import lazy_gettext as _l

from residency.core.jobs import call_after_commit
from residency.core.live import emit
from residency.core.permissions import can
from residency.core.types import utcnow
from residency.extensions import db
from residency.rooms import events, mentions, moderation
from residency.rooms.events import RoomError
from residency.rooms.models import Message, ReadMarker
from residency.rooms.render import event_payload

_CLIENT_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def socket_room(room_id):
    """The Socket.IO room of a chat room: every socket that joined it, in every process."""
    return f"room:{room_id}"


def clean_text(text):
    """The text of a message: a string, trimmed, without control characters (line breaks and
    tabs kept), neither empty nor longer than ``ROOMS_MESSAGE_MAX_CHARS``."""
    if not isinstance(text, str):
        raise RoomError("bad_request", _l("A message must be text."))
    text = "".join(
        char for char in text.replace("\r\n", "\n").replace("\r", "\n")
        if char in "\n\t" or unicodedata.category(char) not in {"Cc", "Cs"}
    ).strip()
    if not text:
        raise RoomError("empty", _l("Write a message first."))
    limit = current_app.config["ROOMS_MESSAGE_MAX_CHARS"]
    if len(text) > limit:
        raise RoomError("too_large", _l("A message holds at most %(limit)d characters.", limit=limit))
    return text


def clean_client_id(value):
    """The sender's own id of a message: 1 to 64 letters, digits or ``_ . : -``."""
    if not isinstance(value, str) or not _CLIENT_ID.fullmatch(value):
        raise RoomError("bad_request", _l("Each message needs a client id of 1 to 64 letters and digits."))
    return value


def broadcast_after_commit(message, kind, seq):
    """Send the stored event to the room's sockets in every process once committed."""
    call_after_commit(emit, "room.event", event_payload(message, kind, seq), socket_room(message.room_id))


def rebroadcast(message):
    """Send a stored message again (a retried send whose first broadcast may have been lost when
    its process died; clients ignore numbers they have seen)."""
    emit("room.event", event_payload(message, "message", message.seq), socket_room(message.room_id))


def refuse_unless_can_post(user, room):
    if can(user, "rooms.post", room):
        return
    if moderation.is_muted(room.residency_id, user.id):
        raise RoomError("muted", _l("A coordinator has muted you in this residency's rooms."))
    raise RoomError("forbidden", _l("You cannot write in this room."))


def post(room, author, client_id, text, reply_to_id=None, asset=None):
    """Post a message (or find the one this ``client_id`` already posted): ``(message, created)``."""
    refuse_unless_can_post(author, room)
    client_id = clean_client_id(client_id)
    text = clean_text(text) if (text or asset is None) else ""
    reply_to = None
    if reply_to_id is not None:
        reply_to = events.message_in_room(room, reply_to_id)
        if reply_to is None:
            raise RoomError("not_found", _l("The message you reply to is not in this room."))
    message, created = events.store_message(room, author, client_id, text, reply_to=reply_to, asset=asset)
    if created:
        mentions.record(room, message, author)
        _advance_marker(room, author, message.seq)
        broadcast_after_commit(message, "message", message.seq)
    return message, created


def own_message(room, user, message_id):
    message = events.message_in_room(room, message_id)
    if message is None or message.deleted:
        raise RoomError("not_found", _l("This message does not exist."))
    return message


def edit(room, user, message_id, text):
    """Change the text of one's own message (shown as edited)."""
    refuse_unless_can_post(user, room)
    message = own_message(room, user, message_id)
    if message.author_id != user.id:
        raise RoomError("forbidden", _l("You can only edit your own messages."))
    text = clean_text(text)
    if text == message.body:
        return message
    events.edit_message(message, text)
    broadcast_after_commit(message, "change", message.changed_seq)
    return message


def delete(room, user, message_id):
    """Delete one's own message, or, as a coordinator, anyone's (audited)."""
    message = own_message(room, user, message_id)
    if message.author_id == user.id and can(user, "rooms.view", room):
        events.remove_message(message)
    elif can(user, "rooms.moderate", room):
        moderation.remove_as_coordinator(message, user)
    else:
        raise RoomError("forbidden", _l("You can only delete your own messages."))
    broadcast_after_commit(message, "change", message.changed_seq)
    return message


def read_marker(room, user):
    marker = db.session.get(ReadMarker, (room.id, user.id))
    return marker.seq if marker is not None else 0


def mark_read(room, user, seq):
    """Move the user's read marker of ``room`` forward to ``seq`` (never back, never past the last
    event); the user's mentions in messages up to there count as read. Returns the marker."""
    seq = max(0, min(int(seq), events.head(room.id)))
    marker = db.session.get(ReadMarker, (room.id, user.id))
    if marker is None:
        marker = ReadMarker(room_id=room.id, user_id=user.id, seq=0)
        db.session.add(marker)
    if seq > marker.seq:
        marker.seq, marker.updated_at = seq, utcnow()
        mentions.mark_read(room, user, seq)
    db.session.flush()
    return marker.seq


def _advance_marker(room, user, seq):
    """Whoever writes has read the room up to their own message."""
    marker = db.session.get(ReadMarker, (room.id, user.id))
    if marker is None:
        db.session.add(ReadMarker(room_id=room.id, user_id=user.id, seq=seq, updated_at=utcnow()))
    elif seq > marker.seq:
        marker.seq, marker.updated_at = seq, utcnow()


def unread_count(room, user, marker=None):
    """Messages of others after the user's read marker, not deleted."""
    marker = read_marker(room, user) if marker is None else marker
    return db.session.execute(
        db.select(db.func.count(Message.id)).where(
            Message.room_id == room.id, Message.seq > marker, Message.deleted_at.is_(None),
            Message.author_id != user.id)
    ).scalar_one()
