"""Celery and the Socket.IO message queue, both chosen by configuration."""

from pathlib import Path

from celery import Task
from socketio import KombuManager

from residency.extensions import celery


def init_app(app):
    """Configure the shared Celery object so every task runs inside ``app``'s context."""

    class AppContextTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    _make_broker_folders(app.config["CELERY"])
    celery.config_from_object(app.config["CELERY"])
    celery.conf.task_routes = {
        "media.ingest": {"queue": "io"},
        "media.sweep": {"queue": "io"},
        "media.*": {"queue": "cpu"},
    }
    celery.conf.beat_schedule = beat_schedule()
    celery.Task = AppContextTask
    celery.set_default()
    app.extensions["celery"] = celery
    # Importing the task modules registers them with Celery.
    import residency.core.tasks  # noqa: F401
    import residency.notifications.tasks  # noqa: F401
    import residency.accounts.tasks  # noqa: F401
    import residency.media.tasks  # noqa: F401
    import residency.calls.tasks  # noqa: F401


def _make_broker_folders(settings):
    """kombu's filesystem transport expects its folders to exist."""
    if not settings["broker_url"].startswith("filesystem://"):
        return
    options = settings["broker_transport_options"]
    for key in ("data_folder_in", "data_folder_out", "control_folder", "processed_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


def beat_schedule():
    return {
        "resend-unsent-email": {
            "task": "notifications.resend_unsent",
            "schedule": 60.0,
        },
        "calls-tick": {
            "task": "calls.tick",
            "schedule": 30.0,
        },
        "media-sweep": {
            "task": "media.sweep",
            "schedule": 60.0,
        },
        "purge-expired-tokens": {
            "task": "accounts.purge_expired_tokens",
            "schedule": 3600.0,
        },
    }


def socketio_client_manager(app, write_only=False):
    """Return the Socket.IO client manager for the filesystem transport, or None for Redis.

    With Redis, Flask-SocketIO builds its own ``RedisManager`` from ``message_queue``.
    """
    url = app.config["SOCKETIO_MESSAGE_QUEUE"]
    if not url.startswith("filesystem://"):
        return None
    return KombuManager(
        url,
        channel="residency-socketio",
        write_only=write_only,
        connection_options=app.config["SOCKETIO_QUEUE_OPTIONS"],
    )


def live_emitter(app):
    """A write-only Socket.IO emitter for processes that serve no sockets (Celery workers)."""
    from socketio import RedisManager

    url = app.config["SOCKETIO_MESSAGE_QUEUE"]
    if url.startswith("filesystem://"):
        return socketio_client_manager(app, write_only=True)
    return RedisManager(url, channel="flask-socketio", write_only=True)
