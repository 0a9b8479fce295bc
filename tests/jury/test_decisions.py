"""The chair proposes a decision per application (selected, waitlisted, declined, advanced); the
panel's final decision is recorded with its rationale and who took it; nobody else decides, and
nothing is decided on an application outside the round or before it closes; a changed decision
is a new one. Publishing tells applicants in their language (with the jurors' feedback where the
call allows), shows the outcome on their application page, gives the selected applications to
what comes next, and sends ``jury_decisions_published`` after the commit."""

import pytest

from residency import signals
from residency.applications.models import ApplicationState
from residency.core.errors import ActionRefused
from residency.jury import decisions
from residency.jury.models import JurySettings, RoundApplication
from residency.jury.record_models import Decision, DecisionStage
from residency.notifications.models import EmailMessage
from tests.jury.deliberation_support import closed, jury  # noqa: F401  (fixtures)
from tests.jury.scoring_support import make_round


def decide(jury, index, outcome="selected", rationale="The strongest proposal.", **kwargs):
    return decisions.decide(jury.chair.user, jury.round, jury.applications[index].id, outcome, rationale, **kwargs)


def emails(db, address):
    return db.session.execute(db.select(EmailMessage).where(EmailMessage.to_address == address)
                              .order_by(EmailMessage.id)).scalars().all()


def test_the_chair_records_a_proposal_then_the_final_decision(db, closed):
    proposed = decide(closed, 0, stage=DecisionStage.PROPOSED, rationale="")
    final = decide(closed, 0, rationale="Unanimous: a strong, feasible project.")
    db.session.commit()
    assert proposed.stage == "proposed" and final.stage == "final"
    assert final.decided_by_id == closed.chair.user.id and final.rationale.startswith("Unanimous")
    assert decisions.current_decisions(closed.round.id, "final")[closed.applications[0].id].id == final.id


@pytest.mark.parametrize("who", ["coordinator", "juror", "admin"])
def test_nobody_but_the_chair_decides(db, closed, coordinator, make_user, who):
    actor = {"coordinator": lambda: coordinator, "juror": lambda: closed.jurors["fair"].user,
             "admin": lambda: make_user(roles=[("network_admin", "network", 0)])}[who]()
    with pytest.raises(ActionRefused) as refused:
        decisions.decide(actor, closed.round, closed.applications[0].id, "selected", "Mine")
    assert refused.value.status == 403
    assert db.session.scalar(db.select(db.func.count(Decision.id))) == 0


def test_no_decision_on_an_application_outside_the_round(db, closed, call, make_application):
    """An application of the call that the round does not cover, or of another round."""
    outside = make_application(call, eligible=True)
    other_round = make_round(call, applications=[outside])
    with pytest.raises(ActionRefused) as refused:
        decisions.decide(closed.chair.user, closed.round, outside.id, "selected", "Why not")
    assert refused.value.status == 404
    assert db.session.get(RoundApplication, (other_round.id, outside.id)) is not None
    assert db.session.scalar(db.select(db.func.count(Decision.id))) == 0


def test_no_decision_before_the_round_closes(db, jury):
    with pytest.raises(ActionRefused) as refused:
        decide(jury, 0)
    assert refused.value.status == 409


def test_no_decision_on_a_withdrawn_application(db, closed):
    closed.applications[0].state = ApplicationState.WITHDRAWN
    db.session.commit()
    with pytest.raises(ActionRefused) as refused:
        decide(closed, 0)
    assert refused.value.status == 409


@pytest.mark.parametrize("outcome, rationale, field", [
    ("", "Fine", "outcome"), ("crowned", "Fine", "outcome"), ("selected", "   ", "rationale"),
    ("selected", "x" * 5001, "rationale"),
])
def test_bad_decisions_are_refused(db, closed, outcome, rationale, field):
    with pytest.raises(ActionRefused) as refused:
        decide(closed, 0, outcome, rationale)
    assert refused.value.field == field


def test_a_changed_decision_is_a_new_record_and_unpublished_until_published_again(db, closed):
    first = decide(closed, 1, "selected")
    db.session.commit()
    decisions.publish(closed.chair.user, closed.call)
    db.session.commit()
    assert [a.id for a in decisions.selected_applications(closed.call.id)] == [closed.applications[1].id]
    second = decide(closed, 1, "waitlisted", "A place fell through: waitlisted instead.")
    db.session.commit()
    assert second.supersedes_id == first.id and db.session.get(Decision, first.id).outcome == "selected"
    assert [d.id for d in decisions.decision_history(closed.round.id, closed.applications[1].id)] == [first.id, second.id]
    assert decisions.selected_applications(closed.call.id) == []
    assert [d.id for d in decisions.unpublished(closed.call.id)] == [second.id]
    decisions.publish(closed.chair.user, closed.call)
    db.session.commit()
    assert closed.applications[1].state == ApplicationState.WAITLISTED


def test_the_same_decision_again_records_nothing(db, closed):
    first = decide(closed, 2)
    assert decide(closed, 2).id == first.id
    assert db.session.scalar(db.select(db.func.count(Decision.id))) == 1


def test_advancing_marks_the_application_for_the_next_round(db, closed):
    decide(closed, 0, "advanced", "To the final round.")
    db.session.commit()
    assert db.session.get(RoundApplication, (closed.round.id, closed.applications[0].id)).advanced
    decide(closed, 0, "declined", "On reflection, no.")
    db.session.commit()
    assert not db.session.get(RoundApplication, (closed.round.id, closed.applications[0].id)).advanced
    assert decisions.unpublished(closed.call.id)[0].outcome == "declined"


def test_publication_notifies_applicants_in_their_language_and_shows_the_outcome(db, closed):
    """The French artist's e-mail names the call by its French title; the state of each
    application is its outcome; advanced decisions are not announced."""
    decide(closed, 0, "selected")
    decide(closed, 1, "waitlisted", "Close second.")
    decide(closed, 2, "declined", "Not this time.")
    decide(closed, 3, "advanced", "Next round.")
    db.session.commit()
    published = decisions.publish(closed.chair.user, closed.call)
    db.session.commit()
    assert len(published) == 3
    states = [application.state for application in closed.applications[:4]]
    assert states == [ApplicationState.SELECTED, ApplicationState.WAITLISTED, ApplicationState.DECLINED,
                      ApplicationState.SUBMITTED]
    french = emails(db, closed.applications[0].owner.email)
    assert len(french) == 1 and "Résidence son" in french[0].subject
    english = emails(db, closed.applications[2].owner.email)
    assert "Sound residency" in english[0].subject and "not selected" in english[0].body_text
    assert emails(db, closed.applications[3].owner.email) == []
    assert "Feedback from" not in english[0].body_text  # the call does not allow feedback
    assert decisions.publish(closed.chair.user, closed.call) == []  # nothing left


def test_feedback_goes_with_the_decision_where_the_call_allows_it(db, closed):
    db.session.add(JurySettings(call_id=closed.call.id, same_city_conflicts=False, applicant_feedback=True))
    decide(closed, 2, "declined", "Not this time.")
    db.session.commit()
    decisions.publish(closed.chair.user, closed.call)
    db.session.commit()
    body = emails(db, closed.applications[2].owner.email)[0].body_text
    assert "Feedback from lenient" in body and "Feedback from harsh" in body
    assert "harsh on 2" not in body  # comments meant for the panel stay with the panel
    assert "Harsh Juror" not in body  # and the feedback does not name its authors


def test_selected_applications_in_decision_order_and_the_signal_after_commit(db, closed):
    decide(closed, 4, "selected", "Late but convincing.")
    decide(closed, 0, "selected")
    decide(closed, 1, "declined", "No.")
    db.session.commit()
    heard = []

    def listener(sender, applications):
        heard.append((sender.id, [a.id for a in applications], decisions.selected_applications(sender.id)))

    signals.jury_decisions_published.connect(listener)
    try:
        published = decisions.publish(closed.chair.user, closed.call)
        assert heard == []  # not before the commit
        db.session.commit()
        decisions.announce_published(closed.call, published)
    finally:
        signals.jury_decisions_published.disconnect(listener)
    ids = [closed.applications[4].id, closed.applications[0].id]
    assert [a.id for a in decisions.selected_applications(closed.call.id)] == ids
    (sender, announced, selected_then), = heard
    assert sender == closed.call.id and set(announced) == set(ids) | {closed.applications[1].id}
    assert [a.id for a in selected_then] == ids


def test_unpublished_selections_are_not_selected_yet(db, closed):
    decide(closed, 0, "selected")
    db.session.commit()
    assert decisions.selected_applications(closed.call.id) == []
