"""Festivals, their editions, catalogue works, requests and artists' terms are invisible to whoever
may not see them: every route taking their ids answers exactly as for an id that names nothing
(404, same page), for GET and for writes; visitors are sent to log in whatever the id.

Who may not see what: a programmer of another festival (its festival pages and requests), an
artist who programs nothing (the catalogue), a programmer (an artist's terms page)."""

import pytest

from tests.festivals.support import approved_request
from tests.invisible import Route, assert_routes_listed, differences, to_login

FESTIVAL_ROUTES = [
    Route("festivals.festival", ("GET",), ("festival_id",)),
    Route("festivals.edit_festival", ("GET", "POST"), ("festival_id",), form={"name": "Hijacked", "slug": "hijacked",
                                                                             "city": "1"}),
    Route("festivals.profile", ("GET", "POST"), ("festival_id",), form={"video": "original", "subtitles": "none"}),
    Route("festivals.new_edition", ("GET", "POST"), ("festival_id",), form={"name": "Hijacked",
                                                                           "starts_on": "2030-01-01",
                                                                           "ends_on": "2030-01-02", "venues": "X"}),
    Route("festivals.edition", ("GET", "POST"), ("festival_id", "edition_id"), form={"name": "Hijacked"}),
    Route("festivals.festival_requests", ("GET",), ("festival_id",)),
    Route("festivals.add_programmer", ("POST",), ("festival_id",), form={"email": "prog@kikk.example.org"}),
    Route("festivals.remove_programmer", ("POST",), ("festival_id", "user_id")),
    Route("festivals.festival_screenings", ("GET", "POST"), ("festival_id",), form={"venue": "Hijacked"}),
]
REQUEST_ROUTES = [
    Route("festivals.request_page", ("GET",), ("request_id",)),
    Route("festivals.decide", ("POST",), ("request_id",), form={"decision": "decline", "message": "Hijacked"}),
    Route("festivals.withdraw", ("POST",), ("request_id",)),
    Route("festivals.package_link", ("POST",), ("request_id",)),
]
CATALOGUE_ROUTES = [
    Route("festivals.catalogue_work", ("GET",), ("work_id",)),
    Route("festivals.catalogue_file", ("GET",), ("work_id", "asset_id"), fixed={"which": "preview"}),
    Route("festivals.shortlist_toggle", ("POST",), ("work_id",), form={"edition": "1"}),
    Route("festivals.request_work", ("POST",), ("work_id",), form={"edition": "1", "use": "screening"}),
    Route("festivals.remove_from_catalogue", ("POST",), ("work_id",)),
]
TERMS_ROUTES = [
    Route("festivals.terms", ("GET", "POST"), ("work_id",), form={"all_festivals": "all", "starts_on": "2030-01-01",
                                                                   "ends_on": "2030-12-31", "screening": "y"}),
]
EXEMPT = {"festivals.download": "a signed link, not an id: tampered, expired and forwarded links are tested in "
                                "test_packages.py"}
ALL = FESTIVAL_ROUTES + REQUEST_ROUTES + CATALOGUE_ROUTES + TERMS_ROUTES


def test_every_route_taking_an_id_is_listed(app):
    assert_routes_listed(app, "festivals", ALL, EXEMPT)


@pytest.fixture
def objects(programmer, artist, work, edition, festival):
    request = approved_request(programmer, artist, work, edition)
    video = next(a for a in work.current_assets if a.kind == "video")
    return {"festival_id": festival.id, "edition_id": edition.id, "user_id": programmer.id, "request_id": request.id, "work_id": work.id,
            "asset_id": video.id}


def test_another_festivals_programmer_meets_missing_pages(app, client, login_as, other_programmer, objects):
    login_as(other_programmer)
    assert differences(app, client, FESTIVAL_ROUTES + REQUEST_ROUTES, objects) == []


def test_an_artist_does_not_see_the_catalogue_nor_festivals(app, client, login_as, make_user, objects):
    login_as(make_user(email="someone@example.org"))
    assert differences(app, client, CATALOGUE_ROUTES + FESTIVAL_ROUTES + REQUEST_ROUTES, objects) == []


def test_a_work_outside_the_catalogue_is_missing_to_programmers(app, client, login_as, programmer, artist, make_work,
                                                                 objects):
    hidden = make_work(artist, title="Unreleased", catalogue=False)
    video = next(a for a in hidden.current_assets if a.kind == "video")
    login_as(programmer)
    assert differences(app, client, CATALOGUE_ROUTES, {"work_id": hidden.id, "asset_id": video.id}) == []


def test_terms_are_missing_to_everyone_but_the_artist(app, client, login_as, programmer, objects):
    login_as(programmer)
    assert differences(app, client, TERMS_ROUTES, objects) == []


def test_visitors_are_sent_to_log_in(app, client, objects):
    assert differences(app, client, ALL, objects, expected=to_login) == []
