"""Someone else's application (its form, versions, receipts, files, co-applicants) and a call one
may not see are invisible: every route answers exactly as for an id that names nothing (404, same
page), for GET and for writes. Someone who sees an application but may not change it (the call's
coordinator) gets 403."""

import pytest

from residency.applications import operations
from residency.applications.models import Application
from residency.core.types import utcnow
from tests.applications.conftest import GOOD, form_data, submit
from tests.invisible import (
    MISSING_ID,
    Route,
    a_file,
    answer,
    assert_routes_listed,
    differences,
    request,
    to_login,
)

ROUTES = [
    Route("applications.edit", ("GET",), ("application_id",)),
    Route("applications.save", ("POST",), ("application_id",), form={**form_data(GOOD), "action": "save"}),
    Route("applications.save", ("POST",), ("application_id",), form={**form_data(GOOD), "action": "submit"}),
    Route("applications.autosave", ("POST",), ("application_id",), json={"answers": {"title": "Stolen"}}),
    Route("applications.files", ("GET",), ("application_id", "question_id")),
    Route("applications.form_upload", ("POST",), ("application_id", "question_id"), form=a_file("reel.mp4")),
    Route("applications.remove_file", ("POST",), ("application_id", "question_id", "asset_id")),
    Route("applications.members", ("GET", "POST"), ("application_id",), form={"email": "eve@example.org"}),
    Route("applications.remove_member", ("POST",), ("application_id", "member_id")),
    Route("applications.version", ("GET",), ("application_id", "number")),
    Route("applications.version_json", ("GET",), ("application_id", "number")),
    Route("applications.withdraw", ("GET", "POST"), ("application_id",)),
    Route("applications.apply", ("GET", "POST"), ("slug",), form={"country": "FR"}),
]

EXEMPT = {
    "applications.invitation": "named by the single-use secret token sent to the invitee: holding it is the "
                               "authority; an unknown token is refused whatever exists",
}

#: The routes that change an application, with the ids they take: its coordinator (who reads it) gets 403.
CHANGES = ["applications.save", "applications.autosave", "applications.files", "applications.form_upload",
           "applications.remove_file", "applications.members", "applications.remove_member", "applications.withdraw"]


@pytest.fixture
def existing(db, artist, application, add_file, make_call):
    """An artist's application to a Lyon call, submitted once, with a file, a co-applicant invited,
    and a draft call of Lyon (not published)."""
    asset = add_file(application, "reel", artist)
    application.answers = {**(application.answers or {}), "reel": [asset.id]}
    member, _token = operations.invite_member(artist, application, "carla@example.org", utcnow())
    submit(application, artist)
    db.session.commit()
    draft_call = make_call(state="draft", published_at=None)
    return {"application_id": application.id, "question_id": "reel", "asset_id": asset.id, "member_id": member.id,
            "number": 1, "slug": draft_call.slug}


@pytest.fixture
def people(make_user, call, other_city, other_artist, other_coordinator, make_call):
    another_call = make_call()
    return {
        "another artist": other_artist,
        "coordinator of another city": other_coordinator,
        "juror of another call": make_user(email="juror@example.org", roles=[("juror", "call", another_call.id)]),
        "juror of the call": make_user(email="juror2@example.org", roles=[("juror", "call", call.id)]),
    }


def test_every_application_route_taking_an_id_is_in_the_table(app):
    """A new route with an id fails here until it is added to ROUTES (or exempted, with a reason)."""
    assert_routes_listed(app, "applications", ROUTES, EXEMPT)


@pytest.mark.parametrize("who", ["another artist", "coordinator of another city", "juror of another call",
                                 "juror of the call"])
def test_someone_elses_application_is_answered_as_a_missing_one(app, client, login_as, people, existing, who):
    """Every route of an application, its versions, files and members, and of a draft call: 404 and
    the same page as for no such id."""
    login_as(people[who])
    assert differences(app, client, ROUTES, existing) == []


def test_a_draft_is_invisible_to_the_calls_coordinator(db, app, client, login_as, coordinator, call, make_user,
                                                       existing):
    """An application never submitted is its members' alone: the call's coordinator finds no such
    application on any of its routes."""
    draft = operations.start_application(make_user(email="dee@example.org"), call, {}, utcnow())
    db.session.commit()
    login_as(coordinator)
    routes = [route for route in ROUTES if "application_id" in route.ids]
    assert differences(app, client, routes, {**existing, "application_id": draft.id}) == []


def test_visitors_are_sent_to_log_in_for_every_id(app, client, existing):
    """Not logged in: the login page for an existing id and for a missing one alike."""
    assert differences(app, client, ROUTES, existing, expected=to_login) == []


def test_nothing_changed(db, app, client, login_as, people, existing, application):
    """The refused writes changed nothing."""
    login_as(people["another artist"])
    differences(app, client, ROUTES, existing)
    db.session.expire_all()
    assert application.state == "submitted" and application.current_version == 1
    assert application.answers["title"] == GOOD["title"] and application.answers["reel"] == [existing["asset_id"]]
    assert [m.email for m in application.members] == ["carla@example.org"]
    assert db.session.scalar(db.select(db.func.count(Application.id))) == 1


@pytest.mark.parametrize("endpoint", CHANGES)
def test_the_calls_coordinator_sees_the_application_but_may_not_change_it(app, client, login_as, coordinator,
                                                                          existing, endpoint):
    """The call's coordinator reads the submitted application, so changing it is refused (403), not hidden."""
    login_as(coordinator)
    for route in (r for r in ROUTES if r.endpoint == endpoint):
        for method in route.methods:
            with app.test_request_context():
                url = route.url({name: existing[name] for name in route.ids})
            assert request(client, route, method, url).status_code == 403, (method, url)


def _create(client, slot):
    return client.post("/media/uploads", json={"slot": slot, "filename": "reel.mp4", "size": 1000, "type": "video/mp4"},
                       headers={"X-CSRFToken": client.csrf_token()})


@pytest.mark.parametrize("who", ["another artist", "coordinator of another city", "juror of the call"])
def test_uploading_into_someone_elses_application_is_answered_as_into_a_missing_one(client, login_as, people,
                                                                                    existing, who):
    """The upload API names the application in its body: someone else's and a missing one get the
    same 404 and message."""
    login_as(people[who])
    seen = answer(_create(client, f"application:{existing['application_id']}.reel"), "")
    assert seen[0] == 404
    assert answer(_create(client, f"application:{MISSING_ID}.reel"), "") == seen
    assert answer(_create(client, f"application:{existing['application_id']}.nothing"), "") == seen


def test_the_calls_coordinator_may_not_upload_into_an_application(client, login_as, coordinator, existing):
    """The coordinator sees the application: uploading into it is refused (403), not hidden."""
    login_as(coordinator)
    assert _create(client, f"application:{existing['application_id']}.reel").status_code == 403
    assert _create(client, f"application:{MISSING_ID}.reel").status_code == 404
