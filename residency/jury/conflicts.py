"""Conflicts of interest between a call's panel members and its applications.

A conflicted member never sees, opens, bids on or scores the application. A conflict is a
:class:`~residency.jury.models.Conflict` row, one per (member, application, reason):

- *declared* by the member (``reason="declared"``, their words in ``details``); only they change it;
- *automatic*, computed from the data by :func:`refresh_automatic_conflicts`: the member made the
  application or is one of its co-applicants, shares its organisation's e-mail domain, listed one of
  its people as a collaborator or (if the call asks) lives in its city. The rules:
  :mod:`residency.jury.conflict_rules`; how addresses and names are compared:
  :mod:`residency.jury.conflict_matching`.

The refresh is idempotent: it adds what holds, removes the automatic rows that no longer hold and
never touches declared ones. It runs when a member becomes active, when the settings change, before
an assignment is proposed, when a round enters scoring (:data:`residency.signals.jury_round_moved`,
connected by :func:`connect_signals`), and from the conflict and bid pages.

A pair that becomes conflicted while an assignment of it is live is announced with
:data:`pair_conflicted`; the assignment connects it (``assignment_changes.connect_signals``, at the
jury's ``init_app``) to ``remove_conflicted_pairs``, which removes the pair and reassigns. A signal
rather than an import: the assignment reads the conflicts, so the conflicts may not import it.

The members, their declarations and which applications they are shown: the conflict pages
(:mod:`residency.jury.conflict_views`). Bids: :mod:`residency.jury.bids`.
"""

from blinker import Namespace
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from residency import signals
from residency.applications.listing import listed
from residency.applications.models import Application, ApplicationState
from residency.audit.operations import record
from residency.core.errors import ActionRefused
from residency.core.types import utcnow
from residency.extensions import db
from residency.jury.conflict_rules import automatic_conflicts
from residency.jury.models import (
    Assignment,
    Conflict,
    ConflictReason,
    ConflictSource,
    PanelMember,
    RoundPhase,
)
from residency.jury.rounds import lock_rounds

_signals = Namespace()

#: Sent with the :class:`PanelMember` as sender and ``application_id=…`` when a pair becomes
#: conflicted while a live (not removed) assignment of it exists, before the caller commits.
pair_conflicted = _signals.signal("jury-pair-conflicted")

#: Longest declared reason, in characters.
REASON_MAX_LENGTH = 500


# --- which applications -------------------------------------------------------------------------


def call_applications_query(call):
    """The call's applications that a panel may meet: submitted at least once, not a draft."""
    return select(Application).where(listed(call.id))


#: The states of an application a round may review (as the rounds say; not imported from them, since
#: the rounds' operations call the refresh here).
REVIEWABLE_STATES = (ApplicationState.SUBMITTED, ApplicationState.SHORTLISTED, ApplicationState.SELECTED,
                     ApplicationState.WAITLISTED)


def candidate_applications(call):
    """The applications of ``call`` a panel member may be asked to review, in submission order:
    submitted (in a reviewable state), not found ineligible (those not checked yet included, so
    that conflicts can be declared before the coordinators have checked eligibility)."""
    query = (call_applications_query(call)
             .where(Application.state.in_(REVIEWABLE_STATES), Application.eligible.isnot(False))
             .order_by(Application.submitted_at, Application.id))
    return db.session.execute(query).scalars().all()


# --- reading conflicts ---------------------------------------------------------------------------


def conflicted_application_ids(member):
    """Ids of the applications ``member`` is in conflict with (declared or automatic)."""
    if member is None:
        return set()
    return set(db.session.execute(
        select(Conflict.application_id).where(Conflict.member_id == member.id).distinct()
    ).scalars())


def is_conflicted(member, application_id):
    """Whether ``member`` is in conflict with application ``application_id`` (declared or automatic)."""
    if member is None or application_id is None:
        return False
    return db.session.execute(
        select(Conflict.id).where(Conflict.member_id == member.id, Conflict.application_id == application_id).limit(1)
    ).first() is not None


def conflicted_pairs(call):
    """``{(member id, application id)}`` of every conflict of the call (for the assignment)."""
    return set(db.session.execute(
        select(Conflict.member_id, Conflict.application_id).where(Conflict.call_id == call.id).distinct()
    ).tuples().all())


def declared_conflicts(member):
    """``{application id: the member's reason}`` of the conflicts ``member`` declared."""
    return dict(db.session.execute(
        select(Conflict.application_id, Conflict.details)
        .where(Conflict.member_id == member.id, Conflict.source == ConflictSource.DECLARED)
    ).tuples().all())


def call_conflicts(call):
    """Every conflict of the call with its member (and the member's user), by member then application."""
    return db.session.execute(
        select(Conflict).where(Conflict.call_id == call.id)
        .options(joinedload(Conflict.member).joinedload(PanelMember.user))
        .order_by(Conflict.member_id, Conflict.application_id, Conflict.reason)
    ).scalars().all()


REASON_TEXTS = {
    ConflictReason.SAME_PERSON: _l("Same person: the member made this application"),
    ConflictReason.CO_APPLICANT: _l("Co-applicant"),
    ConflictReason.EMAIL_DOMAIN: _l("Same e-mail domain (%(details)s)"),
    ConflictReason.COLLABORATOR: _l("Listed collaborator (%(details)s)"),
    ConflictReason.SAME_CITY: _l("Same city (%(details)s)"),
    ConflictReason.DECLARED: _l("Declared: %(details)s"),
}


#: The reasons without their details, which name the applicant's organisation (its e-mail domain),
#: the applicant (as the member listed them, or in the words of their declaration) or their city:
#: what a blind page says.
BLIND_REASON_TEXTS = {
    ConflictReason.DECLARED: _l("Declared by the juror"),
    ConflictReason.EMAIL_DOMAIN: _l("Same e-mail domain"),
    ConflictReason.COLLABORATOR: _l("Listed collaborator"),
    ConflictReason.SAME_CITY: _l("Same city"),
}


def reason_text(conflict, blind=False):
    """Why ``conflict`` exists, in words in the current language; ``blind``: without the details
    that would tell who applied (:data:`BLIND_REASON_TEXTS`)."""
    if blind and conflict.reason in BLIND_REASON_TEXTS:
        return str(BLIND_REASON_TEXTS[conflict.reason])
    template = REASON_TEXTS.get(conflict.reason)
    if template is None:
        return conflict.reason
    text = str(template)
    return text % {"details": conflict.details} if "%(details)s" in text else text


# --- automatic conflicts -------------------------------------------------------------------------


def refresh_automatic_conflicts(call, members=None, actor=None):
    """Make the call's automatic conflicts (of ``members``, default every member of the call) what
    the data says now: add those that hold, remove those that no longer do, leave declared ones.

    Idempotent; flushes, never commits. The members' rows are locked while it runs, so two
    refreshes of one member wait for each other instead of adding a row twice. A pair newly in
    conflict while an assignment of it is live is announced with :data:`pair_conflicted`.

    :return: ``(added, removed)``: how many automatic conflict rows were added and removed.
    """
    # Lock order: the call's rounds (a new conflict may re-solve their assignments), then the
    # members in id order: the order of every jury path (rounds.lock_rounds).
    lock_rounds(call.id)
    query = (select(PanelMember).where(PanelMember.call_id == call.id)
             .options(joinedload(PanelMember.user)).order_by(PanelMember.id).with_for_update(of=PanelMember))
    if members is not None:
        ids = sorted({member.id for member in members})
        if not ids:
            return 0, 0
        query = query.where(PanelMember.id.in_(ids))
    locked = db.session.execute(query).unique().scalars().all()
    if not locked:
        return 0, 0
    member_ids = [member.id for member in locked]
    wanted = automatic_conflicts(call, locked)
    existing = db.session.execute(
        select(Conflict).where(Conflict.call_id == call.id, Conflict.member_id.in_(member_ids))
    ).scalars().all()
    before = {(conflict.member_id, conflict.application_id) for conflict in existing}
    have = {}
    removed = 0
    for conflict in existing:
        if conflict.source != ConflictSource.AUTOMATIC:
            continue
        key = (conflict.member_id, conflict.application_id, conflict.reason)
        if key not in wanted or key in have:
            db.session.delete(conflict)
            removed += 1
            continue
        have[key] = conflict
        if conflict.details != wanted[key]:
            conflict.details = wanted[key]
    added = 0
    for (member_id, application_id, reason), details in wanted.items():
        if (member_id, application_id, reason) in have:
            continue
        db.session.add(Conflict(call_id=call.id, member_id=member_id, application_id=application_id,
                                source=ConflictSource.AUTOMATIC, reason=reason, details=details))
        added += 1
    db.session.flush()
    if added or removed:
        record("jury.conflicts_refreshed", actor, call, added=added, removed=removed,
               members=len(member_ids))
    by_id = {member.id: member for member in locked}
    new_pairs = {(member_id, application_id) for member_id, application_id, _reason in wanted} - before
    _announce(new_pairs, by_id)
    return added, removed


def _announce(pairs, members_by_id):
    """Send :data:`pair_conflicted` for each pair of ``pairs`` that has a live assignment."""
    if not pairs:
        return
    member_ids = {member_id for member_id, _application_id in pairs}
    live = set(db.session.execute(
        select(Assignment.member_id, Assignment.application_id)
        .where(Assignment.member_id.in_(member_ids), Assignment.removed_at.is_(None))
    ).tuples().all())
    for member_id, application_id in sorted(pairs & live):
        pair_conflicted.send(members_by_id[member_id], application_id=application_id)


# --- declared conflicts --------------------------------------------------------------------------


#: The refusal for an application a conflict or bid page does not list, whatever the reason (not
#: one of the call's, or one the member is in conflict with): it never says which, nor its id.
NOT_LISTED = _l("An application not listed on this page: nothing was saved.")


class InvalidDeclarations(ActionRefused):
    """Declarations that cannot be saved; ``errors`` maps each application id to its message."""

    def __init__(self, errors, message=None):
        super().__init__(message or _l("Some declarations need your attention."), status=400)
        self.errors = errors


def declare_conflicts(member, declarations, actor, now=None):
    """Save ``member``'s declarations about the applications they were shown.

    :param declarations: ``{application id: (declared, reason)}``: ``declared`` true with the
        member's reason declares (or rewords) a conflict; false withdraws one they declared. An
        application left out is not touched.
    :raise InvalidDeclarations: an application that is not one of the call's candidates, a
        conflict without a reason, a reason without a conflict, a reason too long. Nothing is saved.
    :return: ``(declared, withdrawn)`` application ids.

    A conflict declared while an assignment of the pair is live removes the pair (see
    :data:`pair_conflicted`). Declaring a conflict clears an earlier "no conflict at all".
    """
    now = now or utcnow()
    # Lock order: the call's rounds (a declared pair's assignment is re-solved), then the member
    # (its conflict rows point at it): the order of every jury path (rounds.lock_rounds).
    lock_rounds(member.call_id)
    db.session.execute(select(PanelMember.id).where(PanelMember.id == member.id).with_for_update())
    # What the page lists: the call's candidates less those set aside automatically. Any other id
    # gets one answer, so that a hand-edited form tells nothing of an automatic conflict.
    automatic = set(db.session.execute(select(Conflict.application_id).where(
        Conflict.member_id == member.id, Conflict.source == ConflictSource.AUTOMATIC)).scalars())
    candidates = {application.id for application in candidate_applications(member.call)} - automatic
    errors = {}
    for application_id, (declared, reason) in declarations.items():
        reason = (reason or "").strip()
        if application_id not in candidates:
            errors[application_id] = NOT_LISTED
        elif declared and not reason:
            errors[application_id] = _l("Say in a few words why you are in conflict with this application.")
        elif not declared and reason:
            errors[application_id] = _l("Tick the box to declare the conflict, or clear the reason.")
        elif len(reason) > REASON_MAX_LENGTH:
            errors[application_id] = _l("Keep the reason under %(max)d characters.", max=REASON_MAX_LENGTH)
    if errors:
        raise InvalidDeclarations(errors)
    current = {conflict.application_id: conflict for conflict in db.session.execute(
        select(Conflict).where(Conflict.member_id == member.id, Conflict.source == ConflictSource.DECLARED)
    ).scalars()}
    already = conflicted_application_ids(member)
    declared, withdrawn = [], []
    for application_id, (wanted, reason) in sorted(declarations.items()):
        reason = (reason or "").strip()
        conflict = current.get(application_id)
        if wanted and conflict is None:
            db.session.add(Conflict(call_id=member.call_id, member_id=member.id, application_id=application_id,
                                    source=ConflictSource.DECLARED, reason=ConflictReason.DECLARED, details=reason,
                                    created_at=now))
            declared.append(application_id)
        elif wanted and conflict.details != reason:
            conflict.details = reason
            declared.append(application_id)
        elif not wanted and conflict is not None:
            db.session.delete(conflict)
            withdrawn.append(application_id)
    if not declared and not withdrawn:
        return declared, withdrawn
    if declared:
        member.declared_no_conflicts_at = None
    db.session.flush()
    record("jury.conflicts_declared", actor, member, call_id=member.call_id, declared=declared, withdrawn=withdrawn)
    _announce({(member.id, application_id) for application_id in declared if application_id not in already},
              {member.id: member})
    return declared, withdrawn


def declare_no_conflicts(member, actor, now=None):
    """Record that ``member`` has no conflict with any application of the call they were shown.

    :raise ActionRefused: the member declared conflicts (withdraw them first).
    """
    has_declared = db.session.execute(
        select(Conflict.id).where(Conflict.member_id == member.id, Conflict.source == ConflictSource.DECLARED).limit(1)
    ).first() is not None
    if has_declared:
        raise ActionRefused(_l("You have declared conflicts: withdraw them before declaring that you have none."))
    member.declared_no_conflicts_at = now or utcnow()
    db.session.flush()
    record("jury.no_conflicts_declared", actor, member, call_id=member.call_id)
    return member


# --- reacting to the rounds ----------------------------------------------------------------------


def _on_round_moved(_sender, round=None, actor=None, **_extra):
    """A round that entered scoring: its jurors start opening applications, so the automatic
    conflicts are made what the data says now (a pair newly conflicted is removed and replaced)."""
    if round is not None and round.phase == RoundPhase.SCORING:
        refresh_automatic_conflicts(round.call, actor=actor)


def connect_signals():
    """Refresh the automatic conflicts when a round enters scoring. Idempotent (called by the
    jury's ``init_app``)."""
    signals.jury_round_moved.connect(_on_round_moved)
