"""A round's assignment, from the database to the solver (:mod:`residency.jury.assignment`) and back.

The chair proposes: the solver's pairs are written as a *preview* (live rows without
``confirmed_at``; a new proposal replaces the previous preview, the confirmed pairs stay and count
as kept). The chair confirms: the preview's rows get ``confirmed_at`` and the round its
``assignment_confirmed_at``; only confirmed pairs reach the jurors. Afterwards the chair may add,
remove or move pairs by hand. A juror who drops out (or whose reviews the chair hands to others),
and a pair that becomes conflicted, are handled by removing the pairs and re-solving for them only,
every other pair kept: those changes are :mod:`residency.jury.assignment_changes`, built on this
module's queries and writes.

A removed confirmed pair keeps its row (``removed_at``, ``removed_reason``) so that the reviews
made under it keep what they were made for; a removed preview pair, which nobody could review, is
deleted. Every change takes the round's row lock first, so two chairs acting at once take turns,
and the unique index ``uq_jury_assignments_live`` refuses a live pair twice whatever happens.

Operations take plain arguments, flush, record an audit entry and never commit.
"""

import logging
import secrets
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from residency.applications.models import Application, ApplicationVersion
from residency.audit.operations import record
from residency.core.errors import ActionRefused
from residency.core.types import utcnow
from residency.extensions import db
from residency.jury import assignment as solver
from residency.jury import assignment_random
from residency.jury import conflicts, panels, rounds
from residency.jury.models import Assignment, MemberRole, Preference, Round, RoundPhase

log = logging.getLogger(__name__)


class Source:
    SOLVER = "solver"
    MANUAL = "manual"
    REPLACEMENT = "replacement"


class Removal:
    BY_HAND = "removed"          # the chair removed the pair
    MOVED = "moved"              # the chair moved it to another juror
    DROPPED_OUT = "dropped_out"  # the juror left the panel
    REASSIGNED = "reassigned"    # the chair handed the juror's reviews to others
    CONFLICT = "conflict"        # a conflict of interest was found after assignment
    NOT_COVERED = "not_covered"  # the round no longer covers the application (ineligible, withdrawn)


#: Question types whose answers are tags matched against jurors' expertise.
TAG_QUESTION_TYPES = ("multiple_choice", "single_choice")


# --- Reading -------------------------------------------------------------------------------------

def live_assignments(round_id):
    """A query of the round's live assignments (preview and confirmed)."""
    return select(Assignment).where(Assignment.round_id == round_id, Assignment.removed_at.is_(None))


def assignments_of(member, round_):
    """``member``'s live, confirmed assignments in ``round_`` (what they review), by application id."""
    return db.session.execute(
        live_assignments(round_.id)
        .where(Assignment.member_id == member.id, Assignment.confirmed_at.is_not(None))
        .order_by(Assignment.application_id)
    ).scalars().all()


def live_rows(round_):
    """``[(id, member id, application id, confirmed)]`` of the round's live pairs (preview included)."""
    return [(row.id, row.member_id, row.application_id, row.confirmed_at is not None) for row in db.session.execute(
        select(Assignment.id, Assignment.member_id, Assignment.application_id, Assignment.confirmed_at)
        .where(Assignment.round_id == round_.id, Assignment.removed_at.is_(None))
        .order_by(Assignment.application_id, Assignment.member_id))]


def preview_token(round_):
    """A token naming the preview as it is now (it changes with any new proposal or edit), so that
    a chair confirms the preview they looked at; ``""`` when there is none."""
    count, last = db.session.execute(
        select(db.func.count(Assignment.id), db.func.max(Assignment.id))
        .where(Assignment.round_id == round_.id, Assignment.removed_at.is_(None), Assignment.confirmed_at.is_(None))
    ).one()
    return f"{count}-{last}" if count else ""


def jurors_of(call):
    """The call's active jurors (the chair is not assigned reviews), by id."""
    return panels.active_members(call, MemberRole.JUROR)


def application_tags(call, application_ids):
    """``{application id: tags}``: the choices each application's last submitted version answered
    to the call's choice questions, as values and as their labels in every language."""
    labels = {}
    for question in call.form or []:
        if question.get("type") in TAG_QUESTION_TYPES:
            for choice in question.get("choices") or []:
                labels[(question["id"], choice.get("value"))] = list((choice.get("label") or {}).values())
    tags = {application_id: frozenset() for application_id in application_ids}
    if not labels or not application_ids:
        return tags
    rows = db.session.execute(
        select(ApplicationVersion.application_id, ApplicationVersion.snapshot)
        .join(Application, (Application.id == ApplicationVersion.application_id)
              & (ApplicationVersion.number == Application.current_version))
        .where(Application.id.in_(list(application_ids)))
    )
    for application_id, snapshot in rows:
        found = []
        for answer in (snapshot or {}).get("answers") or []:
            if answer.get("type") not in TAG_QUESTION_TYPES:
                continue
            value = answer.get("value")
            for chosen in value if isinstance(value, list) else [value]:
                if chosen is not None:
                    found += [chosen, *labels.get((answer.get("id"), chosen), [])]
        tags[application_id] = solver.normalise_tags(found)
    return tags


@dataclass
class Context:
    """A round's problem as the solver sees it, and the rows it was built from."""

    round: Round
    problem: solver.Problem
    members: dict       # member id -> PanelMember (active jurors)
    rows: list          # live_rows(round)
    application_ids: list


def build_problem(round_, exclude=(), extra_conflicts=(), only=None, keep_all=False):
    """The solver's problem for ``round_``: its applications (``rounds.round_application_ids``),
    its active jurors (less ``exclude``, member ids), their conflicts (``conflicts.conflicted_pairs``
    plus ``extra_conflicts``), bids, caps and expertise.

    Kept pairs: the live confirmed pairs (``keep_all``: the preview's too) of the round's
    applications and jurors. ``only`` (application ids): re-solve those applications alone, every
    other application asking for nothing more than it has.
    """
    call = round_.call
    application_ids = rounds.round_application_ids(round_)
    members = {m.id: m for m in jurors_of(call) if m.id not in set(exclude)}
    pairs = conflicts.conflicted_pairs(call) | set(extra_conflicts)
    rows = live_rows(round_)
    in_round = set(application_ids)
    kept = frozenset((m, a) for _id, m, a, confirmed in rows
                     if (confirmed or keep_all) and m in members and a in in_round and (m, a) not in pairs)
    bids = {}
    if members and application_ids:
        for member_id, application_id, bid in db.session.execute(
                select(Preference.member_id, Preference.application_id, Preference.bid)
                .where(Preference.member_id.in_(list(members)))):
            if application_id in in_round:
                bids[(member_id, application_id)] = bid
    tags = application_tags(call, application_ids)
    k = round_.reviews_per_application
    covered = {}
    for _member_id, application_id in kept:
        covered[application_id] = covered.get(application_id, 0) + 1
    wanted = set(only) if only is not None else None
    applications = tuple(
        solver.Application(a, k if wanted is None or a in wanted else min(k, covered.get(a, 0)), tags[a])
        for a in application_ids)
    jurors = tuple(solver.Juror(m.id, m.max_load, solver.normalise_tags(m.expertise)) for m in members.values())
    problem = solver.Problem(applications=applications, jurors=jurors,
                             conflicts=frozenset(p for p in pairs if p[0] in members and p[1] in in_round),
                             bids=bids, fixed=kept)
    return Context(round=round_, problem=problem, members=members, rows=rows, application_ids=application_ids)


def summary(round_):
    """What the chair's page shows: the live pairs (preview included) measured against the rules,
    as a :class:`~residency.jury.assignment.Solution` whose ``kept`` are every live pair."""
    context = build_problem(round_, keep_all=True)
    return context, solver.evaluate(context.problem)


# --- Proposing and confirming --------------------------------------------------------------------

def lock_round(round_):
    """Take the round's row lock (two chairs at once take turns) and refuse a closed round.

    Lock order: the call's rounds first, all in id order (:func:`rounds.lock_rounds`), then the
    members (e.g. :func:`conflicts.refresh_automatic_conflicts`), as on every jury path."""
    rounds.lock_rounds(round_.call_id)
    db.session.refresh(round_)
    if round_.phase == RoundPhase.CLOSED:
        raise ActionRefused(_l("This round is closed: its assignment can no longer change."), status=409)


def solve_context(context, seed=None):
    probability = context.round.max_pair_probability
    if probability:
        return assignment_random.solve_randomised(context.problem, probability, seed=seed)
    return solver.solve(context.problem)


def insert_pairs(round_, pairs, source, confirmed_at=None, now=None):
    """Write live pairs; a pair already live is refused (the unique index)."""
    if not pairs:
        return
    now = now or utcnow()
    try:
        with db.session.begin_nested():
            db.session.execute(insert(Assignment), [
                {"round_id": round_.id, "member_id": m, "application_id": a, "source": source, "created_at": now,
                 "confirmed_at": confirmed_at(a) if callable(confirmed_at) else confirmed_at}
                for m, a in pairs])
    except IntegrityError:
        raise ActionRefused(_l("Someone changed this assignment at the same moment: reload the page and try "
                               "again."), status=409) from None


def propose(round_, actor, seed=None, now=None):
    """Solve the round and write the result as the preview, replacing any previous preview.

    The call's automatic conflicts are brought up to date first. Confirmed pairs are kept and
    count towards coverage and loads: after confirmation, proposing again only fills what is
    missing, once the pairs the round can no longer hold are removed (:func:`_drop_stale`). A round with a highest pair probability gets a randomised
    assignment; its seed is in the audit entry (the same seed draws the same assignment).

    :return: the :class:`~residency.jury.assignment.Solution`.
    :raise ActionRefused 409: the round is closed.
    """
    now = now or utcnow()
    lock_round(round_)
    conflicts.refresh_automatic_conflicts(round_.call, actor=actor)
    db.session.execute(delete(Assignment).where(
        Assignment.round_id == round_.id, Assignment.removed_at.is_(None), Assignment.confirmed_at.is_(None)))
    stale = _drop_stale(round_, now)
    context = build_problem(round_)
    if seed is None and round_.max_pair_probability:
        seed = secrets.randbits(32)
    solution = solve_context(context, seed)
    insert_pairs(round_, solution.pairs, Source.SOLVER, now=now)
    db.session.flush()
    record("jury.assignment_proposed", actor=actor, obj=round_, call_id=round_.call_id, pairs=len(solution.pairs),
           kept=len(solution.kept), stale_removed=stale, unmet=solution.unmet_total, load_spread=solution.load_spread,
           randomised=bool(round_.max_pair_probability), seed=seed)
    log.info("round %s: proposed %d pairs (%d kept, %d missing) in %.3f s", round_.id, len(solution.pairs),
             len(solution.kept), solution.unmet_total, solution.solver_seconds)
    return solution


def _drop_stale(round_, now):
    """Remove the confirmed pairs the round can no longer hold: of an application it no longer
    covers (found ineligible, withdrawn), of a juror no longer active, or now in conflict (a change
    the signals did not see). Returns how many; their applications are then solved again."""
    active = {member.id for member in jurors_of(round_.call)}
    covered = set(rounds.round_application_ids(round_))
    conflicted = conflicts.conflicted_pairs(round_.call)
    stale = 0
    for assignment in db.session.execute(live_assignments(round_.id)).scalars():
        pair = (assignment.member_id, assignment.application_id)
        if assignment.application_id not in covered:
            reason = Removal.NOT_COVERED
        elif pair in conflicted:
            reason = Removal.CONFLICT
        elif assignment.member_id not in active:
            reason = Removal.DROPPED_OUT
        else:
            continue
        remove_assignment(assignment, reason, now)
        stale += 1
    db.session.flush()
    return stale


def confirm(round_, actor, token=None, now=None):
    """Confirm the preview: its pairs reach the jurors.

    :param token: the :func:`preview_token` the chair saw; refused when the preview changed since.
    :return: how many pairs were confirmed.
    :raise ActionRefused 409: the round is closed; no preview to confirm (someone confirmed it
        already); the preview changed since the chair saw it.
    """
    now = now or utcnow()
    lock_round(round_)
    current = preview_token(round_)
    if not current:
        raise ActionRefused(_l("There is no proposed assignment to confirm: it may have been confirmed already."),
                            status=409)
    if token is not None and token != current:
        raise ActionRefused(_l("The proposed assignment changed since you loaded the page (another proposal or a "
                               "change by hand): look at it again before confirming."), status=409)
    confirmed = db.session.execute(
        update(Assignment).where(Assignment.round_id == round_.id, Assignment.removed_at.is_(None),
                                 Assignment.confirmed_at.is_(None))
        .values(confirmed_at=now).execution_options(synchronize_session=False)).rowcount
    if round_.assignment_confirmed_at is None:
        round_.assignment_confirmed_at = now
    round_.updated_at = now
    db.session.flush()
    db.session.expire_all()
    record("jury.assignment_confirmed", actor=actor, obj=round_, call_id=round_.call_id, pairs=confirmed)
    return confirmed


def live_pair(round_, member_id, application_id):
    """The live assignment of the pair in the round (preview or confirmed), or None."""
    return db.session.execute(
        live_assignments(round_.id)
        .where(Assignment.member_id == member_id, Assignment.application_id == application_id)
    ).scalar_one_or_none()


def remove_assignment(assignment, reason, now):
    """Remove one live pair: a preview pair is deleted, a confirmed one marked removed."""
    if assignment.confirmed_at is None:
        db.session.delete(assignment)
    else:
        assignment.removed_at = now
        assignment.removed_reason = reason
