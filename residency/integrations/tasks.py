"""The webhooks' background jobs: each delivery with its retries, and a sweeper for lost ones."""

import logging
from datetime import timedelta

from celery import shared_task

from residency.core.types import utcnow
from residency.extensions import db
from residency.integrations.delivery import attempt, backoff
from residency.integrations.models import DeliveryState, WebhookDelivery

log = logging.getLogger(__name__)

#: A pending delivery untouched this long has lost its job (a broker restart): it is queued again.
STALE = timedelta(hours=7)


@shared_task(name="integrations.deliver", bind=True, max_retries=None)
def deliver_task(self, delivery_id):
    """Attempt the delivery; after a failure, run again later (:func:`backoff`) until it
    succeeds or ``WEBHOOKS_MAX_ATTEMPTS`` is reached. Idempotent: a settled delivery is left alone."""
    try:
        outcome = attempt(delivery_id)
    finally:
        db.session.rollback()
    if outcome == "retry":
        attempts = db.session.get(WebhookDelivery, delivery_id).attempts
        db.session.rollback()
        raise self.retry(countdown=backoff(attempts))
    return outcome


@shared_task(name="integrations.requeue_stale")
def requeue_stale_task():
    """Queue again the pending deliveries whose job was lost (hourly)."""
    cutoff = utcnow() - STALE
    try:
        ids = db.session.execute(db.select(WebhookDelivery.id).where(
            WebhookDelivery.state == DeliveryState.PENDING, WebhookDelivery.created_at < cutoff,
            db.or_(WebhookDelivery.last_attempt_at.is_(None), WebhookDelivery.last_attempt_at < cutoff),
        ).limit(1000)).scalars().all()
    finally:
        db.session.rollback()
    for delivery_id in ids:
        deliver_task.apply_async(args=[delivery_id])
    return len(ids)
