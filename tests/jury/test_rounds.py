"""Rounds: created and edited by the call's coordinators with times in the call's timezone, the
applications they cover, and their phase moves set-up → scoring → closed through one checked
function; the rounds' clock; the demo's jury."""

import html
import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from residency.applications.models import ApplicationState
from residency.core.errors import ActionRefused
from residency.core.types import utcnow
from residency.extensions import db
from residency.jury import round_moves, rounds
from residency.jury.models import Assignment, Round, RoundApplication, RoundCoverage, RoundPhase


def text(response):
    return html.unescape(response.get_data(as_text=True))


def rounds_url(call, suffix=""):
    return f"/manage/calls/{call.id}/jury/rounds" + suffix


def local(moment):
    return moment.strftime("%Y-%m-%dT%H:%M")


def form(**fields):
    closes = (utcnow() + timedelta(days=20)).astimezone(timezone.utc).replace(tzinfo=None)
    values = {"name": "Shortlist", "scoring_opens_at": "", "scoring_closes_at": local(closes), "coverage": "eligible",
              "reviews_per_application": "2", "others_scores": "after_own", "max_pair_probability": ""}
    values.update(fields)
    return {name: value for name, value in values.items() if value is not None}


def last_sunday(year, month):
    day = date(year, month, 31)
    return day - timedelta(days=(day.weekday() - 6) % 7)


def next_change(month):
    """The next day the clocks change in Europe/Paris in ``month`` (3: forward, 10: back), at least
    two days ahead."""
    today = utcnow().date()
    return next(day for day in (last_sunday(year, month) for year in (today.year, today.year + 1))
                if day > today + timedelta(days=2))


@pytest.fixture
def coordinated(client, login_as, coordinator):
    login_as(coordinator)
    return client


def make_round(call, number=1, phase=RoundPhase.SETUP, coverage=RoundCoverage.ELIGIBLE, **fields):
    round_ = Round(call_id=call.id, number=number, name=f"Round {number}", phase=phase, coverage=coverage,
                   scoring_closes_at=fields.pop("scoring_closes_at", utcnow() + timedelta(days=10)), **fields)
    db.session.add(round_)
    db.session.commit()
    return round_


def confirm_assignment(round_, members, applications):
    """A confirmed assignment, as the assignment part writes it: every application to each member."""
    now = utcnow()
    for member in members:
        for application in applications:
            db.session.add(Assignment(round_id=round_.id, member_id=member.id, application_id=application.id,
                                      confirmed_at=now))
    round_.assignment_confirmed_at = now
    db.session.commit()


# --- Creating and editing ------------------------------------------------------------------------

def test_round_times_are_entered_in_the_calls_timezone_across_the_spring_change(coordinated, call):
    """Times are read as the call's wall-clock time (Europe/Paris) and stored in UTC: noon the day
    before the clocks go forward is 11:00 UTC, noon the day after is 10:00 UTC; the form shows them
    back as entered."""
    change = next_change(3)
    opens, closes = datetime.combine(change - timedelta(days=1), datetime.min.time()).replace(hour=12), \
        datetime.combine(change + timedelta(days=1), datetime.min.time()).replace(hour=12)
    response = coordinated.post_form(rounds_url(call, "/new"), form(scoring_opens_at=local(opens),
                                                                    scoring_closes_at=local(closes)))
    assert response.status_code == 302
    [round_] = rounds.rounds_of(call)
    assert round_.number == 1 and round_.phase == RoundPhase.SETUP
    assert round_.scoring_opens_at == opens.replace(hour=11, tzinfo=timezone.utc)
    assert round_.scoring_closes_at == closes.replace(hour=10, tzinfo=timezone.utc)
    assert round_.scoring_closes_at - round_.scoring_opens_at == timedelta(hours=47)
    page = text(coordinated.get(response.location))
    assert f'value="{local(opens)}"' in page and f'value="{local(closes)}"' in page
    assert "UTC+02:00" in page and "UTC+01:00" in page


def test_a_time_the_clocks_skip_is_refused_and_one_that_happens_twice_is_explained(coordinated, call):
    """02:30 on the night the clocks go forward does not exist in Paris: refused next to the field.
    02:30 on the night they go back happens twice: the first (summer time) is taken and the page
    says so."""
    skipped = datetime.combine(next_change(3), datetime.min.time()).replace(hour=2, minute=30)
    refused = coordinated.post_form(rounds_url(call, "/new"), form(scoring_closes_at=local(skipped)))
    assert refused.status_code == 400
    assert "does not exist in Europe/Paris" in text(refused)
    assert rounds.rounds_of(call) == []

    twice = datetime.combine(next_change(10), datetime.min.time()).replace(hour=2, minute=30)
    created = coordinated.post_form(rounds_url(call, "/new"), form(scoring_closes_at=local(twice)),
                                    follow_redirects=True)
    assert "happens twice in Europe/Paris" in text(created)
    [round_] = rounds.rounds_of(call)
    assert round_.scoring_closes_at == twice.replace(hour=0, tzinfo=timezone.utc)


def test_bad_round_settings_are_all_listed(coordinated, call):
    """A missing name, scoring closing before it opens, k out of range, a probability above 1 and
    'advanced' for the first round are each refused next to their field, together; nothing is saved."""
    later = utcnow() + timedelta(days=30)
    response = coordinated.post_form(rounds_url(call, "/new"), form(
        name="  ", scoring_opens_at=local(later), scoring_closes_at=local(later - timedelta(days=1)),
        reviews_per_application="0", max_pair_probability="1.5", coverage="advanced"))
    assert response.status_code == 400
    page = text(response)
    for message in ("Give the round a name", "Scoring must close after it opens", "from 1 to 20",
                    "at most 1", "The first round has no previous round"):
        assert message in page
    past = coordinated.post_form(rounds_url(call, "/new"), form(scoring_closes_at=local(utcnow() - timedelta(days=1))))
    assert past.status_code == 400 and "This time has already passed." in text(past)
    assert rounds.rounds_of(call) == []


def test_rounds_are_numbered_in_order_and_later_ones_default_to_the_advanced_applications(coordinated, call):
    """The second round is number 2 and its form proposes the applications the first advanced."""
    coordinated.post_form(rounds_url(call, "/new"), form())
    page = coordinated.get(rounds_url(call, "/new")).get_data(as_text=True)
    assert re.search(r'<input(?=[^>]*value="advanced")(?=[^>]*\bchecked\b)[^>]*>', page)
    coordinated.post_form(rounds_url(call, "/new"), form(name="Final", coverage="advanced"))
    assert [(r.number, r.name, r.coverage) for r in rounds.rounds_of(call)] == [
        (1, "Shortlist", "eligible"), (2, "Final", "advanced")]
    listing = text(coordinated.get(rounds_url(call)))
    assert "1. Shortlist" in listing and "2. Final" in listing


def test_what_a_round_may_change_depends_on_its_phase(coordinated, call, make_member, submitted):
    """Once the assignment is confirmed, k and coverage are fixed; in scoring only the name and the
    closing time change (not into the past); the page shows the fixed settings disabled and ignores
    them."""
    round_ = make_round(call, reviews_per_application=2)
    confirm_assignment(round_, [make_member(call)], submitted)
    with pytest.raises(ActionRefused) as refused:
        rounds.update_round(None, round_, dict(_values(round_), reviews_per_application=3))
    assert refused.value.status == 409 and "assignment of this round is confirmed" in str(refused.value.message)
    db.session.rollback()

    round_moves.move_round(round_, RoundPhase.SCORING)
    db.session.commit()
    url = rounds_url(call, f"/{round_.id}")
    page = coordinated.get(url).get_data(as_text=True)
    for name in ("reviews_per_application", "blind", "scoring_opens_at"):
        assert re.search(rf'<input(?=[^>]*name="{name}")(?=[^>]*\bdisabled\b)[^>]*>', page), name
    assert not re.search(r'<input(?=[^>]*name="scoring_closes_at")(?=[^>]*\bdisabled\b)[^>]*>', page)
    later = round_.scoring_closes_at + timedelta(days=3)
    paris = later.astimezone(ZoneInfo("Europe/Paris")).replace(tzinfo=None)
    response = coordinated.post_form(url, form(name="Shortlist (extended)", scoring_closes_at=local(paris),
                                               reviews_per_application="7", blind="y"))
    assert response.status_code == 302
    db.session.refresh(round_)
    assert (round_.name, round_.reviews_per_application, round_.blind) == ("Shortlist (extended)", 2, False)
    assert round_.scoring_closes_at == later.replace(second=0, microsecond=0)
    with pytest.raises(ActionRefused) as refused:
        rounds.update_round(None, round_, dict(_values(round_), blind=True))
    assert refused.value.status == 409
    db.session.rollback()
    past = coordinated.post_form(url, form(scoring_closes_at=local(utcnow() - timedelta(hours=1))))
    assert past.status_code == 400 and "already passed" in text(past)


def _values(round_):
    zone = ZoneInfo(round_.call.timezone)
    values = {name: getattr(round_, name) for name in ("name", "coverage", "reviews_per_application", "blind",
                                                        "others_scores", "max_pair_probability")}
    for name in ("scoring_opens_at", "scoring_closes_at"):
        value = getattr(round_, name)
        values[name] = value.astimezone(zone).replace(tzinfo=None) if value else None
    return values


# --- What a round covers -------------------------------------------------------------------------

def test_a_round_covers_the_eligible_submitted_applications_then_freezes_them(call, make_application, make_member):
    """Being set up, a round covers the applications submitted and marked eligible (not the
    ineligible, unchecked, draft or withdrawn ones), following new decisions; from scoring on the
    set is fixed, less the applications their artists withdraw."""
    covered = [make_application(call, eligible=True) for _ in range(3)]
    unchecked = make_application(call, eligible=None)
    make_application(call, eligible=False)
    make_application(call, state=ApplicationState.DRAFT, eligible=True)
    make_application(call, state=ApplicationState.WITHDRAWN, eligible=True)
    round_ = make_round(call)
    assert [a.id for a in rounds.round_applications(round_)] == [a.id for a in covered]
    unchecked.eligible = True
    db.session.commit()
    assert len(rounds.round_applications(round_)) == 4

    confirm_assignment(round_, [make_member(call)], covered + [unchecked])
    round_moves.move_round(round_, RoundPhase.SCORING)
    db.session.commit()
    frozen = {row.application_id for row in db.session.execute(
        db.select(RoundApplication).where(RoundApplication.round_id == round_.id)).scalars()}
    assert frozen == {a.id for a in covered + [unchecked]}
    late = make_application(call, eligible=True)
    covered[0].state = ApplicationState.WITHDRAWN
    db.session.commit()
    assert [a.id for a in rounds.round_applications(round_)] == [a.id for a in covered[1:] + [unchecked]]
    assert late.id not in rounds.round_application_ids(round_)


def test_the_next_round_covers_what_the_previous_one_advanced(coordinated, call, submitted, make_member):
    """A closed round's coordinators tick the applications that go on; the next round covers those
    only. Advancing is refused while the round is open and for an application it does not cover."""
    first = make_round(call)
    confirm_assignment(first, [make_member(call)], submitted)
    round_moves.move_round(first, RoundPhase.SCORING)
    db.session.commit()
    second = make_round(call, number=2, coverage=RoundCoverage.ADVANCED)
    url = rounds_url(call, f"/{first.id}/advanced")
    early = coordinated.post_form(url, {"advanced": [str(submitted[0].id)]}, follow_redirects=True)
    assert "Close the round before choosing" in text(early)
    refused = coordinated.post_form(rounds_url(call, f"/{second.id}/move/scoring"))
    assert refused.status_code == 409 and "Round 1, “Round 1”, is not closed yet" in text(refused)

    round_moves.move_round(first, RoundPhase.CLOSED)
    db.session.commit()
    stranger = coordinated.post_form(url, {"advanced": ["2147483000"]}, follow_redirects=True)
    assert "not in this round" in text(stranger)
    chosen = [submitted[1].id, submitted[4].id]
    response = coordinated.post_form(url, {"advanced": [str(i) for i in chosen]}, follow_redirects=True)
    assert "2 applications go on to the next round." in text(response)
    assert rounds.round_application_ids(second) == chosen
    assert rounds.advanced_ids(first) == set(chosen)


def test_the_current_round(call):
    """The current round is the one in scoring, else the first being set up, else the last closed."""
    assert rounds.current_round(call) is None
    first = make_round(call)
    second = make_round(call, number=2, coverage=RoundCoverage.ADVANCED)
    assert rounds.current_round(call) == first
    first.phase = RoundPhase.SCORING
    assert rounds.current_round(call) == first
    first.phase = RoundPhase.CLOSED
    assert rounds.current_round(call) == second
    second.phase = RoundPhase.CLOSED
    assert rounds.current_round(call) == second


# --- Moving --------------------------------------------------------------------------------------

def test_illegal_phase_moves_are_refused_with_a_clear_error(coordinated, call, submitted, make_member):
    """Set-up cannot jump to closed, a closed round cannot score again, and no round goes back to
    set-up: each is a 409 with the reason, and the phase stays."""
    round_ = make_round(call)
    response = coordinated.post_form(rounds_url(call, f"/{round_.id}/move/closed"))
    assert response.status_code == 409
    assert "A round cannot go from “Being set up” to “Closed”." in text(response)
    assert coordinated.get(rounds_url(call, f"/{round_.id}/move/setup")).status_code == 404
    db.session.refresh(round_)
    assert round_.phase == RoundPhase.SETUP

    confirm_assignment(round_, [make_member(call)], submitted)
    round_moves.move_round(round_, RoundPhase.SCORING)
    for target in (RoundPhase.SETUP, RoundPhase.SCORING):
        with pytest.raises(ActionRefused) as refused:
            round_moves.move_round(round_, target)
        assert refused.value.status == 409
    round_moves.move_round(round_, RoundPhase.CLOSED)
    for target in (RoundPhase.SETUP, RoundPhase.SCORING, RoundPhase.CLOSED):
        with pytest.raises(ActionRefused) as refused:
            round_moves.move_round(round_, target)
        assert "A round cannot go from" in str(refused.value.message)
    assert round_.phase == RoundPhase.CLOSED


def test_scoring_starts_only_with_applications_and_a_confirmed_assignment(coordinated, call, make_application,
                                                                          make_member):
    """Starting scoring says every reason it cannot happen: no eligible application, no confirmed
    assignment, an application without a juror; once ready it starts and the round page says so."""
    round_ = make_round(call)
    url = rounds_url(call, f"/{round_.id}/move/scoring")
    nothing = coordinated.post_form(url)
    assert nothing.status_code == 409
    assert "No application is both submitted and marked eligible" in text(nothing)
    assert "not confirmed yet" in text(nothing)
    applications = [make_application(call, eligible=True) for _ in range(3)]
    member = make_member(call)
    confirm_assignment(round_, [member], applications[:2])
    partial = coordinated.get(url)
    assert "1 of the applications this round covers have no juror" in text(partial)
    assert coordinated.post_form(url).status_code == 409
    db.session.refresh(round_)
    assert round_.phase == RoundPhase.SETUP

    confirm_assignment(round_, [make_member(call)], applications[2:])
    assert "Yes: Start scoring" in text(coordinated.get(url))
    response = coordinated.post_form(url, follow_redirects=True)
    assert "Round 1 is now “Scoring”." in text(response)
    db.session.refresh(round_)
    assert round_.phase == RoundPhase.SCORING
    closed = coordinated.post_form(rounds_url(call, f"/{round_.id}/move/closed"))
    assert closed.status_code == 302
    db.session.refresh(round_)
    assert round_.phase == RoundPhase.CLOSED


def test_scoring_waits_when_the_assignment_covers_an_application_no_longer_eligible(coordinated, call,
                                                                                     submitted, make_member):
    """An application found ineligible after the assignment was confirmed keeps scoring from
    starting until the assignment is made again."""
    round_ = make_round(call)
    confirm_assignment(round_, [make_member(call)], submitted)
    submitted[2].eligible = False
    db.session.commit()
    response = coordinated.post_form(rounds_url(call, f"/{round_.id}/move/scoring"))
    assert response.status_code == 409
    assert "1 of the applications in the confirmed assignment are no longer covered" in text(response)
    assert round_.phase == RoundPhase.SETUP


def test_the_pair_probability_takes_a_decimal_comma(coordinated, call):
    """0,5 (a decimal comma, as in French) is read as 0.5."""
    assert coordinated.post_form(rounds_url(call, "/new"), form(max_pair_probability="0,5")).status_code == 302
    assert rounds.rounds_of(call)[0].max_pair_probability == 0.5


def test_the_clock_closes_rounds_at_their_closing_time_and_opens_ready_ones(call, make_call, make_application,
                                                                           make_member):
    """At its closing time a round in scoring closes; at its opening time a round being set up
    starts scoring if it is ready, and waits otherwise."""
    now = utcnow()
    scoring = make_round(call, phase=RoundPhase.SCORING, scoring_closes_at=now - timedelta(minutes=1))
    ready_call, waiting_call = make_call(), make_call()
    ready = make_round(ready_call, scoring_opens_at=now - timedelta(minutes=1))
    applications = [make_application(ready_call, eligible=True) for _ in range(2)]
    confirm_assignment(ready, [make_member(ready_call)], applications)
    waiting = make_round(waiting_call, scoring_opens_at=now - timedelta(minutes=1))
    started, closed = round_moves.tick(now)
    db.session.commit()
    assert (started, closed) == ([ready.id], [scoring.id])
    assert (scoring.phase, ready.phase, waiting.phase) == (RoundPhase.CLOSED, RoundPhase.SCORING, RoundPhase.SETUP)
    assert round_moves.tick(now) == ([], [])


def test_a_round_of_another_call_is_404(coordinated, call, make_call):
    """A round id of another call is answered as a missing one."""
    other = make_round(make_call())
    assert coordinated.get(rounds_url(call, f"/{other.id}")).status_code == 404
    assert coordinated.post_form(rounds_url(call, f"/{other.id}/move/scoring")).status_code == 404


# --- The demo ------------------------------------------------------------------------------------

def test_the_demo_jury_loads_twice_without_change(app, db, client):
    """The demo gives the Lyon call a panel of five jurors and a chair (the demo juror and chair
    among them, each holding the role that matches), eligible applications and a first round; a
    second run changes nothing."""
    from residency.accounts.models import RoleGrant, User
    from residency.applications.models import Application
    from residency.calls.demo import LYON_SLUG
    from residency.calls.models import Call
    from residency.jury.models import MemberStatus, PanelMember
    from tests.services import require_binary

    require_binary("ffmpeg")
    runner = app.test_cli_runner()

    def state():
        call = db.session.execute(db.select(Call).where(Call.slug == LYON_SLUG)).scalar_one()
        members = db.session.execute(db.select(PanelMember).where(PanelMember.call_id == call.id)
                                     .order_by(PanelMember.id)).scalars().all()
        grants = db.session.execute(db.select(RoleGrant.user_id, RoleGrant.role).where(
            RoleGrant.scope_type == "call", RoleGrant.scope_id == call.id)).all()
        counts = tuple(db.session.scalar(db.select(db.func.count()).select_from(model))
                       for model in (User, Application, PanelMember, Round, RoundApplication, RoleGrant))
        return call, members, sorted(grants), counts

    first = runner.invoke(args=["residency", "demo"])
    assert first.exit_code == 0, first.output
    call, members, grants, counts = state()
    assert [(m.email, m.role) for m in members if m.status == MemberStatus.ACTIVE and m.role == "chair"] == [
        ("chair@demo.example.org", "chair")]
    jurors = [m for m in members if m.status == MemberStatus.ACTIVE and m.role == "juror"]
    assert len(jurors) == 5 and "juror@demo.example.org" in [m.email for m in jurors]
    assert grants == sorted((m.user_id, "jury_chair" if m.role == "chair" else "juror") for m in members)
    [round_] = rounds.rounds_of(call)
    assert len(rounds.round_application_ids(round_)) >= 6
    assert round_.phase == RoundPhase.SCORING and round_.assignment_confirmed_at is not None
    assert "Demo jury of the Lyon call" in first.output, first.output
    # One declared conflict, a confirmed assignment that respects it, and part of the scores.
    from residency.jury.models import Assignment, Conflict, Review

    [declared] = db.session.execute(db.select(Conflict).where(Conflict.source == "declared")).scalars().all()
    live = db.session.execute(db.select(Assignment).where(Assignment.round_id == round_.id,
                                                          Assignment.removed_at.is_(None))).scalars().all()
    assert live and all(a.confirmed_at for a in live)
    assert (declared.member_id, declared.application_id) not in {(a.member_id, a.application_id) for a in live}
    reviews = db.session.scalar(db.select(db.func.count()).select_from(Review).where(Review.round_id == round_.id))
    assert 0 < reviews < len(live)

    second = runner.invoke(args=["residency", "demo"])
    assert second.exit_code == 0, second.output
    assert state()[2:] == (grants, counts)
    assert db.session.scalar(db.select(db.func.count()).select_from(Review).where(Review.round_id == round_.id)) \
        == reviews
