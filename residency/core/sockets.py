"""Socket.IO: the server, its message queue between processes, and the connection rules.

Only logged-in users connect; each joins its own room (:func:`~residency.core.live.user_room`).
The feature that owns logins fills two hooks: ``socket_connect`` (run at connect, e.g. to join
the login's room) and ``socket_session_valid`` (asked before every event, since
``before_request`` does not run for socket events and handlers see the session as it was at
connect). :func:`disconnect_room` cuts every socket in a room, in every web process.

Concurrency: web processes run under gevent (``gunicorn -k gevent -w 1``, see the README's
"Live rooms" section), where one greenlet per open socket costs kilobytes, not a thread.
:func:`async_mode` falls back to threading in a process that gevent has not patched (Celery
workers, ``flask`` commands, the test suite): such a process serves no socket of its own.

When a web process's subscription to the Redis queue comes back after a failure, events
published meanwhile never reached it: every socket it serves gets :data:`RESYNC`, so that clients
ask again for what they may have missed (the rooms protocol's replay).
"""

import functools
import logging
import time

from flask import request
from flask_login import current_user
from flask_socketio import disconnect, join_room
from socketio import KombuManager, RedisManager

from residency.core.hooks import providers
from residency.core.live import user_room
from residency.extensions import db, socketio

log = logging.getLogger(__name__)

#: The internal event that asks every process to disconnect the sockets of a room. It is never
#: sent to a browser: :class:`DisconnectingManagerMixin` consumes it.
DISCONNECT_ROOM = "__residency_disconnect_room__"
#: Sent to every socket of a process whose message-queue subscription came back after a failure.
RESYNC = "live.resync"


class DisconnectingManagerMixin:
    """Makes :data:`DISCONNECT_ROOM`, emitted to a room, disconnect that room's sockets.

    python-socketio can disconnect a socket of another process only by its sid, and knows a
    room's members only in the process that holds them: the emit travels on the message queue
    to every process, and each one cuts its own members of the room.
    """

    def _handle_emit(self, message):
        if message.get("event") != DISCONNECT_ROOM:
            return super()._handle_emit(message)
        if self.server is None:  # a write-only emitter serves no sockets
            return None
        namespace = message.get("namespace") or "/"
        for sid, _eio_sid in list(self.get_participants(namespace, message.get("room"))):
            self.server.disconnect(sid, namespace=namespace, ignore_queue=True)
        return None


class RedisClientManager(DisconnectingManagerMixin, RedisManager):
    """The Redis queue, telling this process's sockets to resynchronise after an outage."""

    def _redis_listen_with_retries(self):  # pragma: no cover (exercised by tests/rooms restarts)
        # As python-socketio's own loop, plus the resync once a subscription follows a failure.
        retry_sleep, subscribed, failed = 1, False, False
        while True:
            try:
                if not subscribed:
                    self._redis_connect()
                    self.pubsub.subscribe(self.channel)
                    subscribed, retry_sleep = True, 1
                    if failed:
                        failed = False
                        self._resync_local_sockets()
                yield from self.pubsub.listen()
            except Exception as exc:
                self._get_logger().error("Cannot receive from redis... retrying in %s secs (%s)", retry_sleep, exc)
                subscribed, failed = False, True
                time.sleep(retry_sleep)
                retry_sleep = min(retry_sleep * 2, 60)

    def _resync_local_sockets(self):
        if self.server is None:
            return
        log.info("message queue subscription restored: asking local sockets to resynchronise")
        for namespace in list(self.rooms):
            self.server.emit(RESYNC, {}, namespace=namespace, ignore_queue=True)


class KombuClientManager(DisconnectingManagerMixin, KombuManager):
    pass


def client_manager(app, write_only=False):
    """The Socket.IO client manager on the configured message queue (Redis or the filesystem)."""
    url = app.config["SOCKETIO_MESSAGE_QUEUE"]
    if url.startswith(("redis://", "rediss://")):
        return RedisClientManager(url, channel="flask-socketio", write_only=write_only)
    return KombuClientManager(
        url, channel="residency-socketio", write_only=write_only,
        connection_options=app.config["SOCKETIO_QUEUE_OPTIONS"],
    )


def async_mode(configured):
    """The Socket.IO async mode of this process: ``configured``, except gevent in a process gevent
    has not monkey-patched (it serves no sockets; greenlets would never run there)."""
    if configured == "gevent":
        try:
            from gevent import monkey
        except ImportError:
            return "threading"
        if not monkey.is_module_patched("socket"):
            return "threading"
    return configured


def init_app(app):
    socketio.init_app(
        app,
        async_mode=async_mode(app.config["SOCKETIO_ASYNC_MODE"]),
        cors_allowed_origins=app.config["SOCKETIO_CORS_ORIGINS"] or None,
        manage_session=False,
        client_manager=client_manager(app),
        max_http_buffer_size=app.config["SOCKETIO_MAX_BUFFER_SIZE"],
    )


@socketio.on("connect")
def on_connect(auth=None):
    """Refuse anonymous connections; join the user's room and whatever the hooks add."""
    try:
        if not current_user.is_authenticated or not _session_valid():
            return False
        join_room(user_room(current_user.id))
        for hook in providers("socket_connect"):
            hook()
        return True
    finally:
        db.session.remove()


def _session_valid():
    return all(check() for check in providers("socket_session_valid"))


def authenticated_event(handler):
    """Run ``handler`` only while the connection's login is still valid; else disconnect."""

    @functools.wraps(handler)
    def wrapper(*args, **kwargs):
        try:
            if not current_user.is_authenticated or not _session_valid():
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


def disconnect_room(room, namespace="/"):
    """Disconnect every socket in ``room``, in every web process (through the message queue).

    Returns False when the queue could not be reached: the per-event check still refuses those
    sockets, and they end at their next event.
    """
    try:
        socketio.server.manager.emit(DISCONNECT_ROOM, {}, namespace=namespace, room=room)
    except Exception:  # the message queue is down
        log.warning("could not ask the web processes to disconnect room %s", room)
        return False
    return True
