"""Core models."""

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, String
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
