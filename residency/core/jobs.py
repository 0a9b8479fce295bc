"""Background jobs that exist exactly when the change that calls for them is committed.

``enqueue_after_commit`` writes the job into the outbox (:class:`~residency.core.models.OutboxJob`)
in the current transaction and publishes it to the broker when that transaction commits: a
rolled-back request queues nothing, and a task never looks for a row that is not there yet. If
the process dies between commit and publish, or the broker is down, the row stays and the relay
(:func:`relay`, every half minute on the beat) publishes it again; the worker deletes the row as
it starts the task (:func:`acknowledge`). Delivery is therefore at least once: every task is
idempotent.
"""

import logging
import uuid
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import delete, event, update
from sqlalchemy.orm import Session

from residency.core.types import utcnow
from residency.extensions import db

log = logging.getLogger(__name__)
_KEY = "residency_pending_jobs"
#: Message ids of outbox jobs start with this, so a worker knows which tasks to acknowledge.
PREFIX = "ob-"
#: How long after its due time a job is left to its first publication before the relay steps in.
GRACE = timedelta(seconds=60)
#: The relay's wait between two publications of the same job doubles each time, up to this.
MAX_BACKOFF = timedelta(hours=1)


def enqueue_after_commit(task, *args, **options):
    """Write ``task(*args)`` into the outbox now and publish it once the transaction commits.

    :param task: a Celery task.
    :param args: JSON-serialisable arguments (ids, never ORM objects).
    :param options: passed to ``apply_async`` (``queue``, ``countdown``…), JSON-serialisable.
    """
    from residency.core.models import OutboxJob

    now = utcnow()
    message = Message(f"{PREFIX}{uuid.uuid4().hex}", list(args),
                      {key: value for key, value in options.items() if key != "countdown"},
                      now + timedelta(seconds=options.get("countdown") or 0))
    session = db.session()
    session.add(OutboxJob(message_id=message.id, task=task.name, args=message.args, options=message.options,
                          created_at=now, due_at=message.due_at))
    session.info.setdefault(_KEY, []).append((task, message, options))


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


class Message(NamedTuple):
    """What is published for an outbox job (copied out of the row: after a commit the row's
    attributes are expired and must not be read back)."""

    id: str
    args: list
    options: dict
    due_at: datetime


def publish(task, message):
    """Send ``message`` to the broker under its id, to run at its due time."""
    eta = message.due_at if message.due_at > utcnow() else None
    task.apply_async(args=message.args, task_id=message.id, eta=eta, **message.options)


@event.listens_for(Session, "after_commit")
def _send_pending(session):
    jobs = session.info.pop(_KEY, [])
    for task, message, options in jobs:
        if options is None:  # a plain call (call_after_commit): ``message`` holds its arguments
            try:
                task(*message)
            except Exception:
                log.exception("after-commit call %s failed", getattr(task, "__name__", task))
            continue
        try:
            publish(task, message)
        except Exception:  # the broker is down: the relay publishes it again later
            log.exception("could not queue %s; the outbox relay will", task.name)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session, previous_transaction):
    if previous_transaction.parent is None:
        session.info.pop(_KEY, None)


def acknowledge(message_id):
    """The worker has started the job ``message_id``: remove it from the outbox (in a transaction
    of its own, so the task's own transactions cannot take it back)."""
    if not message_id or not str(message_id).startswith(PREFIX):
        return
    from residency.core.models import OutboxJob

    with db.engine.begin() as connection:
        connection.execute(delete(OutboxJob).where(OutboxJob.message_id == message_id))


def relay(batch=500, now=None):
    """Publish again every outbox job past its due time and grace, waiting twice as long before
    each further attempt. Returns how many were published."""
    from residency.core.models import OutboxJob
    from residency.extensions import celery

    now = now or utcnow()
    jobs = db.session.execute(
        db.select(OutboxJob).where(OutboxJob.due_at <= now - GRACE).order_by(OutboxJob.id).limit(batch)
        .with_for_update(skip_locked=True)
    ).scalars().all()
    published = 0
    for job in jobs:
        task = celery.tasks.get(job.task)
        backoff = min(GRACE * (2 ** min(job.attempts, 12)), MAX_BACKOFF)
        db.session.execute(update(OutboxJob).where(OutboxJob.id == job.id)
                           .values(attempts=OutboxJob.attempts + 1, due_at=now + backoff))
        if task is None:
            log.error("outbox job %s names an unknown task %s", job.message_id, job.task)
            continue
        try:
            publish(task, Message(job.message_id, job.args, job.options, now))
            published += 1
        except Exception:
            log.exception("relay could not queue %s", job.task)
            break
    db.session.commit()
    return published
