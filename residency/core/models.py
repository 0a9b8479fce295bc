"""Core models."""

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from residency.core.types import UTCDateTime, utcnow
from residency.extensions import db


class SystemProbe(db.Model):
    """A round trip through the job queue, asked for from the admin's system page.

    The web process writes the row and queues the job after commit; a worker marks it done and
    tells the browser live. It proves that broker, worker and live channel all work.
    """

    __tablename__ = "system_probes"

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    worker: Mapped[Optional[str]] = mapped_column(String(255))


class OutboxJob(db.Model):
    """A job written in the same transaction as the change that calls for it (the transactional
    outbox): the job exists exactly when the change does.

    The web process publishes it right after the commit under ``message_id`` (Celery's task id);
    the worker deletes the row as it starts the task. A row still here after ``due_at`` was not
    published (the process died between commit and publish, or the broker was down): the relay
    (``core.relay_outbox``, on the beat) publishes it again with the same id. Tasks are idempotent,
    so a job published twice does its work once.
    """

    __tablename__ = "job_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(64), unique=True)
    task: Mapped[str] = mapped_column(String(200))
    args: Mapped[list] = mapped_column(JSON, default=list)
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
