"""A person finds every jury page they may open by following links: the coordinators from the
call's jury, the chair and the jurors from their dashboard. Every page reached opens (200) for
them, and none they may not open is offered (the crawl would meet a 403 or 404)."""

import re
from datetime import timedelta
from html import unescape

import pytest

from residency.core.types import utcnow
from residency.extensions import db
from residency.jury.models import (
    Assignment,
    MemberRole,
    Round,
    RoundApplication,
    RoundPhase,
)

#: Jury pages a crawl does not open: files answer with a redirect to the storage.
NOT_OPENED = ("jury.application_file",)


def crawl(app, client, start, call):
    """``{url: (endpoint, status)}`` of the jury pages reached from ``start`` by following links."""
    adapter = app.url_map.bind("localhost")
    reached, queue = {}, [start]
    while queue:
        url = queue.pop(0)
        if url in reached:
            continue
        response = client.get(url)
        reached[url] = (adapter.match(url)[0], response.status_code)
        if response.mimetype != "text/html":
            continue
        for href in re.findall(r'href="([^"#]*)', response.get_data(as_text=True)):
            path = unescape(href).split("?")[0]
            if not path.startswith(("/jury", f"/manage/calls/{call.id}/jury")):
                continue
            if path not in reached and adapter.match(path)[0] not in NOT_OPENED:
                queue.append(path)
    return reached


def endpoints(reached):
    return {endpoint for endpoint, _status in reached.values()}


def refused(reached):
    return {url: status for url, (_endpoint, status) in reached.items() if status != 200}


@pytest.fixture
def jury(call, make_member, make_user, make_application):
    """A jury with a chair and a juror; round 1 in scoring (the juror scores two applications),
    round 2 being set up."""
    applications = [make_application(call, eligible=True) for _ in range(3)]
    chair, juror = make_user(name="Chris Chair"), make_user(name="Jo Juror")
    make_member(call, user=chair, role=MemberRole.CHAIR)
    member = make_member(call, user=juror)
    now = utcnow()
    first = Round(call_id=call.id, number=1, name="Shortlist", phase=RoundPhase.SCORING, reviews_per_application=1,
                  scoring_closes_at=now + timedelta(days=5), assignment_confirmed_at=now)
    second = Round(call_id=call.id, number=2, name="Final", coverage="advanced", reviews_per_application=1,
                   scoring_closes_at=now + timedelta(days=20))
    db.session.add_all([first, second])
    db.session.flush()
    for application in applications:
        db.session.add(RoundApplication(round_id=first.id, application_id=application.id))
    for application in applications[:2]:
        db.session.add(Assignment(round_id=first.id, member_id=member.id, application_id=application.id,
                                  confirmed_at=now))
    db.session.commit()
    return {"chair": chair, "juror": juror, "rounds": [first, second], "applications": applications}


def test_the_coordinators_reach_every_page_of_the_jury_from_its_tabs(app, client, login_as, coordinator, call,
                                                                      jury):
    """From the call's jury: the panel, rounds, settings, the panel's conflicts, each round, its
    assignment and its progress, a member's page, the identifying questions, a new round."""
    login_as(coordinator)
    reached = crawl(app, client, f"/manage/calls/{call.id}/jury/", call)
    assert refused(reached) == {}
    assert endpoints(reached) >= {"jury.panel", "jury.rounds", "jury.settings", "jury.panel_conflicts", "jury.round",
                                  "jury.assignment", "jury.progress", "jury.member", "jury.identifying_questions",
                                  "jury.new_round"}
    for round_ in jury["rounds"]:
        assert {f"/manage/calls/{call.id}/jury/rounds/{round_.id}",
                f"/manage/calls/{call.id}/jury/rounds/{round_.id}/assignment",
                f"/jury/rounds/{round_.id}/progress"} <= set(reached)


def test_each_round_page_links_its_assignment(client, login_as, coordinator, call, jury):
    """The round's page leads to the chair's assignment page of that round."""
    login_as(coordinator)
    for round_ in jury["rounds"]:
        page = client.get(f"/manage/calls/{call.id}/jury/rounds/{round_.id}").get_data(as_text=True)
        assert f'href="/manage/calls/{call.id}/jury/rounds/{round_.id}/assignment"' in page


def test_the_chair_reaches_their_pages_and_no_coordinators_page(app, client, login_as, call, jury):
    """From the dashboard: their own conflicts, bids and membership, and as chair the panel's
    conflicts, each round's assignment and progress; never a page only the coordinators open."""
    login_as(jury["chair"])
    reached = crawl(app, client, "/jury", call)
    assert refused(reached) == {}
    assert endpoints(reached) >= {"jury.dashboard", "jury.conflicts_page", "jury.bids_page", "jury.membership",
                                  "jury.step_down", "jury.round_applications", "jury.panel_conflicts",
                                  "jury.assignment", "jury.progress"}
    assert not endpoints(reached) & {"jury.panel", "jury.rounds", "jury.settings", "jury.round"}
    for round_ in jury["rounds"]:
        assert {f"/manage/calls/{call.id}/jury/rounds/{round_.id}/assignment",
                f"/jury/rounds/{round_.id}/progress"} <= set(reached)
    tabs = client.get(f"/jury/rounds/{jury['rounds'][0].id}/progress").get_data(as_text=True)
    assert f'href="/jury/calls/{call.id}/conflicts/panel"' in tabs


def test_a_juror_reaches_their_pages_from_the_dashboard(app, client, login_as, call, jury):
    """Per call: the declaration of conflicts, the bids, their place on the jury (and stepping
    down), per round their applications, each assigned application and their scores; nothing of
    the chair's or the coordinators'."""
    login_as(jury["juror"])
    reached = crawl(app, client, "/jury", call)
    assert refused(reached) == {}
    first, second = jury["rounds"]
    assert {f"/jury/calls/{call.id}/conflicts", f"/jury/calls/{call.id}/bids", f"/jury/calls/{call.id}/membership",
            f"/jury/calls/{call.id}/step-down", f"/jury/rounds/{first.id}/applications",
            f"/jury/rounds/{second.id}/applications", f"/jury/rounds/{first.id}/my-scores.csv"} <= set(reached)
    assert {f"/jury/rounds/{first.id}/applications/{application.id}"
            for application in jury["applications"][:2]} <= set(reached)
    assert not endpoints(reached) & {"jury.panel", "jury.rounds", "jury.settings", "jury.round", "jury.assignment",
                                     "jury.progress", "jury.panel_conflicts"}
