"""The Celery entry point: builds the application once and takes its Celery object.

``celery -A workers.celery_app`` finds ``celery`` here. Workers serve no sockets, so live events
go out through a write-only emitter on the message queue (Redis, or the filesystem transport on
the embedded default).
"""

from residency import create_app
from residency.core.workers import live_emitter

flask_app = create_app()
flask_app.extensions["live_emitter"] = live_emitter(flask_app)
celery = flask_app.extensions["celery"]
