"""Recording audit entries. Never commits: the entry lands with the action it records, or not at all."""

from flask import has_request_context, request

from residency.audit.models import AuditEntry
from residency.extensions import db


def record(action, actor=None, obj=None, **data):
    """Add an audit entry for ``action`` by ``actor`` on ``obj`` with extra ``data``.

    ``data`` must hold no secret (no password, no token).
    """
    entry = AuditEntry(
        action=action,
        actor_id=getattr(actor, "id", actor),
        object_type=obj.__tablename__ if obj is not None else None,
        object_id=getattr(obj, "id", None),
        ip=request.remote_addr if has_request_context() else None,
        data=data,
    )
    db.session.add(entry)
    return entry
