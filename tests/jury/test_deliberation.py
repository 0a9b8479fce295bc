"""The chair deliberates over HTTP: the round's table under each method (sorted as asked,
filtered, a lenient juror and a disagreement flagged, a clear empty state before any score),
one application's sheets and comments, decisions (the chair only), the discussion thread of the
round's jurors (a conflicted juror meets it as a missing page), publication, and the exports."""

import io
import re

import pytest
from openpyxl import load_workbook

from residency.applications.models import ApplicationState
from residency.jury import scoring
from residency.jury.models import Conflict, ConflictReason, ConflictSource, RoundPhase
from residency.jury.record_models import Decision, DiscussionMessage
from tests.accounts.support import page_text
from tests.invisible import differences, Route
from tests.jury.deliberation_support import closed, jury  # noqa: F401  (fixtures)
from tests.jury.scoring_support import assign, make_round


def html_text(html):
    import html as entities

    return entities.unescape(html)


def url(jury, *rest):
    return "/".join([f"/jury/rounds/{jury.round.id}/deliberation", *map(str, rest)])


def data_rows(html):
    """The table's rows as (application number, flagged) in page order."""
    return [(int(number), flag is not None and flag != "") for number, flag in
            re.findall(r'<tr data-application="(\d+)"( data-disagreement)?', html)]


def test_before_any_score_the_table_says_so(client, login_as, call, make_member, make_user, submitted):
    chair = make_member(call, make_user(name="Chris Chair"), role="chair")
    round_ = make_round(call, applications=submitted, phase=RoundPhase.CLOSED, closes_in=None)
    login_as(chair.user)
    response = client.get(f"/jury/rounds/{round_.id}/deliberation")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "data-empty" in html and "No application of this round has a score yet" in html
    assert len(data_rows(html)) == len(submitted)  # listed, unranked


@pytest.mark.parametrize("method", ["mean", "zscore", "calibrated"])
def test_the_table_sorts_by_each_method(client, login_as, closed, method):
    login_as(closed.chair.user)
    html = client.get(url(closed) + f"?sort={method}").get_data(as_text=True)
    assert f'data-sorted-by="{method}"' in html
    places = [int(p) for p in re.findall(r"#(\d+): ", html)]
    # Each row shows the three methods' places; the sorted one's run 1, 2, 3…
    index = ["mean", "zscore", "calibrated"].index(method)
    assert [places[row * 3 + index] for row in range(len(places) // 3)] == list(range(1, 7))


def test_the_lenient_juror_and_the_disagreement_are_flagged(client, login_as, closed):
    login_as(closed.chair.user)
    html = client.get(url(closed)).get_data(as_text=True)
    lenient = closed.jurors["lenient"].id
    assert re.search(rf'<tr data-juror="{lenient}" data-flagged>', html)
    text = html_text(html)
    assert re.search(r"Scores about \d\.\d points above the panel", text)
    assert "Krippendorff's alpha:" in text
    flagged = [number for number, flag in data_rows(html) if flag]
    assert len(flagged) == 1
    only = client.get(url(closed) + "?disagreement=1").get_data(as_text=True)
    assert [number for number, _flag in data_rows(only)] == flagged


def test_decision_filters(client, login_as, db, closed):
    login_as(closed.chair.user)
    response = client.post_form(url(closed, closed.applications[0].id),
                                {"stage": "final", "outcome": "selected", "rationale": "Best of the round."})
    assert response.status_code == 303
    selected = data_rows(client.get(url(closed) + "?decision=selected").get_data(as_text=True))
    undecided = data_rows(client.get(url(closed) + "?decision=none").get_data(as_text=True))
    assert len(selected) == 1 and len(undecided) == 5


def test_the_application_page_shows_sheets_comments_and_records_the_chairs_decision(client, login_as, db, closed):
    login_as(closed.chair.user)
    target = url(closed, closed.applications[3].id)
    text = page_text(client.get(target))
    assert "lenient on 3" in text and "harsh on 3" in text and "disagreement" in text
    refused = client.post_form(target, {"stage": "final", "outcome": "declined", "rationale": ""})
    assert refused.status_code == 400 and "Give the panel's rationale" in page_text(refused)
    done = client.post_form(target, {"stage": "final", "outcome": "declined", "rationale": "Split panel; no."})
    assert done.status_code == 303
    decision = db.session.execute(db.select(Decision)).scalar_one()
    assert decision.decided_by_id == closed.chair.user.id and decision.rationale == "Split panel; no."
    assert "Split panel; no." in page_text(client.get(target))


def test_a_coordinator_sees_the_deliberation_but_does_not_decide(client, login_as, db, coordinator, closed):
    login_as(coordinator)
    assert client.get(url(closed)).status_code == 200
    response = client.post_form(url(closed, closed.applications[0].id),
                                {"stage": "final", "outcome": "selected", "rationale": "Mine."})
    assert response.status_code == 403
    assert "Only the chair" in page_text(response)
    assert db.session.scalar(db.select(db.func.count(Decision.id))) == 0


def test_a_juror_is_kept_out_of_the_chairs_pages(client, login_as, closed):
    login_as(closed.jurors["fair"].user)
    assert client.get(url(closed)).status_code == 403
    assert client.post_form(url(closed, closed.applications[0].id),
                            {"stage": "final", "outcome": "selected", "rationale": "Me."}).status_code == 403


def test_a_decision_on_an_application_outside_the_round_is_a_missing_page(client, login_as, db, closed, call,
                                                                         make_application):
    outside = make_application(call, eligible=True)
    login_as(closed.chair.user)
    response = client.post_form(url(closed, outside.id), {"stage": "final", "outcome": "selected",
                                                          "rationale": "Sneaky."})
    assert response.status_code == 404
    assert db.session.scalar(db.select(db.func.count(Decision.id))) == 0


def test_publication_over_http(client, login_as, db, closed):
    login_as(closed.chair.user)
    client.post_form(url(closed, closed.applications[0].id), {"stage": "final", "outcome": "selected",
                                                              "rationale": "Best."})
    page = page_text(client.get(f"/jury/calls/{closed.call.id}/publish"))
    assert "Waiting to be published" in page and "Selected" in page
    response = client.post_form(f"/jury/calls/{closed.call.id}/publish")
    assert response.status_code == 303
    db.session.expire_all()
    assert closed.applications[0].state == ApplicationState.SELECTED
    assert "Every final decision is published" in page_text(client.get(f"/jury/calls/{closed.call.id}/publish"))


def test_the_applicant_sees_the_outcome_on_the_application_page(client, login_as, db, closed):
    login_as(closed.chair.user)
    client.post_form(url(closed, closed.applications[2].id), {"stage": "final", "outcome": "waitlisted",
                                                              "rationale": "Close."})
    client.post_form(f"/jury/calls/{closed.call.id}/publish")
    login_as(closed.applications[2].owner)
    text = page_text(client.get(f"/applications/{closed.applications[2].id}"))
    assert "On the waiting list" in text


# The discussion -------------------------------------------------------------------------------

def thread_url(jury, application):
    return f"/jury/rounds/{jury.round.id}/applications/{application.id}/discussion"


def test_the_rounds_jurors_discuss_once_scoring_is_closed(client, login_as, db, jury):
    target = thread_url(jury, jury.applications[3])
    login_as(jury.jurors["fair"].user)
    early = client.post_form(target, {"body": "Too early?"})
    assert early.status_code == 409 and "opens when scoring of the round is closed" in page_text(early)
    jury.close()
    assert client.post_form(target, {"body": "   "}).status_code == 400
    assert client.post_form(target, {"body": "x" * 5001}).status_code == 400
    assert client.post_form(target, {"body": "The video is stunning; the plan is thin."}).status_code == 303
    login_as(jury.jurors["harsh"].user)
    text = page_text(client.get(target))
    assert "The video is stunning" in text and "Fair Juror" in text
    login_as(jury.chair.user)
    assert client.post_form(target, {"body": "Let us decide on Thursday."}).status_code == 303
    assert "The video is stunning" in page_text(client.get(url(jury, jury.applications[3].id)))
    assert db.session.scalar(db.select(db.func.count(DiscussionMessage.id))) == 2


def test_jurors_find_the_threads_from_their_list_once_scoring_is_closed(client, login_as, jury):
    """Every application of the round they may discuss, not only their own, linked from their list."""
    login_as(jury.jurors["fair"].user)
    listing = f"/jury/rounds/{jury.round.id}/applications"
    assert "/discussion" not in client.get(listing).get_data(as_text=True)
    jury.close()
    html = client.get(listing).get_data(as_text=True)
    assert len(re.findall(rf'/jury/rounds/{jury.round.id}/applications/\d+/discussion', html)) == len(jury.applications)


def test_a_conflicted_juror_meets_the_thread_as_a_missing_one(app, client, login_as, db, closed):
    juror = closed.jurors["harsh"]
    application = closed.applications[1]
    db.session.add(Conflict(call_id=closed.call.id, member_id=juror.id, application_id=application.id,
                            source=ConflictSource.DECLARED, reason=ConflictReason.DECLARED, details="My student"))
    db.session.commit()
    login_as(juror.user)
    routes = [Route("jury.discussion_page", ("GET",), ("round_id", "application_id")),
              Route("jury.post_to_discussion", ("POST",), ("round_id", "application_id"), form={"body": "Hi"})]
    assert differences(app, client, routes, {"round_id": closed.round.id, "application_id": application.id}) == []
    assert db.session.scalar(db.select(db.func.count(DiscussionMessage.id))) == 0


def test_a_panel_member_without_work_in_the_round_is_not_in_its_threads(app, client, login_as, db, closed,
                                                                         make_member, make_user):
    """A juror of the panel with no assignment in this round: as a missing page."""
    idle = make_member(closed.call, make_user(name="Ida Idle"))
    other = make_round(closed.call, phase=RoundPhase.SETUP, applications=closed.applications[:1])
    assign(other, idle, closed.applications[0])
    login_as(idle.user)
    routes = [Route("jury.discussion_page", ("GET",), ("round_id", "application_id"))]
    assert differences(app, client, routes, {"round_id": closed.round.id,
                                             "application_id": closed.applications[0].id}) == []


# Exports --------------------------------------------------------------------------------------

def test_csv_exports_of_scores_and_ranking(client, login_as, closed):
    login_as(closed.chair.user)
    scores = client.get(f"/jury/rounds/{closed.round.id}/export/scores.csv")
    assert scores.status_code == 200 and scores.mimetype == "text/csv"
    assert "attachment" in scores.headers["Content-Disposition"]
    lines = scores.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Application,Applicant,Juror,Status,Artistic quality")
    assert len(lines) == 1 + 18 and any("Lenient Juror" in line for line in lines)
    ranking = client.get(f"/jury/rounds/{closed.round.id}/export/ranking.csv").get_data(as_text=True)
    header = ranking.lstrip("\ufeff").splitlines()[0]
    assert "Calibrated: place" in header and "Mean: estimate" in header and "Final decision" in header
    assert client.get(f"/jury/rounds/{closed.round.id}/export/other.csv").status_code == 404


def test_xlsx_export_has_both_sheets_and_no_formula(client, login_as, db, closed):
    juror = closed.jurors["fair"]
    closed.round.phase = RoundPhase.SCORING
    db.session.commit()
    assignment = closed.assignments["fair", 5]
    scoring.submit_review(juror, assignment, {}, abstain_reason="=HYPERLINK(\"http://evil\")",
                          loaded_review_id=scoring.current_review(assignment.id).id)
    closed.close()
    login_as(closed.chair.user)
    response = client.get(f"/jury/rounds/{closed.round.id}/export.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.get_data()))
    assert workbook.sheetnames == ["Scores", "Ranking"]
    cells = [cell for row in workbook["Scores"].iter_rows() for cell in row]
    evil = [cell for cell in cells if isinstance(cell.value, str) and "HYPERLINK" in cell.value]
    assert evil and all(cell.data_type == "s" for cell in evil)
    assert workbook["Ranking"].max_row == 1 + 6
