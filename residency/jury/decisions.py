"""The panel's decisions: proposed and final, per application of a round, and their publication.

Rules:

- Only the call's chair (an active panel member with the chair's role) records decisions, and
  only on an application the round covers, once the round is closed.
- A proposed decision is the chair's proposal to the panel; the final decision is the panel's,
  recorded by the chair with its rationale (required). Outcomes: selected, waitlisted, declined,
  or advanced to the next round (which marks the application for it).
- Decisions are never changed in place (:mod:`.ledger` refuses it at flush): a changed decision is
  a new row superseding the previous one, and a new record in the call's hash chain. A published
  decision changed this way is unpublished until the next publication.
- Publishing (the chair or the call's coordinators) publishes every current final decision not yet
  published: the application takes its outcome as its state (the applicant sees it on the
  application's page) and each applicant is e-mailed in their language, with the feedback jurors
  wrote for them when the call's jury settings allow it. After the commit, the caller announces
  the publication (:func:`announce_published`: the ``jury_decisions_published`` signal).

Operations take plain arguments, flush, record an audit entry and never commit.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from residency import signals
from residency.applications.models import Application, ApplicationState
from residency.audit.operations import record
from residency.core.errors import ActionRefused
from residency.core.types import utcnow
from residency.extensions import db
from residency.jury import ledger
from residency.jury.models import Comment, CommentVisibility, JurySettings, Round, RoundApplication, RoundPhase
from residency.jury.policies import is_chair
from residency.jury.record_models import Decision, DecisionStage, Outcome

RATIONALE_MAX_LENGTH = 5000
#: The outcomes applicants are told of (advancing is the panel's own business).
PUBLISHED_OUTCOMES = (Outcome.SELECTED, Outcome.WAITLISTED, Outcome.DECLINED)
#: The application's state an outcome gives it once published.
STATES = {Outcome.SELECTED: ApplicationState.SELECTED, Outcome.WAITLISTED: ApplicationState.WAITLISTED,
          Outcome.DECLINED: ApplicationState.DECLINED}

OUTCOME_LABELS = {
    Outcome.SELECTED: _l("Selected"),
    Outcome.WAITLISTED: _l("Waitlisted"),
    Outcome.DECLINED: _l("Declined"),
    Outcome.ADVANCED: _l("Advanced to the next round"),
}
NOT_CHAIR = _l("Only the chair of the panel records decisions.")
NOT_IN_ROUND = _l("This application is not in this round.")


# Reading ----------------------------------------------------------------------------------------

def _current():
    """A select of the current decisions (superseded by none)."""
    successor = aliased(Decision)
    return select(Decision).where(~exists().where(successor.supersedes_id == Decision.id))


def current_decisions(round_id, stage):
    """``{application id: Decision}``: the round's current decisions of ``stage``."""
    rows = db.session.execute(
        _current().where(Decision.round_id == round_id, Decision.stage == stage).order_by(Decision.id)).scalars()
    return {decision.application_id: decision for decision in rows}


def current_decision(round_id, application_id, stage):
    return db.session.execute(
        _current().where(Decision.round_id == round_id, Decision.application_id == application_id,
                         Decision.stage == stage).order_by(Decision.id.desc()).limit(1)).scalars().first()


def final_decisions(call_id):
    """``{application id: Decision}``: each application's current final decision in the call's
    latest round that took one."""
    rows = db.session.execute(
        _current().join(Round, Round.id == Decision.round_id)
        .where(Decision.call_id == call_id, Decision.stage == DecisionStage.FINAL)
        .order_by(Round.number, Decision.id)).scalars()
    return {decision.application_id: decision for decision in rows}


def selected_applications(call_id):
    """The applications of the call whose final decision is "selected" and published, in the order
    the decisions were taken (what residencies are created from)."""
    chosen = [decision for decision in final_decisions(call_id).values()
              if decision.outcome == Outcome.SELECTED and decision.published_at is not None]
    chosen.sort(key=lambda decision: (decision.created_at, decision.id))
    return [decision.application for decision in chosen]


def decision_history(round_id, application_id):
    """Every decision on the application in the round, oldest first (the superseded ones too)."""
    return db.session.execute(
        select(Decision).where(Decision.round_id == round_id, Decision.application_id == application_id)
        .order_by(Decision.id)).scalars().all()


def unpublished(call_id):
    """The call's current final decisions that applicants would be told of and are not yet."""
    return [decision for decision in final_decisions(call_id).values()
            if decision.outcome in PUBLISHED_OUTCOMES and decision.published_at is None]


# Deciding ---------------------------------------------------------------------------------------

def decide(actor, round_, application_id, outcome, rationale="", stage=DecisionStage.FINAL, now=None):
    """Record the chair's proposed or the panel's final decision on an application of the round.

    :return: the new current :class:`Decision`, or the current one when nothing changed.
    :raise ActionRefused 403: ``actor`` is not the call's chair.
    :raise ActionRefused 404: the round does not cover the application.
    :raise ActionRefused 409: the round is not closed; the application was withdrawn; advancing
        once the next round started.
    :raise ActionRefused 400: an unknown outcome or stage; a final decision without a rationale; a
        rationale too long.
    """
    now = now or utcnow()
    call = round_.call
    if not is_chair(actor, call):
        raise ActionRefused(NOT_CHAIR, status=403)
    covered = db.session.get(RoundApplication, (round_.id, application_id))
    if covered is None:
        raise ActionRefused(NOT_IN_ROUND, status=404)
    if round_.phase != RoundPhase.CLOSED:
        raise ActionRefused(_l("Decisions are taken once the round is closed."), status=409)
    application = db.session.get(Application, application_id)
    if application is None or application.state == ApplicationState.WITHDRAWN:
        raise ActionRefused(_l("The applicant withdrew this application: there is nothing to decide."), status=409)
    if outcome not in Outcome.ALL:
        raise ActionRefused(_l("Choose a decision."), field="outcome")
    if stage not in (DecisionStage.PROPOSED, DecisionStage.FINAL):
        raise ActionRefused(_l("Unknown kind of decision."), field="stage")
    rationale = (rationale or "").strip()
    if stage == DecisionStage.FINAL and not rationale:
        raise ActionRefused(_l("Give the panel's rationale for the decision."), field="rationale")
    if len(rationale) > RATIONALE_MAX_LENGTH:
        raise ActionRefused(_l("A rationale has at most %(n)d characters.", n=RATIONALE_MAX_LENGTH),
                            field="rationale")
    current = current_decision(round_.id, application_id, stage)
    if current is not None and current.outcome == outcome and current.rationale == rationale:
        return current
    if stage == DecisionStage.FINAL:
        _mark_advanced(round_, covered, outcome == Outcome.ADVANCED)
    decision = Decision(call_id=call.id, round_id=round_.id, application_id=application_id, stage=stage,
                        outcome=outcome, rationale=rationale, decided_by_id=actor.id,
                        supersedes_id=current.id if current is not None else None, created_at=now)
    db.session.add(decision)
    db.session.flush()
    record("jury.decision", actor=actor, obj=decision, call_id=call.id, round_id=round_.id,
           application_id=application_id, stage=stage, outcome=outcome, supersedes=decision.supersedes_id)
    ledger.append_decision(decision, now)
    return decision


def _mark_advanced(round_, covered, advanced):
    """A final "advanced" marks the application for the next round (and another outcome unmarks
    it), as long as the next round has not started scoring."""
    if covered.advanced == advanced:
        return
    started = db.session.execute(
        select(Round.number).where(Round.call_id == round_.call_id, Round.number > round_.number,
                                   Round.phase != RoundPhase.SETUP).limit(1)).scalar_one_or_none()
    if started is not None:
        raise ActionRefused(_l("Round %(number)d has already started scoring: the applications it covers can no "
                               "longer change.", number=started), status=409)
    covered.advanced = advanced


# Publishing -------------------------------------------------------------------------------------

def publish(actor, call, now=None, notify=True):
    """Publish the call's unpublished final decisions: the applications take their outcome as their
    state, the applicants are e-mailed (unless ``notify`` is False: the demo sends no e-mail).
    Commit, then :func:`announce_published`.

    :return: the published decisions (empty when there was nothing to publish).
    """
    from residency.jury.decision_mail import notify_applicant

    now = now or utcnow()
    decisions = unpublished(call.id)
    feedback = _feedback_allowed(call.id)
    for decision in decisions:
        decision.published_at = now
        application = decision.application
        application.state = STATES[decision.outcome]
        application.updated_at = now
        db.session.flush()
        ledger.append_publication(decision, now)
        if notify:
            notify_applicant(call, decision, applicant_feedback(decision) if feedback else [])
    if decisions:
        record("jury.decisions_published", actor=actor, obj=call, published=len(decisions),
               selected=sum(1 for d in decisions if d.outcome == Outcome.SELECTED))
    db.session.flush()
    return decisions


def announce_published(call, decisions):
    """Send ``jury_decisions_published`` (sender the call, ``applications``) once the publication is
    committed."""
    if decisions:
        signals.jury_decisions_published.send(call, applications=[decision.application for decision in decisions])


def _feedback_allowed(call_id):
    settings = db.session.get(JurySettings, call_id)
    return bool(settings and settings.applicant_feedback)


def applicant_feedback(decision):
    """The comments the round's jurors wrote for the applicant (their current sheets' only), in
    the order written, without their authors."""
    from residency.jury import scoring

    sheets = {review.id for review in scoring.current_reviews(decision.round_id, application_id=decision.application_id)}
    rows = db.session.execute(
        select(Comment).where(Comment.round_id == decision.round_id, Comment.application_id == decision.application_id,
                              Comment.visibility == CommentVisibility.APPLICANT).order_by(Comment.id)).scalars()
    return [comment.body for comment in rows if comment.review_id is None or comment.review_id in sheets]


def published_outcome(application_id):
    """The published final decision of an application (None: nothing published)."""
    application = db.session.get(Application, application_id)
    if application is None:
        return None
    decision = final_decisions(application.call_id).get(application_id)
    return decision if decision is not None and decision.published_at is not None else None
