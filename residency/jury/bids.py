"""Bids: how much a panel member would like to review each application (``jury_bids``).

A bid is *eager*, *willing* or *rather not*; no row means no preference. The assignment honours
them where it can. A member bids only on applications they are not in conflict with, and only
until the assignment of the call's current round is confirmed; with no round set up yet, bidding
is open.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from residency.audit.operations import record
from residency.core.errors import ActionRefused
from residency.core.types import utcnow
from residency.extensions import db
from residency.jury.conflicts import (
    NOT_LISTED,
    candidate_applications,
    conflicted_application_ids,
)
from residency.jury.models import Bid, PanelMember, Preference, RoundPhase
from residency.jury.rounds import current_round, lock_rounds

#: The bids, most wanted first.
BIDS = (Bid.EAGER, Bid.WILLING, Bid.RATHER_NOT)

BID_LABELS = {
    Bid.EAGER: _l("Eager"),
    Bid.WILLING: _l("Willing"),
    Bid.RATHER_NOT: _l("Rather not"),
}


def bidding_closed(call, lock=False):
    """Why bids on ``call`` can no longer change (a message), or None while they can: they can
    until the assignment of the call's current round (:func:`~residency.jury.rounds.current_round`)
    is confirmed, and again once that round is closed and the next one is being set up.

    ``lock`` takes a shared lock on that round, so that confirming its assignment waits for the
    bids being saved, and bids saved meanwhile see the confirmation.
    """
    round_ = current_round(call)
    if round_ is None:
        return None
    if lock:
        db.session.refresh(round_, with_for_update={"read": True})
    if round_.phase == RoundPhase.CLOSED:
        return _l("Every round of this jury is closed: bids can no longer change.")
    if round_.assignment_confirmed_at is not None:
        return _l("The assignment of the round “%(round)s” is confirmed: bids can no longer change.",
                  round=round_.name)
    return None


def bids_of(member):
    """``{application id: bid}`` of ``member``."""
    return dict(db.session.execute(
        select(Preference.application_id, Preference.bid).where(Preference.member_id == member.id)
    ).tuples().all())


class InvalidBids(ActionRefused):
    """Bids that cannot be saved; ``errors`` maps each application id to its message."""

    def __init__(self, errors, message=None):
        super().__init__(message or _l("Some bids could not be saved; nothing was changed."), status=400)
        self.errors = errors


def save_bids(member, bids, actor, now=None):
    """Set ``member``'s bids: ``{application id: bid, or None for no preference}``.

    Applications left out keep their bid. Either every bid is saved or none is.

    :raise ActionRefused (409): the current round's assignment is confirmed (or every round closed).
    :raise InvalidBids: an unknown bid, an application that is not one of the call's candidates,
        or one the member is in conflict with.
    :return: the ids of the applications whose bid changed.
    """
    now = now or utcnow()
    # One member's two tabs saving at once: the second waits, then sees the first one's rows.
    # Lock order: the call's rounds, then the member (rounds.lock_rounds).
    lock_rounds(member.call_id)
    db.session.execute(select(PanelMember.id).where(PanelMember.id == member.id).with_for_update())
    closed = bidding_closed(member.call, lock=True)
    if closed:
        raise ActionRefused(closed, status=409)
    candidates = {application.id for application in candidate_applications(member.call)}
    conflicted = conflicted_application_ids(member)
    errors = {}
    for application_id, bid in bids.items():
        if bid is not None and bid not in BIDS:
            errors[application_id] = _l("Choose eager, willing, rather not or no preference.")
        elif application_id in conflicted or application_id not in candidates:
            # One answer for both: a hand-edited form must not tell an (automatic) conflict apart.
            errors[application_id] = NOT_LISTED
    if errors:
        raise InvalidBids(errors)
    current = {row.application_id: row for row in db.session.execute(
        select(Preference).where(Preference.member_id == member.id, Preference.application_id.in_(list(bids)))
    ).scalars()} if bids else {}
    changed = []
    for application_id, bid in sorted(bids.items()):
        row = current.get(application_id)
        if bid is None and row is not None:
            db.session.delete(row)
        elif bid is not None and row is None:
            db.session.add(Preference(member_id=member.id, application_id=application_id, bid=bid, updated_at=now))
        elif bid is not None and row.bid != bid:
            row.bid, row.updated_at = bid, now
        else:
            continue
        changed.append(application_id)
    if changed:
        db.session.flush()
        record("jury.bids_saved", actor, member, call_id=member.call_id,
               bids={str(application_id): bids[application_id] for application_id in changed})
    return changed
