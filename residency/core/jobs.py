"""Background jobs that are queued only after the commit that makes them valid.

``enqueue_after_commit`` remembers the job on the current database session; the job is sent
to the broker when that session commits and forgotten if it rolls back. A task therefore never
looks for a row that is not there yet.
"""

import logging

from sqlalchemy import event
from sqlalchemy.orm import Session

from residency.extensions import db

log = logging.getLogger(__name__)
_KEY = "residency_pending_jobs"


def enqueue_after_commit(task, *args, **options):
    """Send ``task.apply_async(args)`` once the current transaction commits.

    :param task: a Celery task.
    :param args: JSON-serialisable arguments (ids, never ORM objects).
    :param options: passed to ``apply_async`` (``queue``, ``countdown``…).
    """
    session = db.session()
    session.info.setdefault(_KEY, []).append((task, args, options))


def call_after_commit(function, *args):
    """Call ``function(*args)`` once the current transaction commits (never if it rolls back).

    For effects outside the database that must not happen before the change is durable, such
    as disconnecting the sockets of a login that was just ended. Errors are logged, not raised.
    """
    session = db.session()
    session.info.setdefault(_KEY, []).append((function, args, None))


def has_pending_jobs(session):
    """Whether ``session``'s transaction holds jobs that its commit would send."""
    return bool(session.info.get(_KEY))


@event.listens_for(Session, "after_commit")
def _send_pending(session):
    jobs = session.info.pop(_KEY, [])
    for task, args, options in jobs:
        if options is None:  # a plain call (call_after_commit)
            try:
                task(*args)
            except Exception:
                log.exception("after-commit call %s failed", getattr(task, "__name__", task))
            continue
        try:
            task.apply_async(args=args, **options)
        except Exception:  # the broker is down: the sweepers pick the work up again
            log.exception("could not queue %s", task.name)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session, previous_transaction):
    if previous_transaction.parent is None:
        session.info.pop(_KEY, None)
