"""Scoring: a juror's score sheet for an application assigned to them in a round.

A sheet gives every criterion of the call's rubric a score on that criterion's scale, or abstains
with a reason. Scales are **whole numbers** from ``scale_min`` to ``scale_max`` inclusive: the
call editor defines integer bounds and no step, so 3 and 3.0 are accepted, 3.5 is not.

Sheets are never changed: saving a changed sheet inserts a new :class:`Review` (with its
:class:`Score` rows and comments) whose ``supersedes_id`` names the sheet it replaces; the current
sheet of an assignment is the one nobody supersedes. Saving an unchanged sheet inserts nothing.

Two tabs of one juror saving at the same moment: :func:`submit_review` locks the assignment row
(``SELECT … FOR UPDATE``) and compares the sheet the form was loaded with to the current one, so
the later save sees the earlier one and is refused (:class:`SheetChanged`, with the newer sheet)
instead of overwriting it unseen or adding a second current sheet. The unique ``supersedes_id``
is the database's last guard.

Every new sheet (a first one, or a change) is appended to the call's hash chain in the same
transaction (:mod:`.ledger`).

Operations take plain arguments, flush, record an audit entry and never commit.
"""

import math
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from residency.audit.operations import record
from residency.core.errors import ActionRefused
from residency.core.types import utcnow
from residency.extensions import db
from residency.jury import ledger
from residency.jury.models import (
    Assignment,
    Comment,
    CommentVisibility,
    MemberStatus,
    Review,
    Round,
    RoundPhase,
    Score,
)

COMMENT_MAX_LENGTH = 5000
REASON_MAX_LENGTH = 2000
VISIBILITIES = (CommentVisibility.PRIVATE, CommentVisibility.PANEL, CommentVisibility.APPLICANT)

NOT_FOUND = _l("We could not find this page.")
SCORES_REFUSED = _l("Some scores cannot be saved: correct them below.")
NOT_OPEN = _l("Scoring of this round has not started yet.")
CLOSED = _l("Scoring of this round is closed: scores can no longer be saved or changed.")
NO_REASON = _l("Say why you abstain.")
BOTH = _l("Either score every criterion or abstain, not both.")
CHANGED = _l("Your scores for this application were saved from another window after you opened this page. "
              "Nothing was saved: the saved scores are shown below. Check them, then save again if you "
              "want to replace them.")


class ScoresRefused(ActionRefused):
    """Scores that cannot be saved: ``errors`` maps criterion ids (or ``"abstain_reason"``,
    ``"comments"``) to messages."""

    def __init__(self, errors, message=None):
        super().__init__(message or SCORES_REFUSED, status=400)
        self.errors = errors


class SheetChanged(ActionRefused):
    """Another save made a newer sheet current after the form was loaded; ``current`` is it."""

    def __init__(self, current):
        super().__init__(CHANGED, status=409)
        self.current = current


# Reading ----------------------------------------------------------------------------------------

def scoring_state(round_, now=None):
    """``"open"``, ``"not_open"`` (set-up, or before ``scoring_opens_at``) or ``"closed"`` (the
    phase is closed, or ``scoring_closes_at`` has passed)."""
    now = now or utcnow()
    if round_.phase == RoundPhase.CLOSED or (round_.scoring_closes_at is not None and now >= round_.scoring_closes_at):
        return "closed"
    if round_.phase != RoundPhase.SCORING or (round_.scoring_opens_at is not None and now < round_.scoring_opens_at):
        return "not_open"
    return "open"


def live_assignments(member_id, round_id):
    """A select of the member's live, confirmed assignments in the round (what they must score)."""
    return select(Assignment).where(
        Assignment.member_id == member_id, Assignment.round_id == round_id,
        Assignment.removed_at.is_(None), Assignment.confirmed_at.is_not(None))


def live_assignment(member, round_id, application_id):
    """The member's live, confirmed assignment to ``application_id`` in the round, or None."""
    return db.session.execute(
        live_assignments(member.id, round_id).where(Assignment.application_id == application_id)
    ).scalars().first()


def _current_sheets():
    """A select of the current sheets (superseded by none)."""
    successor = aliased(Review)
    return select(Review).where(~exists().where(successor.supersedes_id == Review.id))


def current_review(assignment_id):
    """The assignment's current sheet, or None when nothing was saved."""
    return db.session.execute(
        _current_sheets().where(Review.assignment_id == assignment_id).order_by(Review.id.desc()).limit(1)
    ).scalars().first()


def current_reviews(round_id, application_id=None, member_id=None):
    """The current sheets of live assignments of the round (of one application, of one member)."""
    query = _current_sheets().join(Assignment, Assignment.id == Review.assignment_id).where(
        Review.round_id == round_id, Assignment.removed_at.is_(None))
    if application_id is not None:
        query = query.where(Review.application_id == application_id)
    if member_id is not None:
        query = query.where(Review.member_id == member_id)
    return db.session.execute(query.order_by(Review.member_id)).scalars().all()


def sheet_comments(review):
    """``{visibility: text}`` of the comments saved with ``review`` (none: ``{}``)."""
    if review is None:
        return {}
    rows = db.session.execute(
        select(Comment).where(Comment.review_id == review.id).order_by(Comment.id)).scalars()
    found = {}
    for comment in rows:
        found[comment.visibility] = (found[comment.visibility] + "\n\n" + comment.body) if comment.visibility in found \
            else comment.body
    return found


def is_conflicted(member, application_id):
    """Whether the member has a conflict of interest with the application (declared or automatic)."""
    from residency.jury.conflicts import (
        is_conflicted as conflicted,  # the conflicts area's rule
    )

    return conflicted(member, application_id)


def conflicted_ids(member):
    from residency.jury.conflicts import conflicted_application_ids

    return conflicted_application_ids(member)


@dataclass
class Progress:
    """A juror's work in a round: assigned, scored (current sheet with scores), abstained."""

    assigned: int = 0
    scored: int = 0
    abstained: int = 0
    unscored_ids: list = field(default_factory=list)

    @property
    def missing(self):
        return self.assigned - self.scored - self.abstained


def member_progress(member, round_id, conflicted=None):
    """The member's :class:`Progress` in the round. Applications they are conflicted with are left
    out (they can neither open nor score them, and the conflict removes the assignment)."""
    conflicted = conflicted_ids(member) if conflicted is None else conflicted
    assignments = db.session.execute(live_assignments(member.id, round_id)).scalars().all()
    assignments = [a for a in assignments if a.application_id not in conflicted]
    sheets = {review.assignment_id: review for review in current_reviews(round_id, member_id=member.id)}
    progress = Progress(assigned=len(assignments))
    for assignment in assignments:
        sheet = sheets.get(assignment.id)
        if sheet is None:
            progress.unscored_ids.append(assignment.application_id)
        elif sheet.abstained:
            progress.abstained += 1
        else:
            progress.scored += 1
    return progress


def sheet_counts(round_id):
    """``{(member id, application id): "scored" | "abstained"}`` of the round's live assignments."""
    return {(review.member_id, review.application_id): "abstained" if review.abstained else "scored"
            for review in current_reviews(round_id)}


# Checking --------------------------------------------------------------------------------------

def _number(raw):
    """``raw`` as a finite float, or None (booleans, text that is not a number, NaN, infinities)."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, str):
        raw = raw.strip()
        if raw.count(",") == 1 and "." not in raw:  # a decimal comma, as many languages write it
            raw = raw.replace(",", ".")
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def criterion_name(criterion, locale, main_language):
    from residency.calls.operations import localized

    return localized(criterion.get("name"), locale, main_language)[0] or criterion.get("id", "")


def check_scores(rubric, values, locale=None, main_language="en"):
    """``{criterion id: whole number}`` for every criterion of ``rubric``, from ``values``.

    :raise ScoresRefused: a criterion without a score, a score that is not a whole number or is
        outside the criterion's scale, a score for a criterion the rubric does not have.
    """
    values = dict(values or {})
    errors, scores = {}, {}
    known = {criterion.get("id") for criterion in rubric}
    for unknown in sorted(str(key) for key in values if key not in known):
        errors[unknown] = _l("“%(id)s” is not a criterion of this call's rubric.", id=unknown)
    for criterion in rubric:
        cid, name = criterion.get("id"), criterion_name(criterion, locale, main_language)
        low, high = criterion.get("scale_min", 0), criterion.get("scale_max", 10)
        raw = values.get(cid)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            errors[cid] = _l("Give a score for “%(name)s”.", name=name)
            continue
        value = _number(raw)
        if value is None or not value.is_integer():
            errors[cid] = _l("Give “%(name)s” a whole number from %(low)d to %(high)d.", name=name, low=low, high=high)
        elif not low <= value <= high:
            errors[cid] = _l("“%(name)s” is scored from %(low)d to %(high)d.", name=name, low=low, high=high)
        else:
            scores[cid] = float(value)
    if not rubric:
        errors["rubric"] = _l("This call has no scoring criteria yet: ask its coordinators.")
    if errors:
        raise ScoresRefused(errors)
    return scores


def check_comments(comments):
    """``[(visibility, text)]`` stripped, empty ones left out. :raise ScoresRefused: an unknown
    visibility or a text longer than ``COMMENT_MAX_LENGTH``."""
    kept = []
    for visibility, text in comments or ():
        text = (text or "").strip()
        if not text:
            continue
        if visibility not in VISIBILITIES:
            raise ScoresRefused({"comments": _l("Unknown comment visibility.")})
        if len(text) > COMMENT_MAX_LENGTH:
            raise ScoresRefused({f"comment_{visibility}": _l("A comment has at most %(n)d characters.",
                                                              n=COMMENT_MAX_LENGTH)})
        kept.append((visibility, text))
    return kept


# Saving ----------------------------------------------------------------------------------------

def submit_review(member, assignment, values, abstain_reason=None, comments=(), now=None,
                  loaded_review_id=None, locale=None):
    """Save the member's sheet for ``assignment``: scores for every criterion, or an abstention.

    :param values: ``{criterion id: number}`` (numbers or their text); empty when abstaining.
    :param abstain_reason: None to score; the reason (required) to abstain.
    :param comments: ``[(visibility, text)]``, visibility private, panel or applicant.
    :param loaded_review_id: the id of the sheet the form was loaded with (None: it showed none).
    :return: the new current :class:`Review`, or the current one unchanged when nothing changed.
    :raise ActionRefused 404: the assignment is not the member's, is removed or not confirmed, the
        member is not active or has a conflict with the application (as if it did not exist).
    :raise ActionRefused 403: scoring of the round is not open, or closed.
    :raise ScoresRefused 400: a missing, unknown or out-of-scale score, no reason to abstain.
    :raise SheetChanged 409: another sheet became current since the form was loaded.
    """
    now = now or utcnow()
    # The lock orders two saves of one assignment: the second waits, then sees the first's sheet.
    locked = db.session.execute(
        select(Assignment).where(Assignment.id == assignment.id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if (locked is None or locked.member_id != member.id or locked.removed_at is not None
            or locked.confirmed_at is None or member.status != MemberStatus.ACTIVE
            or is_conflicted(member, locked.application_id)):
        raise ActionRefused(NOT_FOUND, status=404)
    round_ = db.session.get(Round, locked.round_id)
    state = scoring_state(round_, now)
    if state != "open":
        raise ActionRefused(CLOSED if state == "closed" else NOT_OPEN, status=403)

    call = round_.call
    abstaining = abstain_reason is not None
    if abstaining:
        if any(value not in (None, "") for value in (values or {}).values()):
            raise ScoresRefused({"abstain_reason": BOTH})
        abstain_reason = abstain_reason.strip()
        if not abstain_reason:
            raise ScoresRefused({"abstain_reason": NO_REASON})
        if len(abstain_reason) > REASON_MAX_LENGTH:
            raise ScoresRefused({"abstain_reason": _l("A reason has at most %(n)d characters.", n=REASON_MAX_LENGTH)})
        scores = {}
    else:
        scores = check_scores(call.rubric or [], values, locale, call.main_language)
    kept_comments = check_comments(comments)

    current = current_review(locked.id)
    if (current.id if current is not None else None) != loaded_review_id:
        raise SheetChanged(current)
    if current is not None and _same_sheet(current, abstaining, abstain_reason or "", scores, kept_comments):
        return current

    review = Review(assignment_id=locked.id, round_id=locked.round_id, member_id=member.id,
                    application_id=locked.application_id, abstained=abstaining, abstain_reason=abstain_reason or "",
                    supersedes_id=current.id if current is not None else None, submitted_at=now)
    review.scores = [Score(criterion_id=cid, value=value) for cid, value in scores.items()]
    db.session.add(review)
    db.session.flush()
    db.session.add_all(Comment(round_id=locked.round_id, member_id=member.id, application_id=locked.application_id,
                               review_id=review.id, visibility=visibility, body=text, created_at=now)
                       for visibility, text in kept_comments)
    record("jury.review_saved", actor=member.user_id, obj=review, round_id=locked.round_id,
           application_id=locked.application_id, supersedes=review.supersedes_id, abstained=abstaining,
           scores=scores)
    ledger.append_review(round_.call_id, review, now)  # the chain's head: the transaction's last lock
    return review


def _same_sheet(current, abstaining, reason, scores, comments):
    if current.abstained != abstaining or (current.abstain_reason or "") != reason:
        return False
    if {score.criterion_id: score.value for score in current.scores} != scores:
        return False
    saved = sheet_comments(current)
    return saved == {visibility: text for visibility, text in comments} and len(comments) == len(saved)


def next_unscored(member, round_id, order, after_application_id=None):
    """The application the member should score next in the round: the first unscored one after
    ``after_application_id`` in ``order`` (a list of application ids, e.g. by label), wrapping
    around; None when everything is scored or abstained."""
    unscored = set(member_progress(member, round_id).unscored_ids)
    unscored.discard(after_application_id)
    if not unscored:
        return None
    ordered = [app_id for app_id in order if app_id in unscored] + sorted(unscored - set(order))
    if after_application_id in order:
        position = order.index(after_application_id)
        later = [app_id for app_id in ordered if app_id in order and order.index(app_id) > position]
        if later:
            return later[0]
    return ordered[0]
