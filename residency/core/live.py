"""Live events to browsers, from web processes and from Celery workers alike."""

from flask import current_app

from residency.extensions import socketio


def user_room(user_id):
    """The Socket.IO room every connection of one user joins."""
    return f"user:{user_id}"


def emit(event, data, room, namespace="/"):
    """Send ``event`` to ``room`` in every web process, through the message queue.

    In a worker (which serves no sockets) this goes through a write-only emitter; in a web
    process through the server itself, which also publishes to the queue.
    """
    emitter = current_app.extensions.get("live_emitter")
    if emitter is not None:
        emitter.emit(event, data, room=room, namespace=namespace)
    else:
        socketio.emit(event, data, to=room, namespace=namespace)
