"""The coordinators' pages of a call one may not see (a draft of a city one does not run), and of an
application one may not see, answer exactly as for an id that names nothing (404, same page), for
GET and for writes. A published call is seen by everyone: its coordinators' pages are 403 to those
who do not run it (see test_permissions); its applicants see their application, so the
coordinators' page of it is 403 to them."""

import pytest

from residency.applications.models import Application, ApplicationMessage
from residency.audit.models import AuditEntry
from tests.invisible import Route, assert_routes_listed, differences, request, to_login

MESSAGE = {"subject": "Hello", "body": "Please send us your bank details."}

#: The routes whose object is the call (its applications as a whole).
CALL_ROUTES = [
    Route("review.applications", ("GET",), ("call_id",)),
    Route("review.export_csv", ("GET",), ("call_id",)),
    Route("review.export_xlsx", ("GET",), ("call_id",)),
    Route("review.messages", ("GET", "POST"), ("call_id",), form=MESSAGE),
]

#: The routes whose object is one application of the call.
APPLICATION_ROUTES = [
    Route("review.application", ("GET",), ("call_id", "application_id")),
    Route("review.eligibility", ("POST",), ("call_id", "application_id"),
          form={"decision": "ineligible", "note": "Not from the network."}),
    Route("review.message_one", ("POST",), ("call_id", "application_id"), form=MESSAGE),
    Route("review.application_file", ("GET",), ("call_id", "application_id", "asset_id")),
]

EXEMPT = {}


@pytest.fixture
def published(call, make_application, make_asset, make_user):
    """A submitted application, with a file, to a published call of Lyon; and its applicant."""
    applicant = make_user(name="Ada Applicant")
    portfolio = make_asset(applicant, "portfolio.pdf")
    portfolio.original_key = f"slots/review-tests/{portfolio.id}/original.pdf"
    application = make_application(call, owner=applicant, files=[portfolio])
    return {"call_id": call.id, "application_id": application.id, "asset_id": portfolio.id, "applicant": applicant}


@pytest.fixture
def draft_call(db, call, published):
    """The same call, back to an unpublished draft (as if published by mistake, then withdrawn)."""
    call.state, call.published_at = "draft", None
    db.session.commit()
    return published


@pytest.fixture
def people(make_user, make_call, other_city, call):
    another_call = make_call(owner_city=other_city)
    return {
        "coordinator of another city": make_user(roles=[("city_coordinator", "city", other_city.id)]),
        "artist": make_user(),
        "juror of another call": make_user(roles=[("juror", "call", another_call.id)]),
        "juror of the call": make_user(roles=[("juror", "call", call.id)]),
        "festival programmer": make_user(roles=[("festival_programmer", "festival", 1)]),
    }


WHO = ["coordinator of another city", "artist", "juror of another call", "juror of the call", "festival programmer"]


def test_every_review_route_taking_an_id_is_in_the_table(app):
    """A new route with an id fails here until it is added to the tables (or exempted, with a reason)."""
    assert_routes_listed(app, "review", CALL_ROUTES + APPLICATION_ROUTES, EXEMPT)


@pytest.mark.parametrize("who", WHO)
def test_an_application_one_may_not_see_is_answered_as_a_missing_one(app, client, login_as, people, published, who):
    """The pages and actions of an application of a published call: 404 and the same page as for no
    such application (nor such call, nor such file)."""
    login_as(people[who])
    assert differences(app, client, APPLICATION_ROUTES, published) == []


@pytest.mark.parametrize("who", WHO)
def test_a_draft_call_one_may_not_see_is_answered_as_a_missing_one(app, client, login_as, people, draft_call, who):
    """Every coordinators' page of a draft call of another city: 404 and the same page as for no such call."""
    login_as(people[who])
    assert differences(app, client, CALL_ROUTES + APPLICATION_ROUTES, draft_call) == []


def test_visitors_are_sent_to_log_in_for_every_id(app, client, published):
    """Not logged in: the login page for an existing id and for a missing one alike."""
    assert differences(app, client, CALL_ROUTES + APPLICATION_ROUTES, published, expected=to_login) == []


def test_nothing_changed_nor_sent(db, app, client, login_as, people, published):
    """The refused actions changed nothing, sent nothing and released no file."""
    before = db.session.scalar(db.select(db.func.count(AuditEntry.id)))
    login_as(people["coordinator of another city"])
    differences(app, client, APPLICATION_ROUTES, published)
    db.session.expire_all()
    assert db.session.get(Application, published["application_id"]).eligible is None
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) == before
    assert db.session.scalar(db.select(db.func.count(ApplicationMessage.id))) == 0


def test_the_applicant_sees_their_application_so_is_refused_not_hidden(app, client, login_as, published):
    """The applicant sees their own application: the coordinators' routes of it are 403, not 404."""
    login_as(published["applicant"])
    for route in APPLICATION_ROUTES:
        for method in route.methods:
            with app.test_request_context():
                url = route.url({name: published[name] for name in route.ids})
            assert request(client, route, method, url).status_code == 403, (method, url)


def test_the_calls_coordinator_still_reaches_everything(app, client, login_as, coordinator, published):
    """The rule hides nothing from the call's coordinator: the application page and its file open."""
    login_as(coordinator)
    base = f"/manage/calls/{published['call_id']}/applications/{published['application_id']}"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}/files/{published['asset_id']}").status_code == 302
