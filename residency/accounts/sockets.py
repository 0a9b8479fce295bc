"""Sockets and login sessions: a socket lives only as long as the login it was opened with.

Each socket joins its login's room at connect; every event re-checks that the login session
still exists and its user is active (``socket_session_valid``); and when a login ends (logout,
password change or reset, sessions revoked) its sockets are cut in every web process once the
change is committed.
"""

import logging

from flask import g
from flask_socketio import join_room

from residency.accounts.models import LoginSession, User
from residency.core.jobs import call_after_commit
from residency.core.live import emit
from residency.core.sockets import disconnect_room
from residency.extensions import db

log = logging.getLogger(__name__)


def login_room(login_session_id):
    return f"login:{login_session_id}"


def join_login_room():
    """``socket_connect`` hook: the socket joins the room of the login it was opened with."""
    login_id = g.get("login_session_id")
    if login_id is not None:
        join_room(login_room(login_id))


def login_still_valid():
    """``socket_session_valid`` hook: the socket's login session exists and its user is active."""
    login_id = g.get("login_session_id")
    if login_id is None:
        return False
    row = db.session.execute(
        db.select(LoginSession.id).join(User, User.id == LoginSession.user_id)
        .where(LoginSession.id == login_id, User.is_active.is_(True))
    ).first()
    return row is not None


def disconnect_logins_after_commit(login_ids):
    """Once the current transaction commits, cut the sockets of these logins in every process."""
    for login_id in login_ids:
        if login_id is not None:
            call_after_commit(end_login_sockets, login_id)


def end_login_sockets(login_id):
    """Tell the login's sockets why (``session.ended``), then disconnect them, in every process."""
    room = login_room(login_id)
    try:
        emit("session.ended", {}, room=room)
    except Exception:  # the queue is down: the disconnect below is tried all the same
        log.warning("could not tell the sockets of login session %s that it ended", login_id)
    disconnect_room(room)
