"""Recording and verifying audit entries. Never commits: the entry lands with the action it
records, or not at all.

Entries join the hash chain when their transaction commits (:func:`_link_pending`, a
``before_commit`` listener): the chain's head is then the last lock a transaction takes and is
held only while it commits, so auditing never orders locks against a feature's own (no deadlock)
and concurrent writers queue for the shortest time."""

from flask import has_request_context, request
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from residency.audit.models import AuditChainHead, AuditEntry, chain_content
from residency.core import chain
from residency.core.types import utcnow
from residency.extensions import db

HEAD_ID = 1
_PENDING = "residency.audit.pending"


def record(action, actor=None, obj=None, **data):
    """Audit ``action`` by ``actor`` on ``obj`` with extra ``data``; the entry is written, linked
    to the end of the chain, when the transaction commits (a rollback drops it).

    ``data`` must hold no secret (no password, no token).
    """
    entry = AuditEntry(
        at=utcnow(),
        action=action,
        actor_id=getattr(actor, "id", actor),
        object_type=obj.__tablename__ if obj is not None else None,
        object_id=getattr(obj, "id", None),
        ip=request.remote_addr if has_request_context() else None,
        data=data,
    )
    db.session.info.setdefault(_PENDING, []).append(entry)
    return entry


@event.listens_for(Session, "before_commit")
def _link_pending(session):
    """Link the transaction's pending entries to the chain: move the head by their number (which
    locks it until commit: the row lock on PostgreSQL, the write lock on SQLite), give each its
    sequence number and hashes, and write them."""
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    last_seq, previous_hash = _advance_head(session, len(pending))
    for seq, entry in enumerate(pending, start=last_seq - len(pending) + 1):
        entry.seq, entry.prev_hash = seq, previous_hash
        entry.hash = previous_hash = chain.link(entry.chain_content(), previous_hash)
        session.add(entry)
    session.execute(update(AuditChainHead).where(AuditChainHead.id == HEAD_ID).values(hash=previous_hash))
    session.flush()


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session, previous_transaction):
    """A rolled-back transaction audits nothing."""
    if not previous_transaction.nested:
        session.info.pop(_PENDING, None)


def _advance_head(session, count):
    """Reserve ``count`` sequence numbers: returns the last of them and the hash before the first."""
    row = session.execute(
        update(AuditChainHead).where(AuditChainHead.id == HEAD_ID)
        .values(seq=AuditChainHead.seq + count)
        .returning(AuditChainHead.seq, AuditChainHead.hash)
    ).one_or_none()
    if row is None:  # a database whose chain has not started: the migration creates the head
        session.add(AuditChainHead(id=HEAD_ID, seq=count, hash=chain.GENESIS))
        session.flush()
        return count, chain.GENESIS
    return row.seq, row.hash


def pending_entries():
    """The entries recorded in this transaction and not yet committed."""
    return list(db.session.info.get(_PENDING, ()))


def verify_log(batch=2000):
    """Re-verify the whole audit chain in order, reading ``batch`` entries at a time.

    Returns ``(first_break, entries_read)``; a break's ``key`` is the entry's id. A removed entry
    breaks the link of the one after it; entries removed from the end are found by the head, which
    names a later sequence number than the last entry."""
    columns = (AuditEntry.id, AuditEntry.seq, AuditEntry.at, AuditEntry.actor_id, AuditEntry.action,
               AuditEntry.object_type, AuditEntry.object_id, AuditEntry.ip, AuditEntry.data,
               AuditEntry.prev_hash, AuditEntry.hash)

    def entries():
        last = 0
        while True:
            rows = db.session.execute(
                db.select(*columns).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(batch)
            ).all()
            if not rows:
                return
            for row in rows:
                yield row.id, chain_content(row), row.prev_hash, row.hash
                last = row.seq

    broken, count = chain.verify(entries())
    if broken is not None:
        return broken, count
    head_seq = db.session.scalar(db.select(AuditChainHead.seq).where(AuditChainHead.id == HEAD_ID))
    if head_seq is not None and head_seq != count:
        return chain.Break(count + 1, None, "truncated"), count
    return None, count
