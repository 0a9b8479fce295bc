"""Account housekeeping tasks."""

from celery import shared_task

from residency.accounts.operations import purge_expired_tokens as _purge
from residency.accounts.throttle import purge_stale_throttles
from residency.extensions import db


@shared_task(name="accounts.purge_expired_tokens")
def purge_expired_tokens():
    """Delete old e-mail tokens, and login throttles that no longer count anything."""
    count = _purge()
    purge_stale_throttles()
    db.session.commit()
    return count
