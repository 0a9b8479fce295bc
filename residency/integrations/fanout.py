"""Events announced after their own commit: their deliveries are written by a job."""

from celery import shared_task

from residency.extensions import db
from residency.integrations.webhooks import emit


@shared_task(name="integrations.fan_out")
def fan_out_task(event, payload, scopes):
    """Write the deliveries of ``event`` for the endpoints of ``scopes`` and send them."""
    try:
        emit(event, payload, [tuple(scope) for scope in scopes])
        db.session.commit()
    finally:
        db.session.rollback()
