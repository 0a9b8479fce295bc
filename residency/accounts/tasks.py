"""Account housekeeping tasks."""

from celery import shared_task

from residency.accounts.operations import purge_expired_tokens as _purge
from residency.extensions import db


@shared_task(name="accounts.purge_expired_tokens")
def purge_expired_tokens():
    count = _purge()
    db.session.commit()
    return count
