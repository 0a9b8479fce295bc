"""The rounds' clock (Celery beat, every minute): scoring starts at a round's opening time when the
round is ready, and stops at its closing time (:func:`residency.jury.round_moves.tick`)."""

import logging

from celery import shared_task

from residency.extensions import db
from residency.jury.round_moves import tick

log = logging.getLogger(__name__)


@shared_task(name="jury.rounds_tick")
def rounds_tick_task():
    try:
        started, closed = tick()
        db.session.commit()
        if started or closed:
            log.info("jury rounds started %s, closed %s", started, closed)
        return {"started": started, "closed": closed}
    finally:
        db.session.rollback()
