"""The audit log. Rows are only ever inserted; the migrations add triggers refusing UPDATE/DELETE.

The log is a hash chain (:mod:`residency.core.chain`): each entry has a sequence number, the hash
of the entry before it and its own hash. :class:`AuditChainHead` is one row holding the last
sequence number and hash; every writer updates it first, which both serialises the writers (the
row lock on PostgreSQL, the write lock on SQLite) and lets the verifier notice entries removed
from the end."""

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from residency.core.types import UTCDateTime, utcnow
from residency.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[Optional[str]] = mapped_column(String(32))
    object_id: Mapped[Optional[int]]
    ip: Mapped[Optional[str]] = mapped_column(String(45))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    seq: Mapped[int] = mapped_column(unique=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    actor = relationship("User", lazy="joined")

    def chain_content(self):
        """What the entry's hash covers: everything it records, with its place in the chain."""
        return chain_content(self)


def chain_content(entry):
    """The content an audit entry's hash covers, from an entry or a row of its columns."""
    return {
        "seq": entry.seq, "at": entry.at, "actor_id": entry.actor_id, "action": entry.action,
        "object_type": entry.object_type, "object_id": entry.object_id, "ip": entry.ip,
        "data": entry.data or {},
    }


class AuditChainHead(db.Model):
    """The end of the audit chain (one row, id 1): the last sequence number and its hash."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64))
