"""A call one may not see (a draft of a city one does not run) is invisible: every editor page and
action, its public page and its calendar answer exactly as for an id or a slug that names nothing
(404, same page), for GET and for writes. A published call of another city is seen, so its editor
answers 403 (see test_permissions)."""

import pytest

from residency.calls import operations
from residency.calls.models import Call
from tests.calls.conftest import details
from tests.invisible import Route, assert_routes_listed, differences, to_login

STOLEN = {"title": "Hijacked", "label": "Hijacked", "name": "Hijacked", "direction": "up", "type": "short_text"}

ROUTES = [
    Route("calls.overview", ("GET",), ("call_id",)),
    Route("calls.edit_details", ("GET", "POST"), ("call_id",), form=STOLEN),
    Route("calls.translations", ("GET", "POST"), ("call_id",), fixed={"lang": "fr"}, form=STOLEN),
    Route("calls.form_builder", ("GET",), ("call_id",)),
    Route("calls.add_question", ("POST",), ("call_id",), form=STOLEN),
    Route("calls.edit_question", ("GET", "POST"), ("call_id", "question_id"), form=STOLEN),
    Route("calls.remove_question", ("POST",), ("call_id", "question_id")),
    Route("calls.move_question", ("POST",), ("call_id", "question_id"), form={"direction": "down"}),
    Route("calls.add_condition", ("POST",), ("call_id",), form={"condition-label": "Hijacked",
                                                                 "condition-required_answer": "yes"}),
    Route("calls.remove_condition", ("POST",), ("call_id", "condition_id")),
    Route("calls.preview", ("GET",), ("call_id",)),
    Route("calls.rubric", ("GET", "POST"), ("call_id",), form=STOLEN),
    Route("calls.edit_criterion", ("GET", "POST"), ("call_id", "criterion_id"), form=STOLEN),
    Route("calls.remove_criterion", ("POST",), ("call_id", "criterion_id")),
    Route("calls.move_criterion", ("POST",), ("call_id", "criterion_id"), form={"direction": "down"}),
    Route("calls.timeline", ("GET", "POST"), ("call_id",), form=STOLEN),
    Route("calls.publish", ("GET", "POST"), ("call_id",)),
    Route("calls.move", ("GET", "POST"), ("call_id",), fixed={"target": "closed"}),
    Route("calls.move", ("GET", "POST"), ("call_id",), fixed={"target": "archived"}),
]

#: The public pages, named by the call's slug: visitors are not sent to log in.
PUBLIC_ROUTES = [
    Route("calls.show", ("GET",), ("slug",)),
    Route("calls.call_deadlines", ("GET",), ("slug",)),
]

EXEMPT = {}


@pytest.fixture
def existing(db, linz_coordinator, other_city):
    """A draft call of Linz with a question, a criterion and an eligibility question."""
    call = operations.create_call(linz_coordinator, other_city, details(title="Linz draft"))
    question = operations.add_question(linz_coordinator, call, {"type": "short_text", "label": "Nickname"})
    criterion = operations.add_criterion(linz_coordinator, call, {"name": "Quality", "weight": 1, "scale_min": 0,
                                                                  "scale_max": 5})
    condition = operations.add_condition(linz_coordinator, call, {"label": "Do you live in Linz?",
                                                                  "required_answer": "yes"})
    db.session.commit()
    return {"call_id": call.id, "slug": call.slug, "question_id": question["id"], "criterion_id": criterion["id"],
            "condition_id": condition["id"]}


@pytest.fixture
def people(make_user, coordinator, artist, make_call):
    lyon_call = make_call(title="Lyon call")
    return {
        "coordinator of another city": coordinator,
        "artist": artist,
        "juror of another call": make_user(email="juror@example.org", roles=[("juror", "call", lyon_call.id)]),
        "festival programmer": make_user(email="fest@example.org", roles=[("festival_programmer", "festival", 1)]),
    }


def test_every_call_route_taking_an_id_is_in_the_table(app):
    """A new route with an id fails here until it is added to the tables (or exempted, with a reason)."""
    assert_routes_listed(app, "calls", ROUTES + PUBLIC_ROUTES, EXEMPT)


@pytest.mark.parametrize("who", ["coordinator of another city", "artist", "juror of another call",
                                 "festival programmer"])
def test_a_draft_of_another_city_is_answered_as_a_missing_call(app, client, login_as, people, existing, who):
    """Every editor route, the public page and the calendar of a draft: 404 and the same page as for
    no such call (nor such question, criterion or condition)."""
    login_as(people[who])
    assert differences(app, client, ROUTES + PUBLIC_ROUTES, existing) == []


def test_visitors_learn_nothing_either(app, client, existing):
    """Not logged in: the editor sends to the login page, the public pages are 404, for any id."""
    assert differences(app, client, ROUTES, existing, expected=to_login) == []
    assert differences(app, client, PUBLIC_ROUTES, existing, expected=404) == []


def test_nothing_changed(db, app, client, login_as, people, existing):
    """The refused writes changed nothing: the draft is as its coordinator left it."""
    login_as(people["coordinator of another city"])
    differences(app, client, ROUTES, existing)
    db.session.expire_all()
    call = db.session.get(Call, existing["call_id"])
    assert call.state == "draft" and call.published_at is None and call.text("title") == "Linz draft"
    assert [q["id"] for q in call.form] == [existing["question_id"]]
    assert [c["id"] for c in call.rubric] == [existing["criterion_id"]]
    assert [c["id"] for c in call.eligibility["questions"]] == [existing["condition_id"]]
