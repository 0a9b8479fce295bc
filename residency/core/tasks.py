"""Core tasks."""

import socket

from celery import shared_task

from residency.core.live import emit, user_room
from residency.core.models import SystemProbe
from residency.core.types import utcnow
from residency.extensions import db


@shared_task(name="core.complete_probe")
def complete_probe(probe_id):
    """Mark the probe done (once) and tell its requester live."""
    probe = db.session.get(SystemProbe, probe_id)
    if probe is None:
        return None
    if probe.completed_at is None:
        probe.completed_at = utcnow()
        probe.worker = socket.gethostname()[:255]
        db.session.commit()
    if probe.requested_by_id:
        emit(
            "probe.completed",
            {"id": probe.id, "completed_at": probe.completed_at.isoformat(), "worker": probe.worker},
            room=user_room(probe.requested_by_id),
        )
    return probe.id


@shared_task(name="core.relay_outbox")
def relay_outbox():
    """Publish again the jobs that were committed but never reached the broker."""
    from residency.core.jobs import relay

    return relay()
