"""Socket.IO connection handling: only logged-in users connect; each joins its own rooms.

``before_request`` does not run for socket events and handlers see the session as it was at
connect, so every handler that acts re-checks the login session through
:func:`authenticated_event`, and logout tells the user's open sockets to close.
"""

import functools
import logging

from flask import g, request
from flask_login import current_user
from flask_socketio import disconnect, join_room

from residency.accounts.models import LoginSession
from residency.core.live import user_room
from residency.extensions import db, socketio

log = logging.getLogger(__name__)


def login_room(login_session_id):
    return f"login:{login_session_id}"


@socketio.on("connect")
def on_connect(auth=None):
    """Refuse anonymous connections; join the user's room and this login's room."""
    if not current_user.is_authenticated:
        return False
    login_id = g.get("login_session_id")
    join_room(user_room(current_user.id))
    if login_id is not None:
        join_room(login_room(login_id))
    db.session.remove()
    return True


def _login_still_valid():
    login_id = g.get("login_session_id")
    if login_id is None:
        return False
    exists = db.session.execute(db.select(LoginSession.id).where(LoginSession.id == login_id)).first()
    return exists is not None


def authenticated_event(handler):
    """Run ``handler`` only while the connection's login session still exists."""

    @functools.wraps(handler)
    def wrapper(*args, **kwargs):
        try:
            if not current_user.is_authenticated or not _login_still_valid():
                disconnect()
                return {"error": "unauthorised"}
            return handler(*args, **kwargs)
        finally:
            db.session.remove()

    return wrapper


@socketio.on("whoami")
@authenticated_event
def whoami():
    """A cheap authenticated round trip the client uses to confirm the link is live."""
    return {"user": current_user.id, "sid": request.sid}


def disconnect_login_session(login_id):
    """Tell every socket opened with this login (in any web process) that the session ended."""
    if login_id is None:
        return
    try:
        socketio.emit("session.ended", {}, to=login_room(login_id))
    except Exception:  # the message queue is down; the per-event check still refuses the socket
        log.warning("could not announce the end of login session %s", login_id)
