"""A round's phase: the moves set-up → scoring → closed (:func:`move_round`, checked against
:data:`TRANSITIONS`, then against what the target phase needs), the applications a closed round
advances to the next, and the rounds' clock (:func:`tick`). What a round is and covers is
:mod:`residency.jury.rounds`.

Operations take plain arguments, flush, record an audit entry and never commit.
"""

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from residency import signals
from residency.audit.operations import record
from residency.core.errors import ActionRefused
from residency.core.types import utcnow
from residency.extensions import db
from residency.jury.models import Assignment, Round, RoundApplication, RoundCoverage, RoundPhase
from residency.jury.rounds import PHASE_LABELS, InvalidRound, covered_application_ids, lock_rounds

#: The legal moves of a round's phase.
TRANSITIONS = {
    RoundPhase.SETUP: {RoundPhase.SCORING},
    RoundPhase.SCORING: {RoundPhase.CLOSED},
    RoundPhase.CLOSED: set(),
}


# --- Moving --------------------------------------------------------------------------------------

def can_move(round_, target):
    """Whether ``target`` is a legal next phase of ``round_`` (what it needs is checked apart)."""
    return target in TRANSITIONS.get(round_.phase, set())


def scoring_problems(round_, now=None):
    """Why ``round_`` cannot enter scoring now: a list of messages (empty when it can).

    Scoring needs: every earlier round closed; a closing time still ahead; at least one
    application covered; a confirmed assignment in which every covered application has a juror.
    """
    now = now or utcnow()
    problems = []
    earlier = db.session.execute(
        select(Round).where(Round.call_id == round_.call_id, Round.number < round_.number,
                            Round.phase != RoundPhase.CLOSED).order_by(Round.number)
    ).scalars().all()
    for other in earlier:
        problems.append(_l("Round %(number)d, “%(name)s”, is not closed yet: close it before this round starts "
                           "scoring.", number=other.number, name=other.name))
    if round_.scoring_closes_at is None:
        problems.append(_l("Set when scoring closes."))
    elif round_.scoring_closes_at <= now:
        problems.append(_l("The closing time of scoring has passed: set a new one."))
    ids = covered_application_ids(round_)
    if not ids:
        if round_.coverage == RoundCoverage.ADVANCED:
            problems.append(_l("The previous round advanced no application: this round would cover none."))
        else:
            problems.append(_l("No application is both submitted and marked eligible yet: this round would cover "
                               "none. Mark the eligible applications in the list of applications first."))
    if round_.assignment_confirmed_at is None:
        problems.append(_l("The assignment of jurors to applications is not confirmed yet."))
    elif ids:
        assigned = set(db.session.execute(
            select(Assignment.application_id).where(
                Assignment.round_id == round_.id, Assignment.confirmed_at.is_not(None),
                Assignment.removed_at.is_(None), Assignment.application_id.in_(ids))
        ).scalars())
        missing = len(set(ids) - assigned)
        if missing:
            problems.append(_l("%(count)d of the applications this round covers have no juror in the confirmed "
                               "assignment: run the assignment again.", count=missing))
        stale = db.session.scalar(
            select(func.count(func.distinct(Assignment.application_id))).where(
                Assignment.round_id == round_.id, Assignment.confirmed_at.is_not(None),
                Assignment.removed_at.is_(None), Assignment.application_id.not_in(ids)))
        if stale:
            problems.append(_l("%(count)d of the applications in the confirmed assignment are no longer covered by "
                               "this round (no longer eligible, or withdrawn): run the assignment again.",
                               count=stale))
    return problems


def move_round(round_, target, actor=None, reason="manual", now=None):
    """Move ``round_`` to the phase ``target``; the one way a round's phase changes.

    Set-up → scoring needs what :func:`scoring_problems` checks, and freezes the applications the
    round covers; scoring → closed is always possible. Nothing else is. Each move is announced
    with :data:`residency.signals.jury_round_moved` once flushed (entering scoring refreshes the
    automatic conflicts: :func:`residency.jury.conflicts.connect_signals`).

    :raise ActionRefused 409: an illegal move, or scoring that cannot start (every reason given).
    """
    now = now or utcnow()
    if not can_move(round_, target):
        raise ActionRefused(
            _l("A round cannot go from “%(from)s” to “%(to)s”.",
               **{"from": PHASE_LABELS.get(round_.phase, round_.phase), "to": PHASE_LABELS.get(target, target)}),
            status=409,
        )
    if target == RoundPhase.SCORING:
        problems = scoring_problems(round_, now)
        if problems:
            raise InvalidRound([(None, message) for message in problems], status=409)
        _freeze_applications(round_)
    previous = round_.phase
    round_.phase = target
    round_.updated_at = now
    db.session.flush()
    record("jury.round_phase_changed", actor=actor, obj=round_, call_id=round_.call_id,
           **{"from": previous, "to": target, "reason": reason})
    # A signal, not a call: the conflicts connect it (entering scoring refreshes the automatic
    # ones), and the rounds, which the conflicts' pages read, stay below them.
    signals.jury_round_moved.send(current_app._get_current_object(), round=round_, previous=previous, actor=actor)
    return round_


def _freeze_applications(round_):
    """Write the applications the round covers now into ``jury_round_applications``."""
    ids = covered_application_ids(round_)
    existing = set(db.session.execute(
        select(RoundApplication.application_id).where(RoundApplication.round_id == round_.id)).scalars())
    for application_id in ids:
        if application_id not in existing:
            db.session.add(RoundApplication(round_id=round_.id, application_id=application_id, advanced=False))
    db.session.flush()


def set_advanced(actor, round_, application_ids, now=None):
    """Mark which of a closed round's applications go on to the next round (the others do not).

    :raise ActionRefused 409: the round is not closed, or the next round already started scoring.
    :raise ActionRefused 400: an id the round does not cover.
    """
    if round_.phase != RoundPhase.CLOSED:
        raise ActionRefused(_l("Close the round before choosing the applications it advances."), status=409)
    started = db.session.execute(
        select(Round).where(Round.call_id == round_.call_id, Round.number > round_.number,
                            Round.phase != RoundPhase.SETUP).limit(1)
    ).scalar_one_or_none()
    if started is not None:
        raise ActionRefused(_l("Round %(number)d has already started scoring with the applications advanced so "
                               "far.", number=started.number), status=409)
    rows = {row.application_id: row for row in db.session.execute(
        select(RoundApplication).where(RoundApplication.round_id == round_.id)).scalars()}
    wanted = set(application_ids)
    if wanted - set(rows):
        raise ActionRefused(_l("Some of these applications are not in this round."), field="advanced")
    changed = 0
    for application_id, row in rows.items():
        if row.advanced != (application_id in wanted):
            row.advanced = application_id in wanted
            changed += 1
    db.session.flush()
    record("jury.round_advanced", actor=actor, obj=round_, call_id=round_.call_id, advanced=len(wanted),
           changed=changed)
    return wanted


# --- The clock -----------------------------------------------------------------------------------

def tick(now=None):
    """The rounds' clock: a round in scoring whose closing time passed is closed; a round being
    set up whose opening time came starts scoring when it can (else it waits for the coordinators,
    whose page says why). Returns ``(started ids, closed ids)``. Idempotent; the caller commits."""
    now = now or utcnow()
    started, closed = [], []
    # Found without a lock, then each call's rounds locked in the jury's order (lock_rounds) and
    # the round read again: a round another worker moved meanwhile is left alone.
    over = db.session.execute(
        select(Round).where(Round.phase == RoundPhase.SCORING, Round.scoring_closes_at <= now)
        .order_by(Round.call_id, Round.id)
    ).scalars().all()
    for round_ in over:
        lock_rounds(round_.call_id)
        db.session.refresh(round_)
        if round_.phase != RoundPhase.SCORING or round_.scoring_closes_at is None or round_.scoring_closes_at > now:
            continue
        move_round(round_, RoundPhase.CLOSED, reason="clock", now=now)
        closed.append(round_.id)
    due = db.session.execute(
        select(Round).where(Round.phase == RoundPhase.SETUP, Round.scoring_opens_at <= now)
        .order_by(Round.call_id, Round.number)
    ).scalars().all()
    for round_ in due:
        lock_rounds(round_.call_id)
        db.session.refresh(round_)
        if round_.phase != RoundPhase.SETUP or round_.scoring_opens_at is None or round_.scoring_opens_at > now:
            continue
        if not scoring_problems(round_, now):
            move_round(round_, RoundPhase.SCORING, reason="clock", now=now)
            started.append(round_.id)
    return started, closed
