"""The call's state machine: every move goes through :func:`move`, which checks it is legal.

draft → open → closed → in_review → decided → archived. The clock opens published calls at
``opens_at`` and closes open calls at ``closes_at`` (``calls.tick``, every 30 seconds); whether a
submission is on time is decided by the clock itself (:meth:`Call.accepting`), never by the tick.
"""

from flask import current_app
from flask_babel import lazy_gettext as _l

from residency import signals
from residency.audit.operations import record
from residency.calls.models import CallState
from residency.core.errors import ActionRefused
from residency.core.types import utcnow

TRANSITIONS = {
    CallState.DRAFT: {CallState.OPEN},
    CallState.OPEN: {CallState.CLOSED},
    CallState.CLOSED: {CallState.IN_REVIEW},
    CallState.IN_REVIEW: {CallState.DECIDED},
    CallState.DECIDED: {CallState.ARCHIVED},
    CallState.ARCHIVED: set(),
}

STATE_LABELS = {
    CallState.DRAFT: _l("Draft"),
    CallState.OPEN: _l("Open"),
    CallState.CLOSED: _l("Closed"),
    CallState.IN_REVIEW: _l("In review"),
    CallState.DECIDED: _l("Decided"),
    CallState.ARCHIVED: _l("Archived"),
}


def can_move(call, target):
    return target in TRANSITIONS.get(call.state, set())


def move(call, target, actor=None, reason="manual"):
    """Move ``call`` to ``target``. :raise ActionRefused 409: the move is not allowed from here."""
    if not can_move(call, target):
        raise ActionRefused(
            _l("A call cannot go from “%(from)s” to “%(to)s”.", **{"from": STATE_LABELS[call.state], "to": STATE_LABELS.get(target, target)}),
            status=409,
        )
    if target == CallState.OPEN and (call.published_at is None or call.opens_at is None or call.closes_at is None):
        raise ActionRefused(_l("Publish the call with its opening and closing times first."), status=409)
    previous = call.state
    call.state = target
    call.updated_at = utcnow()
    record("call.state_changed", actor=actor, obj=call, **{"from": previous, "to": target, "reason": reason})
    signals.call_state_changed.send(current_app._get_current_object(), call=call, previous=previous)
    return call
