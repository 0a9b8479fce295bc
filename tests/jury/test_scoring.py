"""Jurors score the applications assigned to them, criterion by criterion on each scale, or
abstain with a reason; a changed sheet supersedes the earlier one, which is kept; nobody else
scores or even opens an application, and a closed round takes no more scores."""

from datetime import timedelta

import pytest

from residency.audit.models import AuditEntry
from residency.core.errors import ActionRefused
from residency.core.types import utcnow
from residency.jury import scoring
from residency.jury.models import (
    Comment,
    Conflict,
    MemberRole,
    Review,
    RoundPhase,
    Score,
    ScoresVisibility,
)
from tests.accounts.support import page_text
from tests.jury.scoring_support import (
    GOOD,
    assign,
    make_round,
    score_url,
    without_tokens,
)


@pytest.fixture
def juror(make_member, call, make_user):
    return make_member(call, make_user(name="Jules Juror"))


@pytest.fixture
def round_(call, submitted):
    return make_round(call, applications=submitted)


@pytest.fixture
def mine(round_, juror, submitted):
    """The juror's three assignments in the round."""
    return [assign(round_, juror, application) for application in submitted[:3]]


def reviews(db, **where):
    query = db.select(Review).order_by(Review.id)
    for name, value in where.items():
        query = query.where(getattr(Review, name) == value)
    return db.session.execute(query).scalars().all()


def scores_of(review):
    return {score.criterion_id: score.value for score in review.scores}


def post_sheet(client, round_, application, data=GOOD, loaded="", action="save", **extra):
    return client.post_form(score_url(round_, application),
                            {**data, "loaded_review": str(loaded), "action": action, **extra})


# The form and the happy path -------------------------------------------------------------------

def test_the_page_shows_each_criterion_with_its_scale_description_and_weight(client, login_as, juror, round_,
                                                                            mine, submitted):
    """The form comes from the call's rubric: name, description, weight and scale of each criterion."""
    login_as(juror.user)
    response = client.get(score_url(round_, submitted[0]))
    assert response.status_code == 200
    text = page_text(response)
    for name in ("Artistic quality", "Fit with the residency", "Feasibility online"):
        assert name in text
    assert "Strength of the proposal and of the portfolio." in text
    assert "From 1 to 5 · weight 2" in text and "From 0 to 10 · weight 1" in text
    html = response.get_data(as_text=True)
    assert 'name="score-c3"' in html and 'min="0" max="10"' in html
    assert "Statement" in text  # the frozen answers are on the page


def test_a_sheet_is_stored_per_criterion_with_its_juror_round_and_time(db, client, login_as, juror, round_, mine,
                                                                      submitted):
    """Saving stores one score per criterion, with the juror, the round, the application and the
    time; the audit log has it; the page then shows the saved values."""
    login_as(juror.user)
    before = utcnow()
    response = post_sheet(client, round_, submitted[0], **{"comment-panel": "Strong listening practice."})
    assert response.status_code == 303
    [review] = reviews(db)
    assert scores_of(review) == {"c1": 4.0, "c2": 3.0, "c3": 7.0}
    assert (review.member_id, review.round_id, review.application_id) == (juror.id, round_.id, submitted[0].id)
    assert review.submitted_at >= before and not review.abstained and review.supersedes_id is None
    [comment] = db.session.execute(db.select(Comment)).scalars().all()
    assert (comment.visibility, comment.body, comment.review_id) == ("panel", "Strong listening practice.", review.id)
    assert db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "jury.review_saved")).scalar_one()
    page = client.get(score_url(round_, submitted[0])).get_data(as_text=True)
    assert 'name="score-c3"' in page and 'value="7"' in page
    assert f'name="loaded_review" value="{review.id}"' in page


def test_a_changed_sheet_supersedes_the_earlier_one_which_is_kept(db, client, login_as, juror, round_, mine,
                                                                 submitted):
    """A second save is a new sheet naming the one it replaces; the first sheet and its scores stay
    as they were; the current sheet is the new one."""
    login_as(juror.user)
    post_sheet(client, round_, submitted[0])
    [first] = reviews(db)
    response = post_sheet(client, round_, submitted[0], {**GOOD, "score-c1": "5"}, loaded=first.id)
    assert response.status_code == 303
    first_again, second = reviews(db)
    assert first_again.id == first.id and scores_of(first_again) == {"c1": 4.0, "c2": 3.0, "c3": 7.0}
    assert second.supersedes_id == first.id and scores_of(second) == {"c1": 5.0, "c2": 3.0, "c3": 7.0}
    assert scoring.current_review(mine[0].id).id == second.id


def test_saving_the_same_sheet_again_adds_nothing(db, client, login_as, juror, round_, mine, submitted):
    """An unchanged sheet is not a new version."""
    login_as(juror.user)
    post_sheet(client, round_, submitted[0])
    [first] = reviews(db)
    assert post_sheet(client, round_, submitted[0], {"score-c1": "4.0", "score-c2": "3", "score-c3": "7"},
                      loaded=first.id).status_code == 303
    assert len(reviews(db)) == 1


def test_save_and_next_goes_to_the_next_unscored_application_then_to_the_list(db, client, login_as, juror, round_,
                                                                             mine, submitted):
    """"Save and next" opens the juror's next unscored application (in the round's label order);
    after the last one, the list of their applications, saying everything has a sheet."""
    from residency.jury import blind

    login_as(juror.user)
    numbers = blind.label_numbers(round_)
    order = [app_id for app_id in blind.ordered_ids(numbers) if app_id in {a.application_id for a in mine}]
    visited = [order[0]]
    response = post_sheet(client, round_, db.session.get(type(submitted[0]), order[0]), action="next")
    while response.headers["Location"].endswith(tuple(f"/applications/{app_id}" for app_id in order)):
        app_id = int(response.headers["Location"].rsplit("/", 1)[1])
        assert app_id not in visited
        visited.append(app_id)
        response = post_sheet(client, round_, db.session.get(type(submitted[0]), app_id), action="next")
    assert visited == order
    assert response.headers["Location"].endswith(f"/jury/rounds/{round_.id}/applications")
    assert "Every application assigned to you in this round has a score sheet." in page_text(
        client.get(response.headers["Location"]))


def test_abstaining_needs_a_reason_and_counts_as_abstained(db, client, login_as, juror, round_, mine, submitted):
    """Abstaining without a reason is refused; with one, the sheet is an abstention with no score."""
    login_as(juror.user)
    refused = post_sheet(client, round_, submitted[0], {}, action="abstain", abstain_reason="  ")
    assert refused.status_code == 400
    assert "Say why you abstain." in page_text(refused)
    assert reviews(db) == []
    response = post_sheet(client, round_, submitted[0], {}, action="abstain",
                          abstain_reason="I taught this artist last year.")
    assert response.status_code == 303
    [review] = reviews(db)
    assert review.abstained and review.abstain_reason == "I taught this artist last year." and review.scores == []
    progress = scoring.member_progress(juror, round_.id)
    assert (progress.assigned, progress.scored, progress.abstained, progress.missing) == (3, 0, 1, 2)


# Bad scores ------------------------------------------------------------------------------------

@pytest.mark.parametrize("field, value, message", [
    ("score-c1", "6", "“Artistic quality” is scored from 1 to 5."),
    ("score-c1", "0", "“Artistic quality” is scored from 1 to 5."),
    ("score-c3", "11", "“Feasibility online” is scored from 0 to 10."),
    ("score-c3", "-1", "“Feasibility online” is scored from 0 to 10."),
    ("score-c2", "3.5", "Give “Fit with the residency” a whole number from 1 to 5."),
    ("score-c2", "three", "Give “Fit with the residency” a whole number from 1 to 5."),
    ("score-c2", "nan", "Give “Fit with the residency” a whole number from 1 to 5."),
    ("score-c2", "", "Give a score for “Fit with the residency”."),
])
def test_a_score_out_of_scale_not_whole_or_missing_is_refused(db, client, login_as, juror, round_, mine, submitted,
                                                             field, value, message):
    """Nothing is stored; the page says which criterion is wrong and why, linked from the summary,
    and keeps what the juror typed."""
    login_as(juror.user)
    response = post_sheet(client, round_, submitted[0], {**GOOD, field: value})
    assert response.status_code == 400
    text = page_text(response)
    assert "There is a problem" in text and message in text
    html = response.get_data(as_text=True)
    assert f'href="#{field}"' in html and 'aria-invalid="true"' in html
    assert f'id="{field}" name="{field}"' in html and f'value="{value}"' in html  # what was typed stays
    assert 'value="3"' in html or field == "score-c2"  # and the other scores too
    assert reviews(db) == []


def test_a_criterion_left_out_of_the_form_is_refused(db, client, login_as, juror, round_, mine, submitted):
    login_as(juror.user)
    response = post_sheet(client, round_, submitted[0], {"score-c1": "4", "score-c2": "3"})
    assert response.status_code == 400
    assert "Give a score for “Feasibility online”." in page_text(response)
    assert reviews(db) == []


def test_a_score_for_a_criterion_the_rubric_does_not_have_is_refused(db, client, login_as, juror, round_, mine,
                                                                    submitted):
    login_as(juror.user)
    response = post_sheet(client, round_, submitted[0], {**GOOD, "score-c9": "3"})
    assert response.status_code == 400
    assert "“c9” is not a criterion of this call's rubric." in page_text(response)
    assert reviews(db) == []


def test_the_operation_refuses_unknown_missing_and_non_numeric_scores(db, juror, round_, mine):
    """The same rules hold for any caller of :func:`scoring.submit_review`."""
    for values, key in (({"c1": 4, "c2": 3, "c3": 7, "zz": 1}, "zz"), ({"c1": 4, "c2": 3}, "c3"),
                        ({"c1": True, "c2": 3, "c3": 7}, "c1"), ({"c1": 4, "c2": float("inf"), "c3": 7}, "c2")):
        with pytest.raises(scoring.ScoresRefused) as refused:
            scoring.submit_review(juror, mine[0], values)
        assert key in refused.value.errors
    with pytest.raises(scoring.ScoresRefused) as refused:
        scoring.submit_review(juror, mine[0], {"c1": 4}, abstain_reason="a reason")
    assert "abstain_reason" in refused.value.errors
    db.session.rollback()
    assert reviews(db) == []


# Not assigned, not confirmed, not this round, conflicted ----------------------------------------

def test_an_application_not_assigned_to_the_juror_is_answered_as_missing(db, client, login_as, juror, round_, mine,
                                                                         submitted, make_member):
    """Another juror's application, a removed or proposed assignment, or the same application in
    another round: the page, the form and the files answer 404, as for an id that does not exist."""
    other = make_member(round_.call)
    assign(round_, other, submitted[4])
    assign(round_, juror, submitted[3], removed=True)
    assign(round_, juror, submitted[5], confirmed=False)
    later = make_round(round_.call, phase=RoundPhase.SETUP, applications=submitted)
    login_as(juror.user)
    missing = without_tokens(client.get(f"/jury/rounds/{round_.id}/applications/2147483000").get_data(as_text=True))
    for round_id, application in ((round_.id, submitted[4]), (round_.id, submitted[3]), (round_.id, submitted[5]),
                                  (later.id, submitted[0])):
        url = f"/jury/rounds/{round_id}/applications/{application.id}"
        response = client.get(url)
        assert response.status_code == 404
        assert without_tokens(response.get_data(as_text=True)) == missing
        assert client.post_form(url, {**GOOD, "loaded_review": "", "action": "save"}).status_code == 404
        assert client.get(f"{url}/files/1/original").status_code == 404
    assert reviews(db) == []


def test_a_conflicted_juror_opening_the_application_by_url_gets_404(db, client, login_as, juror, round_, mine,
                                                                   submitted):
    """A conflict (declared or automatic) hides the application completely, even while the
    assignment is still there: the page, the form, the files; it is not counted as missing either."""
    db.session.add(Conflict(call_id=round_.call_id, member_id=juror.id, application_id=submitted[1].id,
                            source="declared", reason="declared", details="My former student."))
    db.session.commit()
    login_as(juror.user)
    missing = without_tokens(client.get(f"/jury/rounds/{round_.id}/applications/2147483000").get_data(as_text=True))
    url = score_url(round_, submitted[1])
    response = client.get(url)
    assert response.status_code == 404 and without_tokens(response.get_data(as_text=True)) == missing
    assert post_sheet(client, round_, submitted[1]).status_code == 404
    assert client.get(f"{url}/files/1/original").status_code == 404
    assert reviews(db) == []
    with pytest.raises(ActionRefused) as refused:
        scoring.submit_review(juror, mine[1], {"c1": 4, "c2": 3, "c3": 7})
    assert refused.value.status == 404
    assert scoring.member_progress(juror, round_.id).assigned == 2
    listing = client.get(f"/jury/rounds/{round_.id}/applications").get_data(as_text=True)
    assert score_url(round_, submitted[1]) not in listing and score_url(round_, submitted[0]) in listing


# Closed rounds ---------------------------------------------------------------------------------

def test_no_score_is_saved_after_the_round_closed(db, client, login_as, juror, round_, mine, submitted):
    """Once scoring closes (its time passed, or the round moved to closed) a save is refused with
    a clear message and the form is shown disabled; the sheet saved before stays."""
    login_as(juror.user)
    post_sheet(client, round_, submitted[0])
    [kept] = reviews(db)
    round_.scoring_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    message = "Scoring of this round is closed: scores can no longer be saved or changed."
    for _attempt in range(2):
        response = post_sheet(client, round_, submitted[0], {**GOOD, "score-c1": "1"}, loaded=kept.id)
        assert response.status_code == 403
        assert message in page_text(response)
        round_.phase = RoundPhase.CLOSED
        round_.scoring_closes_at = utcnow() + timedelta(days=1)
        db.session.commit()
    page = client.get(score_url(round_, submitted[0]))
    assert page.status_code == 200 and message in page_text(page)
    assert "<fieldset class=\"stack\" disabled>" in page.get_data(as_text=True)
    assert [r.id for r in reviews(db)] == [kept.id]


def test_no_score_is_saved_before_scoring_opens(db, client, login_as, juror, call, submitted):
    round_ = make_round(call, phase=RoundPhase.SETUP, applications=submitted)
    assign(round_, juror, submitted[0])
    login_as(juror.user)
    response = post_sheet(client, round_, submitted[0])
    assert response.status_code == 403
    assert "Scoring of this round has not started yet." in page_text(response)
    assert reviews(db) == []


# Two tabs --------------------------------------------------------------------------------------

def test_two_tabs_saving_a_first_sheet_leave_one_sheet_and_show_the_other_its_values(db, client, login_as, juror,
                                                                                     round_, mine, submitted):
    """Both tabs were opened before any sheet existed: the first save wins, the second is refused
    (409) with the saved values shown and the typed ones kept; there is one current sheet, not two."""
    login_as(juror.user)
    first = post_sheet(client, round_, submitted[0], {**GOOD, "score-c1": "2"}, loaded="")
    second = post_sheet(client, round_, submitted[0], {**GOOD, "score-c1": "5"}, loaded="")
    assert first.status_code == 303 and second.status_code == 409
    text = page_text(second)
    assert "saved from another window after you opened this page" in text
    html = second.get_data(as_text=True)
    assert '<blockquote class="replaced-answer">2</blockquote>' in html  # the saved value
    assert 'id="score-c1" name="score-c1"' in html and 'value="5"' in html  # what this tab typed
    [review] = reviews(db)
    assert scores_of(review)["c1"] == 2.0
    assert f'name="loaded_review" value="{review.id}"' in html  # saving again now is a deliberate choice
    again = post_sheet(client, round_, submitted[0], {**GOOD, "score-c1": "5"}, loaded=review.id)
    assert again.status_code == 303
    assert [scores_of(r)["c1"] for r in reviews(db)] == [2.0, 5.0]


def test_two_tabs_changing_one_sheet_do_not_lose_an_update(db, client, login_as, juror, round_, mine, submitted):
    """Both tabs loaded sheet 1; tab A saves sheet 2; tab B, still on sheet 1, is refused instead of
    replacing sheet 2 unseen, and no second sheet supersedes sheet 1."""
    login_as(juror.user)
    post_sheet(client, round_, submitted[0])
    [one] = reviews(db)
    assert post_sheet(client, round_, submitted[0], {**GOOD, "score-c2": "1"}, loaded=one.id).status_code == 303
    stale = post_sheet(client, round_, submitted[0], {**GOOD, "score-c3": "0"}, loaded=one.id)
    assert stale.status_code == 409
    _one, two = reviews(db)
    assert two.supersedes_id == one.id and scores_of(two) == {"c1": 4.0, "c2": 1.0, "c3": 7.0}
    assert scoring.current_review(mine[0].id).id == two.id
    garbage = post_sheet(client, round_, submitted[0], loaded="not-a-number")
    assert garbage.status_code == 409 and len(reviews(db)) == 2


# Others' scores --------------------------------------------------------------------------------

@pytest.fixture
def colleague_sheet(db, make_member, round_, submitted, make_user):
    """Another juror's sheet of submitted[0], with a panel comment and a private note."""
    colleague = make_member(round_.call, make_user(name="Colette Colleague"))
    assignment = assign(round_, colleague, submitted[0])
    review = scoring.submit_review(colleague, assignment, {"c1": 2, "c2": 5, "c3": 9},
                                   comments=[("panel", "A bold sonic palette."), ("private", "Check the budget.")])
    db.session.commit()
    return review


def others_visible(client, round_, application):
    text = page_text(client.get(score_url(round_, application)))
    return "A bold sonic palette." in text, "Check the budget." in text


def test_others_scores_only_after_ones_own_scores(db, client, login_as, juror, round_, mine, submitted,
                                                  colleague_sheet):
    """"After one's own score": nothing of the others before; after scoring, their scores and
    panel comments (never their private notes). An abstention does not open them."""
    login_as(juror.user)
    assert others_visible(client, round_, submitted[0]) == (False, False)
    assert "You will see the other jurors' scores once you have scored this application." in page_text(
        client.get(score_url(round_, submitted[0])))
    post_sheet(client, round_, submitted[0], {}, action="abstain", abstain_reason="Unsure.")
    assert others_visible(client, round_, submitted[0]) == (False, False)
    [abstention] = reviews(db, member_id=juror.id)
    post_sheet(client, round_, submitted[0], loaded=abstention.id)
    assert others_visible(client, round_, submitted[0]) == (True, False)


def test_others_scores_never_shown_when_the_round_says_never(db, client, login_as, juror, round_, mine, submitted,
                                                             colleague_sheet):
    round_.others_scores = ScoresVisibility.NEVER
    db.session.commit()
    login_as(juror.user)
    post_sheet(client, round_, submitted[0])
    assert others_visible(client, round_, submitted[0]) == (False, False)
    assert "In this round, jurors do not see each other's scores." in page_text(client.get(score_url(round_, submitted[0])))


def test_others_scores_always_shown_when_the_round_says_always(db, client, login_as, juror, round_, mine, submitted,
                                                               colleague_sheet):
    round_.others_scores = ScoresVisibility.ALWAYS
    db.session.commit()
    login_as(juror.user)
    assert others_visible(client, round_, submitted[0]) == (True, False)


# Who reaches a jury page -----------------------------------------------------------------------

def test_an_applicant_another_citys_coordinator_and_another_calls_juror_reach_no_jury_page(
        client, login_as, make_user, make_member, make_call, other_city, juror, round_, mine, submitted):
    """The score page, the round's list, the CSV of scores and the files answer 404 to anyone not
    on the call's panel, network admins included; the jury's menu entry is not theirs either."""
    applicant = submitted[0].owner
    stranger_coordinator = make_user(roles=[("city_coordinator", "city", other_city.id)])
    other_call_juror = make_member(make_call()).user
    admin = make_user(roles=[("network_admin", "network", None)])
    urls = [score_url(round_, submitted[0]), f"/jury/rounds/{round_.id}/applications",
            f"/jury/rounds/{round_.id}/my-scores.csv", f"{score_url(round_, submitted[0])}/files/1/original"]
    for user in (applicant, stranger_coordinator, other_call_juror, admin):
        login_as(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user.display_name, url)
        assert post_sheet(client, round_, submitted[0]).status_code == 404
    login_as(applicant)
    home = client.get("/jury")
    assert home.status_code == 200 and "You are not on any call's jury." in page_text(home)
    assert 'href="/jury"' not in home.get_data(as_text=True)


def test_a_withdrawn_juror_can_no_longer_score(db, client, login_as, juror, round_, mine, submitted):
    juror.status = "withdrawn"
    db.session.commit()
    login_as(juror.user)
    assert client.get(score_url(round_, submitted[0])).status_code == 404
    assert post_sheet(client, round_, submitted[0]).status_code == 404
    assert reviews(db) == []


def test_the_chair_scores_only_what_is_assigned_to_them(db, client, login_as, make_member, round_, submitted, mine):
    """Chairing gives the progress table, not other jurors' applications."""
    chair = make_member(round_.call, role=MemberRole.CHAIR)
    login_as(chair.user)
    assert client.get(score_url(round_, submitted[0])).status_code == 404
    assign(round_, chair, submitted[5])
    assert post_sheet(client, round_, submitted[5]).status_code == 303
    assert len(reviews(db, member_id=chair.id)) == 1
    assert not db.session.execute(db.select(Score).join(Review).where(Review.member_id == chair.id,
                                                                      Review.application_id == submitted[0].id)).first()
