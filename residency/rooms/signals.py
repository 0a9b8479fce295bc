"""Reactions to other features' signals: a participant who leaves a residency loses its rooms at
once, in every web process (their sockets there are disconnected)."""

import logging

from residency.core.jobs import call_after_commit
from residency.core.live import emit
from residency.core.sockets import disconnect_room
from residency.signals import residency_participant_left

log = logging.getLogger(__name__)


def cut_sockets(residency_id, user_id):
    """Tell the user's sockets in the residency's rooms why, then disconnect them everywhere."""
    from residency.rooms.sockets import residency_user_room

    room = residency_user_room(residency_id, user_id)
    try:
        emit("rooms.closed", {"residency": residency_id}, room=room)
    except Exception:
        log.warning("could not tell the sockets of a participant who left")
    disconnect_room(room)


def on_participant_left(residency, user_id=None, **_extra):
    """Cut now, and again once the leaving is committed (a socket that joined again in between,
    before the commit, is cut too; after it, every event and join is refused)."""
    if user_id is None:
        return
    cut_sockets(residency.id, user_id)
    call_after_commit(cut_sockets, residency.id, user_id)


def connect():
    residency_participant_left.connect(on_participant_left, weak=False)
