"""The API's operations taking an id answer an object the caller may not see exactly as a missing
one: the same 404 problem, whatever the id (another artist's application, a draft call of another
city, an application of a call the caller does not run)."""

import pytest
from flask import url_for

from residency.calls.models import Call
from tests.api.conftest import bearer
from tests.invisible import MISSING_ID, Route, assert_routes_listed

CALL_ROUTES = [Route("calls_api.get_call", ("GET",), ("call_id",))]
APPLICATION_ROUTES = [
    Route("applications_api.my_application", ("GET",), ("application_id",)),
    Route("applications_api.my_versions", ("GET",), ("application_id",)),
    Route("applications_api.my_version", ("GET",), ("application_id", "number")),
    Route("applications_api.my_receipt", ("GET",), ("application_id", "number")),
    Route("applications_api.call_applications", ("GET",), ("call_id",)),
    Route("applications_api.call_application", ("GET",), ("call_id", "application_id")),
    Route("applications_api.export_call_applications", ("GET",), ("call_id",)),
]


FESTIVAL_ROUTES = [
    Route("festivals_api.festival_requests", ("GET",), ("festival_id",)),
    Route("festivals_api.festival_screenings", ("GET",), ("festival_id",)),
]
#: Writes taking a festival id: checked below with their bodies.
FESTIVAL_WRITES = {"festivals_api.request_work": "POST", "festivals_api.record_screening": "POST"}


def test_every_api_route_taking_an_id_is_in_the_table(app):
    assert_routes_listed(app, "calls_api", CALL_ROUTES, {})
    assert_routes_listed(app, "applications_api", APPLICATION_ROUTES, {})
    writes = [Route(endpoint, (method,), ("festival_id",)) for endpoint, method in FESTIVAL_WRITES.items()]
    assert_routes_listed(app, "festivals_api", FESTIVAL_ROUTES + writes, {})


@pytest.fixture
def existing(db, make_call, make_application, other_city):
    """A draft call of another city with one submitted application (as if submitted before it was
    withdrawn to draft: a listed application of a call the caller may not see)."""
    call = make_call(owner_city=other_city)
    application = make_application(call)
    db.session.execute(db.update(Call).where(Call.id == call.id).values(state="draft", published_at=None))
    db.session.commit()
    return {"call_id": call.id, "application_id": application.id, "number": 1}


def answers(app, client, routes, existing, headers):
    """``[(url, status, type, body) for the existing ids, then each missing variant]`` per route."""
    problems = []
    for route in routes:
        values = {name: existing[name] for name in route.ids}
        variants = [{**values, name: MISSING_ID} for name in route.ids] + [{name: MISSING_ID for name in values}]
        with app.test_request_context():
            url = url_for(route.endpoint, **values)
            others = [url_for(route.endpoint, **variant) for variant in variants]
        seen = client.get(url, headers=headers)
        expected = (404, "application/problem+json")
        if (seen.status_code, seen.mimetype) != expected:
            problems.append(f"{url}: {seen.status_code} {seen.mimetype}")
        for other_url in others:
            other = client.get(other_url, headers=headers)
            if (other.status_code, other.mimetype, other.get_json()) != (seen.status_code, seen.mimetype, seen.get_json()):
                problems.append(f"{url} and {other_url} differ: {seen.status_code} / {other.status_code}")
    return problems


@pytest.mark.parametrize("who", ["artist", "coordinator of another city"])
def test_objects_the_caller_may_not_see_are_404_like_missing_ones(app, client, make_user, make_token, city, existing, who):
    roles = [] if who == "artist" else [("city_coordinator", "city", city.id)]
    user = make_user(roles=roles)
    scopes = ["applications:read"] + ([] if who == "artist" else ["coordinator:read"])
    headers = bearer(make_token(user, scopes))
    routes = CALL_ROUTES + [r for r in APPLICATION_ROUTES if r.endpoint.split(".")[1].startswith("my_")
                            or who != "artist"]
    assert answers(app, client, routes, existing, headers) == []


def test_another_artists_application_is_404_like_a_missing_one(app, client, make_user, make_token, make_call,
                                                                make_application):
    application = make_application(make_call())
    headers = bearer(make_token(make_user(), ["applications:read"]))
    routes = [r for r in APPLICATION_ROUTES if r.endpoint.split(".")[1].startswith("my_")]
    assert answers(app, client, routes, {"application_id": application.id, "number": 1}, headers) == []


def test_a_festival_the_caller_does_not_program_is_404_like_a_missing_one(app, db, client, make_user, make_token):
    """A programmer of another festival meets the same 404 for a festival they may not see as for
    a missing one, on reads and writes alike."""
    from residency.festivals.models import Festival

    festivals = db.session.execute(db.select(Festival).order_by(Festival.id).limit(2)).scalars().all()
    mine, theirs = festivals
    user = make_user(roles=[("festival_programmer", "festival", mine.id)])
    headers = bearer(make_token(user, ["festivals:read", "festivals:write"]))
    assert answers(app, client, FESTIVAL_ROUTES, {"festival_id": theirs.id}, headers) == []
    for endpoint, payload in (("festivals_api.request_work", {"work_id": 1, "edition_id": 1, "use": "screening"}),
                              ("festivals_api.record_screening", {"work_id": 1, "screened_on": "2026-01-01",
                                                                  "venue": "Hall"})):
        with app.test_request_context():
            urls = [url_for(endpoint, festival_id=ident) for ident in (theirs.id, MISSING_ID)]
        seen = [client.post(url, json=payload, headers=headers) for url in urls]
        assert [(r.status_code, r.get_json()) for r in seen] == [(404, seen[1].get_json())] * 2, endpoint
