"""This process's sockets in rooms, and what it tells others about them.

Presence itself lives in :mod:`residency.rooms.presence` (Redis, shared by every process); here
each process keeps which of its own sockets are in which rooms, refreshes their presence, and
sends the rooms the changes in batches: at most one ``presence`` event per room and second
(``joined``, ``left``), so that a thousand people arriving do not cost a million messages.
Typing indicators are limited here too (one per socket and room every two seconds).
"""

import logging
import threading
import time

from flask import current_app

from residency.accounts.models import User
from residency.extensions import db, socketio
from residency.rooms import presence

log = logging.getLogger(__name__)

TYPING_EVERY = 2.0
FLUSH_EVERY = 1.0

_lock = threading.Lock()
_sockets = {}   # sid -> {"user": id, "rooms": set()}
_pending = {}   # room id -> {"joined": {user id: name}, "left": set()}
_typing = {}    # (sid, room id) -> last time
_loop = {"started": False}


def entered(room_id, user, sid):
    """The socket ``sid`` of ``user`` joined ``room_id``."""
    with _lock:
        _sockets.setdefault(sid, {"user": user.id, "rooms": set()})["rooms"].add(room_id)
    _start(current_app._get_current_object())
    try:
        if presence.store().enter(room_id, user.id, sid):
            _queue(room_id, joined=(user.id, user.display_name))
    except Exception:
        log.warning("presence store unreachable; presence of room %s catches up at the next refresh", room_id)


def left(room_id, user_id, sid):
    with _lock:
        entry = _sockets.get(sid)
        if entry is not None:
            entry["rooms"].discard(room_id)
    _leave(current_app._get_current_object(), room_id, user_id, sid)


def gone(sid):
    """The socket disconnected: it leaves every room it was in."""
    with _lock:
        entry = _sockets.pop(sid, None)
        for key in [key for key in _typing if key[0] == sid]:
            del _typing[key]
    if entry is None:
        return
    app = current_app._get_current_object()
    for room_id in entry["rooms"]:
        _leave(app, room_id, entry["user"], sid)


def _leave(app, room_id, user_id, sid):
    try:
        if presence.store(app).leave(room_id, user_id, sid):
            _queue(room_id, left=user_id)
    except Exception:
        log.warning("presence store unreachable; the socket's presence in room %s will expire", room_id)


def here(room_id):
    """The people present in the room, ``[{"id", "name"}]`` by name."""
    try:
        ids = presence.store().here(room_id)
    except Exception:
        log.warning("presence store unreachable")
        ids = set()
    if not ids:
        return []
    rows = db.session.execute(db.select(User.id, User.display_name).where(User.id.in_(ids))).all()
    return sorted(({"id": row.id, "name": row.display_name} for row in rows), key=lambda p: p["name"].casefold())


def may_type(sid, room_id):
    now = time.monotonic()
    with _lock:
        if now - _typing.get((sid, room_id), 0.0) < TYPING_EVERY:
            return False
        _typing[(sid, room_id)] = now
        return True


def _queue(room_id, joined=None, left=None):
    with _lock:
        changes = _pending.setdefault(room_id, {"joined": {}, "left": set()})
        if joined is not None:
            changes["joined"][joined[0]] = joined[1]
            changes["left"].discard(joined[0])
        if left is not None:
            changes["left"].add(left)
            changes["joined"].pop(left, None)


def flush():
    """Send each room its batched presence changes."""
    with _lock:
        batch = dict(_pending)
        _pending.clear()
    for room_id, changes in batch.items():
        if changes["joined"] or changes["left"]:
            socketio.emit("presence", {
                "room": room_id,
                "joined": [{"id": uid, "name": name} for uid, name in changes["joined"].items()],
                "left": sorted(changes["left"]),
            }, to=f"room:{room_id}")


def refresh(app):
    """Extend the presence of every socket of this process."""
    with _lock:
        entries = [(room_id, entry["user"], sid) for sid, entry in _sockets.items() for room_id in entry["rooms"]]
    presence.store(app).refresh(entries)


def _start(app):
    with _lock:
        if _loop["started"]:
            return
        _loop["started"] = True
    socketio.start_background_task(_run, app)


def _run(app):
    every = max(1.0, app.config["ROOMS_PRESENCE_SECONDS"] / 3)
    last_refresh = time.monotonic()
    while True:
        socketio.sleep(FLUSH_EVERY)
        try:
            flush()
            if time.monotonic() - last_refresh >= every:
                refresh(app)
                last_refresh = time.monotonic()
        except Exception:
            log.warning("presence loop: the store or the queue failed; trying again", exc_info=True)

