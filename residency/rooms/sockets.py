"""The rooms' Socket.IO events: the contract is docs/rooms-protocol.md.

Every event is authenticated (:func:`residency.core.sockets.authenticated_event`: the login that
opened the socket must still be valid), rate limited per user, checks the room through the
rules (``rooms.view``, ``rooms.post``, ``rooms.moderate``) and, but for ``room.join``, that this
socket joined the room. Refusals are acknowledgements ``{"ok": false, "error": code, "message":
text}``; a room someone may not see answers exactly like a room that does not exist.
"""

import logging

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_socketio import join_room, leave_room, rooms

from residency.core.ids import MAX_ID
from residency.core.permissions import can
from residency.core.sockets import authenticated_event
from residency.extensions import db, socketio
from residency.rooms import access, attachments, events, operations, ratelimit, roster
from residency.rooms.events import RoomError
from residency.rooms.render import message_payload

log = logging.getLogger(__name__)

#: Most messages one ``room.history`` answer holds, and its default.
HISTORY_MAX, HISTORY_DEFAULT = 100, 50


def residency_user_room(residency_id, user_id):
    """The Socket.IO room of one user's sockets that joined rooms of one residency (cut when the
    user leaves the residency)."""
    return f"residency:{residency_id}:user:{user_id}"


def _int(payload, key, minimum=0, required=True):
    value = payload.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= MAX_ID:
        raise RoomError("bad_request", _l("“%(field)s” must be a whole number.", field=key))
    return value


def visible_room(payload):
    """The room the payload names, if the user is in it; else the same refusal as a missing one."""
    room = access.get_room(_int(payload, "room", minimum=1))
    if room is None or not can(current_user, "rooms.view", room):
        raise RoomError("not_found", _l("This room does not exist."))
    return room


def joined_room(payload):
    """As :func:`visible_room`, for a room this socket joined (``room.join``) first."""
    room = visible_room(payload)
    if operations.socket_room(room.id) not in rooms():
        raise RoomError("not_joined", _l("Join the room first."))
    return room


def room_event(name, bucket="write"):
    """Register a handler of ``name``: payload checked to be an object, login checked, rate limit
    ``bucket`` counted, :class:`RoomError` answered as a refusal, one commit on success."""

    def decorator(function):
        @socketio.on(name)
        @authenticated_event
        def handler(payload=None, *extra):
            try:
                if not isinstance(payload, dict):
                    raise RoomError("bad_request", _l("Send an object."))
                spec = current_app.config["ROOMS_RATE_LIMIT" if bucket == "write" else "ROOMS_READ_RATE_LIMIT"]
                if not ratelimit.allow(bucket, current_user.id, spec):
                    raise RoomError("rate_limited", _l("Too many messages at once: wait a moment."))
                answer = function(payload)
                db.session.commit()
                return {"ok": True, **(answer or {})}
            except RoomError as refusal:
                db.session.rollback()
                return {"ok": False, "error": refusal.code, "message": refusal.message}

        handler.__name__ = function.__name__
        return function

    return decorator


def _events(items):
    return [{"room": m.room_id, "seq": seq, "type": kind, "message": message_payload(m)} for kind, seq, m in items]


@room_event("room.join", bucket="read")
def join(payload):
    """Join a room live: replay after ``after``, or the newest page of history without it."""
    room = visible_room(payload)
    after = _int(payload, "after", required=False)
    join_room(operations.socket_room(room.id))
    join_room(residency_user_room(room.residency_id, current_user.id))
    roster.entered(room.id, current_user, request.sid)
    answer = {
        "room": {"id": room.id, "kind": room.kind, "title": access.room_title(room, current_user)},
        "here": roster.here(room.id),
        "read": operations.read_marker(room, current_user),
        "unread": operations.unread_count(room, current_user),
    }
    if after is None:
        top = events.head(room.id)
        messages, older = events.history(room, None, HISTORY_DEFAULT)
        answer.update(events=_events([("message", m.seq, m) for m in messages]), last=top, more=False, older=older)
    else:
        answer.update(_replay(room, after))
    return answer


def _replay(room, after):
    if after > events.head(room.id):
        raise RoomError("bad_request", _l("This room has no event %(seq)d yet.", seq=after))
    items, last, more = events.replay(room, after, current_app.config["ROOMS_REPLAY_PAGE"])
    return {"events": _events(items), "last": last, "more": more}


@room_event("room.replay", bucket="read")
def replay(payload):
    """The events after ``after``, oldest first, a page at a time (``more``)."""
    room = joined_room(payload)
    return _replay(room, _int(payload, "after"))


@room_event("room.history", bucket="read")
def history(payload):
    """Older messages: those numbered below ``before`` (default: the newest)."""
    room = joined_room(payload)
    before = _int(payload, "before", minimum=1, required=False)
    limit = _int(payload, "limit", minimum=1, required=False) or HISTORY_DEFAULT
    messages, older = events.history(room, before, min(limit, HISTORY_MAX))
    return {"messages": [message_payload(m) for m in messages], "older": older}


@room_event("room.leave", bucket="read")
def leave(payload):
    room = joined_room(payload)
    leave_room(operations.socket_room(room.id))
    roster.left(room.id, current_user.id, request.sid)
    return {}


@room_event("presence.get", bucket="read")
def presence_get(payload):
    return {"here": roster.here(joined_room(payload).id)}


@room_event("message.send")
def send(payload):
    """Post; a send retried with the same ``client_id`` is acknowledged with the stored message."""
    room = joined_room(payload)
    asset_id = _int(payload, "asset", minimum=1, required=False)
    if asset_id is not None:  # a file uploaded to the room's slot ("room:<id>") first
        message, created = attachments.post_with_file(
            room, current_user, payload.get("client_id"), payload.get("text"), asset_id)
    else:
        message, created = operations.post(
            room, current_user, payload.get("client_id"), payload.get("text"),
            reply_to_id=_int(payload, "reply_to", minimum=1, required=False))
    if not created:
        operations.rebroadcast(message)
    return {"message": message_payload(message), "duplicate": not created}


@room_event("message.edit")
def edit(payload):
    room = joined_room(payload)
    message = operations.edit(room, current_user, _int(payload, "message", minimum=1), payload.get("text"))
    return {"message": message_payload(message)}


@room_event("message.delete")
def delete(payload):
    room = joined_room(payload)
    message = operations.delete(room, current_user, _int(payload, "message", minimum=1))
    return {"message": message_payload(message)}


@room_event("room.read", bucket="read")
def read(payload):
    room = joined_room(payload)
    marker = operations.mark_read(room, current_user, _int(payload, "seq"))
    return {"read": marker, "unread": operations.unread_count(room, current_user, marker)}


@room_event("typing", bucket="typing")
def typing(payload):
    """Someone is typing: sent to the room's other sockets, never stored (volatile)."""
    room = joined_room(payload)
    if roster.may_type(request.sid, room.id):
        socketio.emit("typing", {"room": room.id, "user": {"id": current_user.id, "name": current_user.display_name}},
                      to=operations.socket_room(room.id), skip_sid=request.sid)
    return {}


@socketio.on("disconnect")
def on_disconnect(*_reason):
    """The socket's presence goes with it."""
    roster.gone(request.sid)
