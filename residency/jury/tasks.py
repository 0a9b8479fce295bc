"""The jury's background jobs (Celery beat)."""

import logging

from celery import shared_task

from residency.extensions import db
from residency.jury.reminders import send_reminders

log = logging.getLogger(__name__)


@shared_task(name="jury.send_reminders")
def send_reminders_task():
    """E-mail jurors with unscored work as a round's scoring closes (hourly; idempotent)."""
    try:
        sent = send_reminders()
        db.session.commit()
        if sent:
            log.info("jury reminders queued: %d", len(sent))
        return len(sent)
    finally:
        db.session.rollback()
