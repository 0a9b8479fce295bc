"""A call's rounds of review (e.g. shortlist, then final): their dates, the applications they
cover, their rules, and their phase.

A round moves set-up → scoring → closed, only through :func:`residency.jury.round_moves.move_round`.
While a round is being set up, the applications it covers are computed from its coverage each time
they are asked for (:func:`round_applications`), so the assignment can be prepared; when it enters
scoring that set is frozen into ``jury_round_applications`` and no longer follows later
eligibility decisions.

Times are entered as wall-clock times in the call's timezone and stored as aware UTC instants
(:func:`residency.calls.operations.local_to_utc`, which refuses the hour the clocks skip and
takes the first of an hour that happens twice).

Operations take plain arguments, flush, record an audit entry and never commit.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from residency.applications.listing import listed
from residency.applications.models import Application, ApplicationState
from residency.audit.operations import record
from residency.calls.models import Call
from residency.calls.operations import local_to_utc
from residency.core.errors import ActionRefused
from residency.core.types import utcnow
from residency.extensions import db
from residency.jury.models import Round, RoundApplication, RoundCoverage, RoundPhase, ScoresVisibility

#: The states of an application a round may cover: submitted and not withdrawn nor declined.
REVIEWABLE_STATES = (ApplicationState.SUBMITTED, ApplicationState.SHORTLISTED, ApplicationState.SELECTED,
                     ApplicationState.WAITLISTED)


PHASE_LABELS = {
    RoundPhase.SETUP: _l("Being set up"),
    RoundPhase.SCORING: _l("Scoring"),
    RoundPhase.CLOSED: _l("Closed"),
}

COVERAGE_LABELS = {
    RoundCoverage.ELIGIBLE: _l("Every eligible submitted application"),
    RoundCoverage.ADVANCED: _l("The applications the previous round advanced"),
}

VISIBILITY_LABELS = {
    ScoresVisibility.NEVER: _l("Never: each juror sees only their own scores"),
    ScoresVisibility.AFTER_OWN: _l("Once the juror has scored the application"),
    ScoresVisibility.ALWAYS: _l("Always"),
}

NAME_MAX_LENGTH = 120
MAX_REVIEWS_PER_APPLICATION = 20


class InvalidRound(ActionRefused):
    """Several problems found at once, each for its form field (or None); ``message`` is the first."""

    def __init__(self, problems, status=400):
        field, message = problems[0]
        super().__init__(message, field=field, status=status)
        self.problems = problems


# --- Reading -------------------------------------------------------------------------------------

def rounds_of(call):
    """The call's rounds, by number."""
    return db.session.execute(select(Round).where(Round.call_id == call.id).order_by(Round.number)).scalars().all()


def get_round(call, round_id):
    """The call's round ``round_id``, or None (another call's round is None too)."""
    round_ = db.session.get(Round, round_id)
    return round_ if round_ is not None and round_.call_id == call.id else None


def previous_round(round_):
    """The round numbered just before ``round_`` in its call, or None for the first."""
    return db.session.execute(
        select(Round).where(Round.call_id == round_.call_id, Round.number < round_.number)
        .order_by(Round.number.desc()).limit(1)
    ).scalar_one_or_none()


def current_round(call):
    """The round the call's jury is in: the one in scoring; else the first one being set up
    (the next to score); else the last closed one; None when the call has no round."""
    rounds = rounds_of(call)
    for phase, pick in ((RoundPhase.SCORING, 0), (RoundPhase.SETUP, 0), (RoundPhase.CLOSED, -1)):
        matching = [r for r in rounds if r.phase == phase]
        if matching:
            return matching[pick]
    return None


def covered_application_ids(round_):
    """The ids of the applications ``round_``'s coverage selects *now*, in submission order: the
    call's eligible submitted applications (``Application.eligible`` is True, a reviewable state),
    or those the previous round advanced (still reviewable). What entering scoring freezes."""
    if round_.coverage == RoundCoverage.ADVANCED:
        previous = previous_round(round_)
        if previous is None:
            return []
        query = (select(Application.id)
                 .join(RoundApplication, RoundApplication.application_id == Application.id)
                 .where(RoundApplication.round_id == previous.id, RoundApplication.advanced.is_(True)))
    else:
        query = select(Application.id).where(listed(round_.call_id), Application.eligible.is_(True))
    query = query.where(Application.state.in_(REVIEWABLE_STATES)).order_by(Application.submitted_at, Application.id)
    return list(db.session.execute(query).scalars())


def round_application_ids(round_):
    """The ids of the applications ``round_`` covers, in submission order.

    Being set up: what its coverage selects now (:func:`covered_application_ids`). In scoring or
    closed: the set frozen when scoring started, less the applications their artists withdrew.
    """
    if round_.phase == RoundPhase.SETUP:
        return covered_application_ids(round_)
    query = (select(Application.id)
             .join(RoundApplication, RoundApplication.application_id == Application.id)
             .where(RoundApplication.round_id == round_.id, Application.state != ApplicationState.WITHDRAWN)
             .order_by(Application.submitted_at, Application.id))
    return list(db.session.execute(query).scalars())


def round_applications(round_):
    """The applications ``round_`` covers (see :func:`round_application_ids`), in submission order."""
    ids = round_application_ids(round_)
    if not ids:
        return []
    found = {a.id: a for a in db.session.execute(select(Application).where(Application.id.in_(ids))).scalars()}
    return [found[i] for i in ids if i in found]


def advanced_ids(round_):
    """The ids of the applications ``round_`` sends to the next round."""
    return set(db.session.execute(
        select(RoundApplication.application_id).where(RoundApplication.round_id == round_.id,
                                                      RoundApplication.advanced.is_(True))
    ).scalars())


# --- Creating and editing ------------------------------------------------------------------------

def _to_utc(call, local, field, problems, notes):
    """The UTC instant of a wall-clock time in the call's zone (None stays None)."""
    if local is None:
        return None
    try:
        instant, note = local_to_utc(local, call.timezone or "UTC", field)
    except ActionRefused as refusal:
        problems.append((field, refusal.message))
        return None
    if note is not None:
        notes.append(note)
    return instant


def _clean_settings(call, fields, problems, notes, now, number):
    """Check and convert a round's form values; append ``(field, message)`` problems."""
    name = " ".join(str(fields.get("name") or "").split())
    if not name:
        problems.append(("name", _l("Give the round a name, for example “Shortlist”.")))
    elif len(name) > NAME_MAX_LENGTH:
        problems.append(("name", _l("Keep the name under %(max)d characters.", max=NAME_MAX_LENGTH)))
    opens = _to_utc(call, fields.get("scoring_opens_at"), "scoring_opens_at", problems, notes)
    closes = _to_utc(call, fields.get("scoring_closes_at"), "scoring_closes_at", problems, notes)
    if opens and closes and closes <= opens:
        problems.append(("scoring_closes_at", _l("Scoring must close after it opens.")))
    coverage = fields.get("coverage") or RoundCoverage.ELIGIBLE
    if coverage not in COVERAGE_LABELS:
        problems.append(("coverage", _l("Choose which applications the round covers.")))
    elif coverage == RoundCoverage.ADVANCED and number == 1:
        problems.append(("coverage", _l("The first round has no previous round: it covers every eligible "
                                        "submitted application.")))
    k = fields.get("reviews_per_application")
    if not isinstance(k, int) or not 1 <= k <= MAX_REVIEWS_PER_APPLICATION:
        problems.append(("reviews_per_application", _l("Enter a whole number of reviews from 1 to %(max)d.",
                                                       max=MAX_REVIEWS_PER_APPLICATION)))
    others = fields.get("others_scores") or ScoresVisibility.AFTER_OWN
    if others not in VISIBILITY_LABELS:
        problems.append(("others_scores", _l("Choose when jurors see each other's scores.")))
    probability = fields.get("max_pair_probability")
    if probability is not None and not 0 < probability <= 1:
        problems.append(("max_pair_probability", _l("Enter a probability above 0 and at most 1, for example 0.5, "
                                                     "or leave it empty.")))
    return {"name": name, "scoring_opens_at": opens, "scoring_closes_at": closes, "coverage": coverage,
            "reviews_per_application": k, "blind": bool(fields.get("blind")), "others_scores": others,
            "max_pair_probability": probability}


def create_round(actor, call, fields, now=None):
    """Add a round, numbered after the call's last one, in set-up.

    ``fields``: ``name``, ``scoring_opens_at`` and ``scoring_closes_at`` (naive wall-clock times in
    the call's timezone, or None), ``coverage``, ``reviews_per_application`` (k), ``blind``,
    ``others_scores``, ``max_pair_probability`` (or None).

    :return: ``(round, notes)``; notes say when a time happened twice and which one was taken.
    :raise InvalidRound: each problem with its field (a missing name, a time the clocks skip,
        closing before opening or in the past, k out of range, "advanced" for the first round…).
    """
    now = now or utcnow()
    # Two coordinators adding a round at once must not both take the next number.
    db.session.execute(select(Call.id).where(Call.id == call.id).with_for_update())
    number = (db.session.scalar(select(func.max(Round.number)).where(Round.call_id == call.id)) or 0) + 1
    problems, notes = [], []
    values = _clean_settings(call, fields, problems, notes, now, number)
    if values["scoring_closes_at"] is not None and values["scoring_closes_at"] <= now:
        problems.append(("scoring_closes_at", _l("This time has already passed.")))
    if problems:
        raise InvalidRound(problems)
    round_ = Round(call_id=call.id, number=number, phase=RoundPhase.SETUP, created_at=now, updated_at=now, **values)
    db.session.add(round_)
    db.session.flush()
    record("jury.round_created", actor=actor, obj=round_, call_id=call.id, number=number)
    return round_, notes


#: What may still change in each phase (set-up: everything, with the exceptions below).
EDITABLE_IN = {
    RoundPhase.SCORING: {"name", "scoring_closes_at"},
    RoundPhase.CLOSED: {"name"},
}
#: What the confirmed assignment was made for: fixed once it is confirmed.
ASSIGNMENT_FIELDS = ("coverage", "reviews_per_application", "max_pair_probability")

FIELD_LABELS = {
    "name": _l("Name"), "scoring_opens_at": _l("Scoring opens"), "scoring_closes_at": _l("Scoring closes"),
    "coverage": _l("Applications covered"), "reviews_per_application": _l("Reviews per application (k)"),
    "blind": _l("Blind review"), "others_scores": _l("Jurors see each other's scores"),
    "max_pair_probability": _l("Highest probability of a juror–application pair"),
}


def locked_fields(round_):
    """The settings of ``round_`` that can no longer change (see :func:`update_round`)."""
    allowed = EDITABLE_IN.get(round_.phase)
    if allowed is not None:
        return set(FIELD_LABELS) - allowed
    return set(ASSIGNMENT_FIELDS) if round_.assignment_confirmed_at is not None else set()


def update_round(actor, round_, fields, now=None):
    """Change a round's settings (same ``fields`` as :func:`create_round`).

    Being set up, everything may change, except what a confirmed assignment was made for (the
    coverage, k and the pair probability). In scoring, only the name and the closing time (not
    into the past); once closed, only the name.

    :return: ``(round, notes)``.
    :raise InvalidRound: bad values, or a change the phase does not allow (409).
    """
    now = now or utcnow()
    problems, notes = [], []
    values = _clean_settings(round_.call, fields, problems, notes, now, round_.number)
    if problems:
        raise InvalidRound(problems)
    for name in ("scoring_opens_at", "scoring_closes_at"):  # an unchanged minute keeps the stored instant
        current = getattr(round_, name)
        if current is not None and values[name] is not None and current.replace(second=0, microsecond=0) == values[name]:
            values[name] = current
    changed = {name for name, value in values.items() if getattr(round_, name) != value}
    locked = changed & locked_fields(round_)
    if locked:
        if round_.phase == RoundPhase.SETUP:
            message = _l("The assignment of this round is confirmed: the applications covered, k and the pair "
                         "probability can no longer change.")
        else:
            message = _l("This round is “%(phase)s”: this can no longer change.", phase=PHASE_LABELS[round_.phase])
        raise InvalidRound([(name, message) for name in sorted(locked, key=list(values).index)], status=409)
    if "scoring_closes_at" in changed and values["scoring_closes_at"] is not None and values["scoring_closes_at"] <= now:
        raise InvalidRound([("scoring_closes_at", _l("This time has already passed."))])
    if round_.phase == RoundPhase.SCORING and values["scoring_closes_at"] is None:
        raise InvalidRound([("scoring_closes_at", _l("A round in scoring needs its closing time."))])
    for name in changed:
        setattr(round_, name, values[name])
    if changed:
        round_.updated_at = now
        db.session.flush()
        record("jury.round_updated", actor=actor, obj=round_, call_id=round_.call_id, changed=sorted(changed))
    return round_, notes


# --- Locking -------------------------------------------------------------------------------------

def lock_rounds(call_id):
    """Lock every round of the call (``FOR UPDATE``), in id order.

    The jury's lock order, the same on every path so that two actions at once wait for each other
    instead of deadlocking: first the call's rounds, all of them, in id order (this function),
    then panel members, in id order. Whoever needs a round's or a member's row lock calls this
    first (proposing, confirming and changing an assignment, refreshing the automatic conflicts,
    declaring a conflict, saving bids, moving a round, a member leaving); taking it again in the
    same transaction costs nothing."""
    db.session.execute(select(Round.id).where(Round.call_id == call_id).order_by(Round.id).with_for_update())

