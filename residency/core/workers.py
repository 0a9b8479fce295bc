"""Celery and the Socket.IO message queue, both chosen by configuration."""

from pathlib import Path

from celery import Task

from residency.extensions import celery


def init_app(app):
    """Configure the shared Celery object so every task runs inside ``app``'s context.

    Features add their tasks with :func:`register_tasks` from their ``init_app``.
    """

    from residency.core.jobs import acknowledge

    class AppContextTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                if not self.request.called_directly:
                    acknowledge(self.request.id)  # the job has reached a worker: out of the outbox
                return self.run(*args, **kwargs)

    _make_broker_folders(app.config["CELERY"])
    celery.config_from_object(app.config["CELERY"])
    celery.conf.task_routes = {}
    celery.conf.beat_schedule = {"core-relay-outbox": {"task": "core.relay_outbox", "schedule": 30.0}}
    celery.Task = AppContextTask
    celery.set_default()
    app.extensions["celery"] = celery
    import residency.core.tasks  # noqa: F401  (core's own probe task)


def register_tasks(app, module, routes=None, beat=None):
    """Register a feature's tasks: import ``module`` (its ``@shared_task``s), route task names to
    queues (``{"media.ingest": {"queue": "io"}}``, globs allowed) and add beat entries
    (``{"calls-tick": {"task": "calls.tick", "schedule": 30.0}}``).

    Routes are matched in registration order, so a feature lists its specific names before its
    globs. A beat entry's name must be unique across features.
    """
    import importlib

    importlib.import_module(module)
    celery.conf.task_routes.update(routes or {})
    for name, entry in (beat or {}).items():
        if name in celery.conf.beat_schedule:
            raise ValueError(f"beat entry {name!r} registered twice")
        celery.conf.beat_schedule[name] = entry


def _make_broker_folders(settings):
    """kombu's filesystem transport expects its folders to exist."""
    if not settings["broker_url"].startswith("filesystem://"):
        return
    options = settings["broker_transport_options"]
    for key in ("data_folder_in", "data_folder_out", "control_folder", "processed_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


def live_emitter(app):
    """A write-only Socket.IO emitter for processes that serve no sockets (Celery workers)."""
    from residency.core.sockets import client_manager

    return client_manager(app, write_only=True)
