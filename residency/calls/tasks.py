"""The clock of calls (Celery beat, every 30 seconds)."""

import logging

from celery import shared_task

from residency.calls.models import Call, CallState
from residency.calls.states import move
from residency.core.types import utcnow
from residency.extensions import db

log = logging.getLogger(__name__)


def tick(now=None):
    """Open published calls whose opening time has come and close those whose deadline passed.

    Returns (opened, closed) ids. Idempotent; the caller commits.
    """
    now = now or utcnow()
    opened, closed = [], []
    due = db.session.execute(
        db.select(Call).where(Call.state == CallState.DRAFT, Call.published_at.is_not(None), Call.opens_at <= now)
        .with_for_update(skip_locked=True)
    ).scalars().all()
    for call in due:
        move(call, CallState.OPEN, reason="clock")
        opened.append(call.id)
    over = db.session.execute(
        db.select(Call).where(Call.state == CallState.OPEN, Call.closes_at <= now).with_for_update(skip_locked=True)
    ).scalars().all()
    for call in over:
        move(call, CallState.CLOSED, reason="clock")
        closed.append(call.id)
    # A published call whose whole window passed while no beat ran opens and closes in one tick.
    for call in due:
        if call.closes_at is not None and call.closes_at <= now and call.state == CallState.OPEN:
            move(call, CallState.CLOSED, reason="clock")
            closed.append(call.id)
    return opened, closed


@shared_task(name="calls.tick")
def tick_task():
    try:
        opened, closed = tick()
        db.session.commit()
        if opened or closed:
            log.info("calls opened %s, closed %s", opened, closed)
        return {"opened": opened, "closed": closed}
    finally:
        db.session.rollback()
