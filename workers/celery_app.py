"""The Celery entry point: builds the application once and takes its Celery object.

Workers serve no sockets, so live events go out through a write-only emitter on the message
queue (Redis, or the filesystem transport on the embedded default).
"""

from residency import create_app
from residency.core.workers import live_emitter

app = create_app()
app.extensions["live_emitter"] = live_emitter(app)
celery = app.extensions["celery"]
