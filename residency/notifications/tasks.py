"""E-mail delivery tasks (queue ``io``)."""

import smtplib
from datetime import timedelta

from celery import shared_task

from residency.core.types import utcnow
from residency.extensions import db
from residency.notifications.models import EmailMessage
from residency.notifications.delivery import send_pending

MAX_ATTEMPTS = 10


@shared_task(
    name="notifications.send_email",
    bind=True,
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_email(self, message_id):
    """Deliver outbox message ``message_id``; idempotent (a sent message is not sent again)."""
    try:
        send_pending(message_id)
    finally:
        db.session.commit()


@shared_task(name="notifications.resend_unsent")
def resend_unsent():
    """Queue again every message not sent after two minutes (broker was down, worker died)."""
    cutoff = utcnow() - timedelta(minutes=2)
    ids = db.session.execute(
        db.select(EmailMessage.id).where(
            EmailMessage.sent_at.is_(None),
            EmailMessage.created_at < cutoff,
            EmailMessage.attempts < MAX_ATTEMPTS,
        )
    ).scalars().all()
    for message_id in ids:
        send_email.delay(message_id)
    return len(ids)
