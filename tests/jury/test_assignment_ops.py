"""A round's assignment in the database: preview and confirmation, changes by hand, a juror who
drops out, a conflict found late, two chairs at once, and the chair's page over HTTP."""

import re
import threading
from collections import Counter
from datetime import timedelta
from html import unescape

import pytest

from residency.audit.models import AuditEntry
from residency.core.errors import ActionRefused
from residency.core.types import utcnow
from residency.extensions import db
from residency.jury import assignment_changes, assignment_ops, blind, conflicts, panels
from residency.jury.models import (
    Assignment, Conflict, ConflictReason, ConflictSource, MemberRole, Preference, Round, RoundPhase,
)
from tests import services


def text_of(response):
    """The page's text, tags removed and spaces collapsed, as a reader meets it."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def add_round(call, k=2, phase=RoundPhase.SETUP, **fields):
    number = (db.session.scalar(db.select(db.func.max(Round.number)).where(Round.call_id == call.id)) or 0) + 1
    round_ = Round(call_id=call.id, number=number, name=f"Round {number}", phase=phase, reviews_per_application=k,
                   scoring_closes_at=utcnow() + timedelta(days=10), **fields)
    db.session.add(round_)
    db.session.commit()
    return round_


def declare(member, application_id, reason="declared"):
    db.session.add(Conflict(call_id=member.call_id, member_id=member.id, application_id=application_id,
                            source=ConflictSource.DECLARED, reason=ConflictReason.DECLARED, details=reason))
    db.session.commit()


def live(round_, confirmed=None):
    """``[(member id, application id)]`` of the round's live pairs (only confirmed or unconfirmed ones)."""
    query = db.select(Assignment.member_id, Assignment.application_id).where(
        Assignment.round_id == round_.id, Assignment.removed_at.is_(None))
    if confirmed is not None:
        query = query.where(Assignment.confirmed_at.is_not(None) if confirmed else Assignment.confirmed_at.is_(None))
    return sorted(db.session.execute(query).tuples())


def audit(action):
    """The audit entries of ``action``: written when the transaction commits, as a request's does."""
    db.session.commit()
    return db.session.execute(db.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).scalars().all()


@pytest.fixture
def jurors(call, make_member):
    """Four active jurors."""
    return [make_member(call) for _ in range(4)]


@pytest.fixture
def chair(call, make_member):
    return make_member(call, role=MemberRole.CHAIR)


@pytest.fixture
def round_(call, submitted, jurors):
    """A round being set up over the six submitted applications, k = 2, four jurors (three each)."""
    return add_round(call, k=2)


@pytest.fixture
def confirmed(round_, coordinator):
    """The round with its assignment proposed and confirmed."""
    assignment_ops.propose(round_, coordinator)
    assignment_ops.confirm(round_, coordinator)
    db.session.commit()
    return round_


# --- Preview and confirmation --------------------------------------------------------------------

def test_a_proposal_is_a_preview_until_the_chair_confirms_it(round_, jurors, submitted, coordinator):
    """Proposing writes pairs the jurors do not see yet; confirming makes them theirs and marks
    the round's assignment confirmed. Both are audited."""
    solution = assignment_ops.propose(round_, coordinator)
    db.session.commit()

    assert len(live(round_, confirmed=False)) == 12 and live(round_, confirmed=True) == []
    assert solution.unmet == {} and solution.load_spread == 0
    assert all(assignment_ops.assignments_of(member, round_) == [] for member in jurors)
    assert round_.assignment_confirmed_at is None

    count = assignment_ops.confirm(round_, coordinator)
    db.session.commit()

    assert count == 12 and len(live(round_, confirmed=True)) == 12 and live(round_, confirmed=False) == []
    assert round_.assignment_confirmed_at is not None
    assert sorted(len(assignment_ops.assignments_of(member, round_)) for member in jurors) == [3, 3, 3, 3]
    assert Counter(a for _m, a in live(round_)) == {a.id: 2 for a in submitted}
    assert [e.data["pairs"] for e in audit("jury.assignment_proposed")] == [12]
    assert [e.data["pairs"] for e in audit("jury.assignment_confirmed")] == [12]


def test_proposing_again_replaces_the_preview_and_keeps_confirmed_pairs(round_, call, make_application, coordinator):
    """A second proposal replaces the first preview (no pile-up); after confirmation, proposing
    again keeps every confirmed pair and only fills what is missing (a newly eligible application)."""
    assignment_ops.propose(round_, coordinator)
    assignment_ops.propose(round_, coordinator)
    assert len(live(round_)) == 12
    assignment_ops.confirm(round_, coordinator)
    before = live(round_, confirmed=True)
    late = make_application(call, eligible=True)

    solution = assignment_ops.propose(round_, coordinator)

    assert live(round_, confirmed=True) == before
    assert sorted(a for _m, a in live(round_, confirmed=False)) == [late.id, late.id]
    assert len(solution.kept) == 12 and solution.unmet == {}


def test_confirming_a_preview_that_changed_is_refused(round_, coordinator):
    """The chair confirms the preview they looked at: if another proposal replaced it meanwhile,
    confirming is refused and nothing is confirmed; with nothing proposed, too."""
    assignment_ops.propose(round_, coordinator)
    seen = assignment_ops.preview_token(round_)
    assignment_ops.propose(round_, coordinator)

    with pytest.raises(ActionRefused, match="changed since you loaded the page") as refused:
        assignment_ops.confirm(round_, coordinator, token=seen)
    assert refused.value.status == 409 and live(round_, confirmed=True) == []

    assignment_ops.confirm(round_, coordinator, token=assignment_ops.preview_token(round_))
    with pytest.raises(ActionRefused, match="no proposed assignment to confirm"):
        assignment_ops.confirm(round_, coordinator)


def test_a_closed_round_cannot_change(confirmed, jurors, submitted, coordinator):
    """Once a round is closed, its assignment stays as it was."""
    confirmed.phase = RoundPhase.CLOSED
    db.session.commit()

    for attempt in (lambda: assignment_ops.propose(confirmed, coordinator),
                    lambda: assignment_changes.remove_pair(confirmed, jurors[0], submitted[0].id, coordinator)):
        with pytest.raises(ActionRefused, match="closed") as refused:
            attempt()
        assert refused.value.status == 409
    assert len(live(confirmed, confirmed=True)) == 12


def test_bids_and_expertise_stored_in_the_database_guide_the_proposal(call, make_member, make_application, coordinator):
    """An eager bid is honoured, a "rather not" avoided, and an application's discipline goes to
    the juror whose expertise names it (the answer's value or its label, any case)."""
    video = make_application(call, eligible=True, answers={"statement": "s", "disciplines": ["video"]})
    games = make_application(call, eligible=True, answers={"statement": "s", "disciplines": ["games"]})
    plain = make_application(call, eligible=True)
    first = make_member(call, expertise=["Vidéo"])
    second = make_member(call, expertise=["GAMES"])
    third = make_member(call)
    db.session.add_all([Preference(member_id=third.id, application_id=plain.id, bid="eager"),
                        Preference(member_id=first.id, application_id=plain.id, bid="rather_not")])
    db.session.commit()
    round_ = add_round(call, k=1)

    solution = assignment_ops.propose(round_, coordinator)

    assert sorted(solution.pairs) == sorted([(first.id, video.id), (second.id, games.id), (third.id, plain.id)])
    assert solution.bids_honoured == 1.0 and solution.expertise_matched == 2


def test_a_round_with_a_probability_cap_gets_a_randomised_assignment(call, submitted, make_member, coordinator):
    """With a highest pair probability, the proposal is drawn at random within the cap: k met,
    loads balanced, the seed recorded in the audit entry, and the same seed draws the same pairs."""
    for _ in range(5):
        make_member(call)
    round_ = add_round(call, k=2, max_pair_probability=0.5)

    solution = assignment_ops.propose(round_, coordinator)
    seed = audit("jury.assignment_proposed")[-1].data["seed"]

    assert isinstance(seed, int) and audit("jury.assignment_proposed")[-1].data["randomised"] is True
    assert solution.unmet == {} and solution.load_spread <= 1
    assert 0 < solution.max_pair_probability <= 0.5
    assert assignment_ops.propose(round_, coordinator, seed=seed).pairs == solution.pairs


def test_proposing_again_removes_pairs_of_jurors_who_left_unnoticed(confirmed, jurors, submitted, coordinator):
    """A confirmed pair whose juror is no longer active (left without the assignment being told)
    is removed when the chair proposes again, and its review is proposed to someone else."""
    gone = jurors[3]
    gone.status = "withdrawn"
    db.session.commit()

    assignment_ops.propose(confirmed, coordinator)

    assert all(m != gone.id for m, _a in live(confirmed))
    assert Counter(a for _m, a in live(confirmed)) == {a.id: 2 for a in submitted}
    assert audit("jury.assignment_proposed")[-1].data["stale_removed"] == 3


def test_proposing_again_removes_pairs_of_applications_the_round_no_longer_covers(confirmed, submitted,
                                                                                  coordinator):
    """An application found ineligible after confirmation leaves the round: proposing again removes
    its pairs (kept as removed rows), and the round may then start scoring."""
    from residency.jury import round_moves

    dropped = submitted[0]
    dropped.eligible = False
    db.session.commit()
    assert any("no longer covered" in str(p) for p in round_moves.scoring_problems(confirmed))

    solution = assignment_ops.propose(confirmed, coordinator)

    assert solution.pairs == [] and assignment_ops.preview_token(confirmed) == ""  # nothing else was missing
    assert all(a != dropped.id for _m, a in live(confirmed))
    assert {r.removed_reason for r in db.session.execute(db.select(Assignment).where(
        Assignment.application_id == dropped.id)).scalars()} == {"not_covered"}
    assert round_moves.scoring_problems(confirmed) == []


# --- Changes by hand -----------------------------------------------------------------------------

def test_moving_a_pair_onto_a_conflicted_juror_is_refused(confirmed, jurors, coordinator):
    """A pair cannot be moved to a juror in conflict with the application: refused with a clear
    message, and the pair stays where it was."""
    member_id, application_id = live(confirmed)[0]
    member = db.session.get(type(jurors[0]), member_id)
    target = next(j for j in jurors if (j.id, application_id) not in live(confirmed))
    declare(target, application_id)
    before = live(confirmed)

    with pytest.raises(ActionRefused, match="has a conflict of interest with application") as refused:
        assignment_changes.move_pair(confirmed, member, application_id, target, coordinator)

    assert refused.value.field == "member"
    db.session.rollback()
    assert live(confirmed) == before


def test_a_pair_can_be_moved_added_and_removed_by_hand(confirmed, jurors, coordinator):
    """A move hands the review to the other juror at once (the assignment is confirmed) and keeps
    the old row as removed; adding a pair already there is refused; removing works once."""
    member_id, application_id = live(confirmed)[0]
    member = next(j for j in jurors if j.id == member_id)
    target = next(j for j in jurors if (j.id, application_id) not in live(confirmed))

    moved = assignment_changes.move_pair(confirmed, member, application_id, target, coordinator)

    assert moved.confirmed_at is not None and moved.source == "manual"
    assert (member.id, application_id) not in live(confirmed) and (target.id, application_id) in live(confirmed)
    old = db.session.execute(db.select(Assignment).where(Assignment.member_id == member.id,
                                                         Assignment.application_id == application_id)).scalar_one()
    assert old.removed_reason == "moved"
    with pytest.raises(ActionRefused, match="already reviews application") as refused:
        assignment_changes.add_pair(confirmed, target, application_id, coordinator)
    assert refused.value.status == 409
    assignment_changes.remove_pair(confirmed, target, application_id, coordinator)
    with pytest.raises(ActionRefused, match="does not review application"):
        assignment_changes.remove_pair(confirmed, target, application_id, coordinator)
    db.session.commit()  # the audit entries are written as the transaction commits
    assert [e.action for e in db.session.execute(db.select(AuditEntry).where(
        AuditEntry.action.like("jury.assignment_%")).order_by(AuditEntry.id)).scalars()][-2:] == [
        "jury.assignment_moved", "jury.assignment_removed"]


def test_a_pair_outside_the_round_or_with_someone_off_the_panel_is_refused(confirmed, call, chair, make_application,
                                                                          coordinator, jurors):
    """Only the round's applications and the panel's active jurors (not the chair) can be paired."""
    draft = make_application(call, state="draft")
    with pytest.raises(ActionRefused, match="Choose an application of this round"):
        assignment_changes.add_pair(confirmed, jurors[0], draft.id, coordinator)
    with pytest.raises(ActionRefused, match="Choose an active juror"):
        assignment_changes.add_pair(confirmed, chair, live(confirmed)[0][1], coordinator)


# --- Re-solving for some pairs only --------------------------------------------------------------

def test_a_juror_who_drops_out_is_replaced_for_their_pairs_only(confirmed, jurors, submitted, coordinator):
    """Removing a juror from the panel removes their pairs and gives those reviews to other jurors;
    every other pair stays exactly as it was (same rows), and each application keeps k reviews."""
    leaving = jurors[0]
    others_before = {row.id for row in db.session.execute(
        db.select(Assignment).where(Assignment.round_id == confirmed.id, Assignment.member_id != leaving.id)).scalars()}
    theirs = [a for m, a in live(confirmed) if m == leaving.id]

    panels.remove_member(coordinator, leaving)
    db.session.commit()

    rows = db.session.execute(db.select(Assignment).where(Assignment.round_id == confirmed.id)).scalars().all()
    assert {r.id for r in rows if r.member_id != leaving.id and r.source != "replacement"} == others_before
    assert all(r.removed_at is None for r in rows if r.id in others_before)
    assert {(r.application_id, r.removed_reason) for r in rows if r.member_id == leaving.id} == {
        (a, "dropped_out") for a in theirs}
    replacements = [r for r in rows if r.source == "replacement"]
    assert sorted(r.application_id for r in replacements) == sorted(theirs)
    assert all(r.confirmed_at is not None and r.member_id != leaving.id for r in replacements)
    assert Counter(a for _m, a in live(confirmed, confirmed=True)) == {a.id: 2 for a in submitted}
    [entry] = audit("jury.assignment_member_replaced")
    assert entry.data["removed"] == 3 and entry.data["added"] == 3 and entry.data["missing"] == 0


def test_a_conflict_declared_late_removes_the_pair_and_replaces_it(confirmed, jurors, submitted):
    """A juror declaring a conflict with an application they were assigned loses that pair at once,
    and another unconflicted juror gets the review."""
    member_id, application_id = live(confirmed)[0]
    member = next(j for j in jurors if j.id == member_id)

    conflicts.declare_conflicts(member, {application_id: (True, "My former student")}, actor=member.user)
    db.session.commit()

    assert (member.id, application_id) not in live(confirmed)
    assert Counter(a for _m, a in live(confirmed, confirmed=True))[application_id] == 2
    removed = db.session.execute(db.select(Assignment).where(
        Assignment.member_id == member.id, Assignment.application_id == application_id)).scalar_one()
    assert removed.removed_reason == "conflict" and removed.removed_at is not None
    assert assignment_ops.assignments_of(member, confirmed) == [
        a for a in assignment_ops.assignments_of(member, confirmed) if a.application_id != application_id]
    [entry] = audit("jury.assignment_conflict_removed")
    assert entry.data == {"member_id": member.id, "application_id": application_id, "added": 1, "missing": 0,
                          "call_id": confirmed.call_id}


def test_a_late_conflict_with_no_free_juror_left_is_reported_missing(call, submitted, make_member, coordinator):
    """With two jurors and k = 2, a late conflict leaves the application one review short: the pair
    goes anyway (a conflicted juror never reviews), and the missing review is recorded."""
    first, second = make_member(call), make_member(call)
    round_ = add_round(call, k=2)
    assignment_ops.propose(round_, coordinator)
    assignment_ops.confirm(round_, coordinator)

    conflicts.declare_conflicts(first, {submitted[0].id: (True, "Family")}, actor=first.user)

    assert (first.id, submitted[0].id) not in live(round_)
    assert [m for m, a in live(round_) if a == submitted[0].id] == [second.id]
    assert audit("jury.assignment_conflict_removed")[0].data["missing"] == 1


# --- Two chairs at once (PostgreSQL, real commits) -----------------------------------------------

@pytest.fixture(scope="module")
def race_app(tmp_path_factory):
    """An app on a database of its own, migrated, with no test transaction around it: what two
    chairs commit is really committed, and seen by the other's connection."""
    from flask_migrate import upgrade

    import config as settings
    from residency import create_app

    if not services.TEST_DATABASE_URL:
        services.service_missing("two chairs at once need PostgreSQL (TEST_DATABASE_URL)")
    url = services.create_postgres_database("residency_jury_race")
    try:
        config = settings.TestingConfig(tmp_path_factory.mktemp("race"))
        config.SQLALCHEMY_DATABASE_URI = url
        race = create_app(config)
        with race.app_context():
            upgrade()
        yield race
        with race.app_context():
            db.engine.dispose()
    finally:
        services.drop_postgres_database(url)


def race_data(race, k=2):
    """A call with six eligible applications, four jurors and a round; returns ids."""
    from residency.accounts.models import RoleGrant
    from residency.applications.models import Application, ApplicationVersion
    from residency.calls.models import Call
    from residency.cities.models import City
    from residency.jury.models import PanelMember
    from tests.conftest import create_user
    from tests.review.conftest import FORM, T0, snapshot_of

    with race.app_context():
        city = db.session.execute(db.select(City).where(City.slug == "lyon")).scalar_one()
        coordinator = create_user(password=None, roles=[("city_coordinator", "city", city.id)])
        now = utcnow()
        call = Call(slug=f"race-{now.timestamp()}", city_id=city.id, texts={"en": {"title": "Race"}}, state="closed",
                    published_at=now - timedelta(days=40), opens_at=now - timedelta(days=30),
                    closes_at=now - timedelta(days=1), form=FORM, rubric=[])
        db.session.add(call)
        db.session.flush()
        for n in range(6):
            owner = create_user(password=None)
            application = Application(call_id=call.id, owner_id=owner.id, state="submitted", eligible=True,
                                      current_version=1, submitted_at=T0 + timedelta(hours=n), answers={})
            db.session.add(application)
            db.session.flush()
            db.session.add(ApplicationVersion(application_id=application.id, number=1, submitted_at=T0,
                                              snapshot=snapshot_of(call, owner, {}, (), "FR", None),
                                              fingerprint=f"{n:064d}"))
        for _ in range(4):
            user = create_user(password=None)
            db.session.add(PanelMember(call_id=call.id, user_id=user.id, email=user.email, role="juror",
                                       status="active"))
            db.session.add(RoleGrant(user_id=user.id, role="juror", scope_type="call", scope_id=call.id))
        round_ = Round(call_id=call.id, number=1, name="Shortlist", reviews_per_application=k,
                       scoring_closes_at=now + timedelta(days=9))
        db.session.add(round_)
        db.session.commit()
        return round_.id, coordinator.id
    

def at_once(race, actions):
    """Run each ``action(round, actor)`` in its own thread, app context and connection, started
    together; each commits, or rolls back on a refusal. Returns what each returned or raised."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        from residency.accounts.models import User

        with race.app_context():
            try:
                round_ = db.session.get(Round, action.round_id)
                actor = db.session.get(User, action.actor_id)
                barrier.wait(timeout=30)
                outcomes[index] = action(round_, actor)
                db.session.commit()
            except ActionRefused as refusal:
                db.session.rollback()
                outcomes[index] = refusal
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _action(function, round_id, actor_id):
    function.round_id, function.actor_id = round_id, actor_id
    return function


def test_two_chairs_proposing_and_confirming_at_once_make_no_duplicates(race_app):
    """Two chairs press "Propose" then "Confirm" at the same moment: they take turns on the round,
    one confirms, the other is told there is nothing left to confirm; every application has its
    k reviews once, with no pair twice."""
    round_id, actor_id = race_data(race_app)

    def propose_and_confirm(round_, actor):
        assignment_ops.propose(round_, actor)
        return assignment_ops.confirm(round_, actor)

    outcomes = at_once(race_app, [_action(propose_and_confirm, round_id, actor_id),
                                  _action(lambda r, a: propose_and_confirm(r, a), round_id, actor_id)])

    refusals = [o for o in outcomes if isinstance(o, ActionRefused)]
    assert sorted(o for o in outcomes if isinstance(o, int)) == [12], outcomes
    assert len(refusals) == 1 and "no proposed assignment to confirm" in str(refusals[0].message)
    with race_app.app_context():
        rows = db.session.execute(db.select(Assignment.member_id, Assignment.application_id, Assignment.confirmed_at)
                                  .where(Assignment.round_id == round_id, Assignment.removed_at.is_(None))).all()
        assert len(rows) == 12 == len({(m, a) for m, a, _c in rows})
        assert all(c is not None for _m, _a, c in rows)
        assert set(Counter(a for _m, a, _c in rows).values()) == {2}
        assert len(db.session.execute(db.select(AuditEntry).where(
            AuditEntry.action == "jury.assignment_confirmed", AuditEntry.object_id == round_id)).all()) == 1
        db.session.remove()


def test_two_chairs_adding_the_same_pair_at_once_make_one(race_app):
    """Two chairs add the same juror to the same application at the same moment: one pair, and
    the other chair is told it exists."""
    round_id, actor_id = race_data(race_app)
    with race_app.app_context():
        round_ = db.session.get(Round, round_id)
        member = assignment_ops.jurors_of(round_.call)[0]
        member_id, application_id = member.id, assignment_ops.build_problem(round_).application_ids[0]
        db.session.remove()

    def add(round_, actor):
        from residency.jury.models import PanelMember

        return assignment_changes.add_pair(round_, db.session.get(PanelMember, member_id), application_id, actor).id

    outcomes = at_once(race_app, [_action(add, round_id, actor_id), _action(lambda r, a: add(r, a), round_id, actor_id)])

    refusals = [o for o in outcomes if isinstance(o, ActionRefused)]
    assert len(refusals) == 1 and "already reviews application" in str(refusals[0].message)
    with race_app.app_context():
        assert db.session.execute(db.select(db.func.count(Assignment.id)).where(
            Assignment.round_id == round_id, Assignment.member_id == member_id,
            Assignment.application_id == application_id)).scalar_one() == 1
        db.session.remove()


# --- The chair's page over HTTP ------------------------------------------------------------------

def page_url(call, round_, action=""):
    return f"/manage/calls/{call.id}/jury/rounds/{round_.id}/assignment{action}"


def test_the_chair_proposes_and_confirms_on_the_page(client, login_as, chair, call, round_, jurors, submitted):
    """The chair's page: "Propose an assignment" shows the preview (loads, coverage, proposed
    pairs), "Confirm" makes it the jurors'; the page works with plain form posts."""
    login_as(chair.user)

    first = text_of(client.get(page_url(call, round_)))
    assert "No assignment yet: propose one." in first and "Propose an assignment" in first

    response = client.post_form(page_url(call, round_, "/propose"))
    assert response.status_code == 303
    page = client.get(page_url(call, round_))
    text = text_of(page)
    assert "12 pairs proposed: look at them, then confirm them." in text
    assert "Confirm the 12 proposed pairs" in text
    assert "Nothing: every application has its reviews and every load is within the balanced share." in text
    assert "Applications with their k reviews 6 of 6" in text and "Largest minus smallest load 0" in text
    for member in jurors:
        assert f"{member.user.display_name} 3 3" in text
    assert text.count("proposed") >= 12

    token = re.search(r'name="token" type="hidden" value="([^"]*)"', page.get_data(as_text=True)).group(1)
    response = client.post_form(page_url(call, round_, "/confirm"), {"token": token})
    assert response.status_code == 303
    text = text_of(client.get(page_url(call, round_)))
    assert "12 pairs confirmed: the jurors see them now." in text
    assert "Proposed, not confirmed 0 pairs" in text
    assert len(live(round_, confirmed=True)) == 12


def test_what_cannot_be_met_is_explained_in_words(client, login_as, coordinator, call, submitted, jurors):
    """An application with only 2 unconflicted jurors for k = 3 is named on the page, with the numbers."""
    round_ = add_round(call, k=3)
    target = submitted[2]
    declare(jurors[0], target.id)
    declare(jurors[1], target.id)
    login_as(coordinator)

    client.post_form(page_url(call, round_, "/propose"))
    text = text_of(client.get(page_url(call, round_)))

    number = blind.label_numbers(round_)[target.id]
    assert f"Application {number} has only 2 unconflicted jurors for k = 3." in text
    assert "Reviews missing 1" in text


def test_a_move_onto_a_conflicted_juror_is_refused_on_the_page(client, login_as, chair, call, confirmed, jurors):
    """The hand-change form refuses a conflicted juror with a message next to the field, status
    400, and changes nothing."""
    member_id, application_id = live(confirmed)[0]
    target = next(j for j in jurors if (j.id, application_id) not in live(confirmed))
    declare(target, application_id)
    before = live(confirmed)
    login_as(chair.user)

    response = client.post_form(page_url(call, confirmed, "/pairs"), {
        "application": application_id, "member": member_id, "action": "move", "target": target.id})

    assert response.status_code == 400
    text = text_of(response)
    assert "There is a problem" in text
    number = blind.label_numbers(confirmed)[application_id]
    assert f"{target.user.display_name} has a conflict of interest with application {number}" in text
    assert live(confirmed) == before


def test_a_move_without_a_target_and_a_bad_number_are_refused(client, login_as, chair, call, confirmed):
    """Moving needs the juror who takes the review over; the application must be a number."""
    member_id, application_id = live(confirmed)[0]
    login_as(chair.user)

    no_target = text_of(client.post_form(page_url(call, confirmed, "/pairs"), {
        "application": application_id, "member": member_id, "action": "move"}))
    bad_number = client.post_form(page_url(call, confirmed, "/pairs"), {
        "application": "forty-one", "member": member_id, "action": "add"})

    assert "Choose the juror who takes the review over." in no_target
    assert bad_number.status_code == 400 and "Choose an application of this round." in text_of(bad_number)


def test_handing_a_jurors_reviews_over_on_the_page(client, login_as, chair, call, confirmed, jurors, submitted):
    """The chair hands a juror's reviews to the others: their pairs go, each application keeps k."""
    login_as(chair.user)

    response = client.post_form(page_url(call, confirmed, "/reassign"), {"juror": jurors[1].id})

    assert response.status_code == 303
    assert "3 reviews of" in text_of(client.get(page_url(call, confirmed)))
    assert all(m != jurors[1].id for m, _a in live(confirmed))
    assert Counter(a for _m, a in live(confirmed, confirmed=True)) == {a.id: 2 for a in submitted}


@pytest.mark.parametrize("who, status", [
    ("coordinator", 200), ("chair", 200), ("juror", 403), ("applicant", 404), ("other_coordinator", 404),
])
def test_who_may_reach_the_chair_page(who, status, client, login_as, make_user, other_city, coordinator, chair,
                                      call, round_, jurors, submitted):
    """The call's coordinators and chair run the assignment; a juror is refused (403); an applicant
    and another city's coordinator get 404, as for a page that does not exist, on reading and posting."""
    users = {"coordinator": coordinator, "chair": chair.user, "juror": jurors[0].user, "applicant": submitted[0].owner,
             "other_coordinator": make_user(roles=[("city_coordinator", "city", other_city.id)])}
    login_as(users[who])

    assert client.get(page_url(call, round_)).status_code == status
    posted = client.post_form(page_url(call, round_, "/propose"))
    assert posted.status_code == (303 if status == 200 else status)


def test_a_missing_round_or_another_calls_round_is_404(client, login_as, coordinator, call, make_call, round_):
    """A round id that names nothing, or a round of another call, is answered 404."""
    other = add_round(make_call(), k=2)
    login_as(coordinator)

    assert client.get(f"/manage/calls/{call.id}/jury/rounds/2000000001/assignment").status_code == 404
    assert client.get(page_url(call, other)).status_code == 404


def test_the_page_needs_a_login(client, call, round_):
    """Nobody logged in is sent to the login page."""
    response = client.get(page_url(call, round_))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- One lock order: the call's rounds, then the members -----------------------------------------

def _waits_on_the_round_holding_no_member(race, round_id, operation):
    """Hold the round's row lock from another connection, run ``operation(round, member)`` in a
    thread: it must wait for the round while holding no member's lock (the jury's lock order:
    rounds, then members), then finish once the round is free."""
    from sqlalchemy import text

    from residency.jury.models import PanelMember

    with race.app_context():
        call_id, member_id = db.session.execute(db.select(Round.call_id, PanelMember.id).join(
            PanelMember, PanelMember.call_id == Round.call_id).where(Round.id == round_id)
            .order_by(PanelMember.id).limit(1)).one()
        db.session.remove()
        engine = db.engine
        holder, probe = engine.connect(), engine.connect()
    done, failure = threading.Event(), []

    def run():
        with race.app_context():
            try:
                operation(db.session.get(Round, round_id), db.session.get(PanelMember, member_id))
                db.session.commit()
            except Exception as error:  # reported below
                failure.append(error)
            finally:
                db.session.remove()
                done.set()

    try:
        holder.execute(text("SELECT id FROM jury_rounds WHERE id = :id FOR UPDATE"), {"id": round_id})
        thread = threading.Thread(target=run)
        thread.start()
        waiting = False
        for _ in range(600):  # until the operation waits for the round (at most a minute)
            waiting = probe.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar() > 0
            probe.rollback()
            if waiting or done.wait(0.1):
                break
        assert waiting and not done.is_set(), "the operation did not wait for the round"
        # Meanwhile every member of the call is free: the operation took no member lock first.
        free = probe.execute(text("SELECT id FROM jury_members WHERE call_id = :call FOR UPDATE NOWAIT"),
                             {"call": call_id}).all()
        assert len(free) == 4
        probe.rollback()
        holder.rollback()
        thread.join(timeout=60)
        assert done.is_set() and not failure, failure
    finally:
        holder.close()
        probe.close()


@pytest.mark.parametrize("path", ["conflicts_refresh", "declare", "bids", "step_down"])
def test_member_paths_lock_the_rounds_before_the_members(race_app, path):
    """Refreshing the automatic conflicts (the conflict and bid pages, proposing, starting
    scoring), declaring a conflict, saving bids and stepping down wait for the call's rounds
    before locking a member, as proposing and changing an assignment do: two such actions at
    the same moment wait for each other instead of deadlocking."""
    from residency.jury import bids

    round_id, _actor_id = race_data(race_app)
    operations = {
        "conflicts_refresh": lambda round_, member: conflicts.refresh_automatic_conflicts(round_.call),
        "declare": lambda round_, member: conflicts.declare_conflicts(
            member, {conflicts.candidate_applications(round_.call)[0].id: (True, "Friend")}, member.user),
        "bids": lambda round_, member: bids.save_bids(
            member, {conflicts.candidate_applications(round_.call)[0].id: "eager"}, member.user),
        "step_down": lambda round_, member: panels.step_down(member.user, round_.call),
    }
    _waits_on_the_round_holding_no_member(race_app, round_id, operations[path])
