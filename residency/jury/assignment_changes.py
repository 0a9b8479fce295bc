"""A round's assignment changed after the solver: pairs added, removed or moved by the chair, and
the pairs of a juror who drops out or of a pair found conflicted handed to others by re-solving
for those applications only, every other pair kept (:mod:`residency.jury.assignment_ops` holds
the proposal, the confirmation and the reads and writes used here).

Operations take plain arguments, flush, record an audit entry and never commit.
"""

import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from residency import signals
from residency.audit.operations import record
from residency.core.errors import ActionRefused
from residency.core.types import utcnow
from residency.extensions import db
from residency.jury import blind, conflicts, panels, rounds
from residency.jury.assignment_ops import (
    Removal, Source, build_problem, insert_pairs, live_assignments, live_pair, lock_round, remove_assignment,
    solve_context,
)
from residency.jury.models import Assignment, MemberRole, MemberStatus, Round, RoundPhase


# --- Changes by hand -----------------------------------------------------------------------------

def _member_name(member):
    return panels.display_name(member)


def pseudonym(round_, application_id):
    """The number of "Application N", the name the round's juror pages give the application
    (:mod:`residency.jury.blind`): messages never name an application by its database id."""
    return blind.call_label_numbers(round_, [application_id])[application_id]


def _check_pair(round_, member, application_id):
    """Refuse a pair the assignment may not hold."""
    if member is None or member.call_id != round_.call_id or member.status != MemberStatus.ACTIVE \
            or member.role != MemberRole.JUROR:
        raise ActionRefused(_l("Choose an active juror of this panel."), field="member")
    if application_id not in set(rounds.round_application_ids(round_)):
        raise ActionRefused(_l("Choose an application of this round."), field="application")
    if conflicts.is_conflicted(member, application_id):
        raise ActionRefused(_l("%(name)s has a conflict of interest with application %(id)d: they cannot review "
                               "it.", name=_member_name(member), id=pseudonym(round_, application_id)),
                            field="member")
    if live_pair(round_, member.id, application_id) is not None:
        raise ActionRefused(_l("%(name)s already reviews application %(id)d.", name=_member_name(member),
                               id=pseudonym(round_, application_id)), field="member", status=409)


def _new_pair_confirmed_at(round_, now):
    """A pair added by hand reaches the juror at once when the round's assignment is confirmed;
    before that it belongs to the preview."""
    return now if round_.assignment_confirmed_at is not None else None


def add_pair(round_, member, application_id, actor, now=None):
    """The chair adds a pair by hand.

    :raise ActionRefused: not an active juror, not an application of the round (400); conflicted
        (400); the pair exists already (409); the round is closed (409).
    """
    now = now or utcnow()
    lock_round(round_)
    _check_pair(round_, member, application_id)
    insert_pairs(round_, [(member.id, application_id)], Source.MANUAL,
                 confirmed_at=_new_pair_confirmed_at(round_, now), now=now)
    db.session.flush()
    record("jury.assignment_added", actor=actor, obj=round_, call_id=round_.call_id, member_id=member.id,
           application_id=application_id)
    return live_pair(round_, member.id, application_id)


def remove_pair(round_, member, application_id, actor, now=None):
    """The chair removes a pair by hand.

    :raise ActionRefused 400: no such live pair; 409: the round is closed.
    """
    now = now or utcnow()
    lock_round(round_)
    assignment = live_pair(round_, getattr(member, "id", None), application_id)
    if assignment is None:
        raise ActionRefused(_l("This juror does not review application %(id)s in this round.",
                               id=pseudonym(round_, application_id)), field="application")
    remove_assignment(assignment, Removal.BY_HAND, now)
    db.session.flush()
    record("jury.assignment_removed", actor=actor, obj=round_, call_id=round_.call_id, member_id=member.id,
           application_id=application_id)


def move_pair(round_, member, application_id, target, actor, now=None):
    """The chair moves a pair to another juror (who must be free of conflict and not already on it).

    :raise ActionRefused: as :func:`remove_pair` and :func:`add_pair` for ``target``.
    """
    now = now or utcnow()
    lock_round(round_)
    assignment = live_pair(round_, getattr(member, "id", None), application_id)
    if assignment is None:
        raise ActionRefused(_l("This juror does not review application %(id)s in this round.",
                               id=pseudonym(round_, application_id)), field="application")
    _check_pair(round_, target, application_id)
    confirmed = assignment.confirmed_at is not None
    remove_assignment(assignment, Removal.MOVED, now)
    db.session.flush()
    insert_pairs(round_, [(target.id, application_id)], Source.MANUAL, confirmed_at=now if confirmed else None,
                 now=now)
    db.session.flush()
    record("jury.assignment_moved", actor=actor, obj=round_, call_id=round_.call_id, member_id=member.id,
           to_member_id=target.id, application_id=application_id)
    return live_pair(round_, target.id, application_id)


# --- Re-solving for some pairs only --------------------------------------------------------------

def _resolve(round_, removed, exclude, extra_conflicts, now):
    """Re-solve the applications of the ``removed`` assignments, every other live pair kept.

    A replacement is confirmed when the pair it replaces was. Returns the new ``(member, application)``.
    """
    affected = sorted({a.application_id for a in removed})
    if not affected:
        return []
    was_confirmed = {a.application_id for a in removed if a.confirmed_at is not None}
    context = build_problem(round_, exclude=exclude, extra_conflicts=extra_conflicts, only=affected, keep_all=True)
    solution = solve_context(context, seed=secrets.randbits(32) if round_.max_pair_probability else None)
    insert_pairs(round_, solution.pairs, Source.REPLACEMENT,
                 confirmed_at=lambda application_id: now if application_id in was_confirmed else None, now=now)
    db.session.flush()
    return solution


def _open_rounds(call_id):
    return db.session.execute(
        select(Round).where(Round.call_id == call_id, Round.phase != RoundPhase.CLOSED).order_by(Round.number)
    ).scalars().all()


def replace_member(member, actor=None, round_=None, reason=Removal.DROPPED_OUT, now=None):
    """Hand ``member``'s live pairs to other jurors: in ``round_`` (default every open round of the
    call), their pairs are removed and their applications re-solved without them, every other pair
    kept. Used when a juror drops out, or by the chair.

    :return: ``{round id: (removed count, new pairs, missing reviews)}``.
    """
    now = now or utcnow()
    results = {}
    for current in ([round_] if round_ is not None else _open_rounds(member.call_id)):
        lock_round(current)
        removed = db.session.execute(
            live_assignments(current.id).where(Assignment.member_id == member.id)).scalars().all()
        if not removed:
            continue
        for assignment in removed:
            remove_assignment(assignment, reason, now)
        db.session.flush()
        solution = _resolve(current, removed, exclude={member.id}, extra_conflicts=(), now=now)
        missing = sum(solution.unmet.get(a.application_id, 0) for a in removed) if solution else 0
        results[current.id] = (len(removed), list(solution.pairs) if solution else [], missing)
        record("jury.assignment_member_replaced", actor=actor, obj=current, call_id=current.call_id,
               member_id=member.id, reason=reason, removed=len(removed), added=len(results[current.id][1]),
               missing=missing)
    return results


def remove_conflicted_pairs(member, application_id, actor=None, now=None):
    """A conflict between ``member`` and the application was found after assignment: in every open
    round, remove their live pair and re-solve that application's missing review.

    :return: ``{round id: new pairs}``.
    """
    now = now or utcnow()
    results = {}
    for current in _open_rounds(member.call_id):
        lock_round(current)
        assignment = live_pair(current, member.id, application_id)
        if assignment is None:
            continue
        remove_assignment(assignment, Removal.CONFLICT, now)
        db.session.flush()
        solution = _resolve(current, [assignment], exclude=(), extra_conflicts={(member.id, application_id)}, now=now)
        results[current.id] = list(solution.pairs)
        record("jury.assignment_conflict_removed", actor=actor, obj=current, call_id=current.call_id,
               member_id=member.id, application_id=application_id, added=len(solution.pairs),
               missing=solution.unmet.get(application_id, 0))
    return results


# --- Signals -------------------------------------------------------------------------------------

def _on_pair_conflicted(member, application_id=None, **_extra):
    remove_conflicted_pairs(member, application_id)


def _on_member_left(_sender, member=None, **_extra):
    if member is not None:
        replace_member(member)


def connect_signals():
    """Reassign when a pair becomes conflicted (:data:`conflicts.pair_conflicted`) and when a
    juror leaves the panel (:data:`signals.jury_member_left`). Idempotent."""
    conflicts.pair_conflicted.connect(_on_pair_conflicted)
    signals.jury_member_left.connect(_on_member_left)
