"""The festivals' part of the API: the catalogue, a festival's requests with their packages and a
download link, screenings; a programmer requesting a work and recording a screening."""

from datetime import date, timedelta

import pytest

from residency.festivals.models import RightsRequest, Screening
from tests.api.conftest import bearer, is_problem
from tests.api.schema_check import conformance_problems, get_spec
from tests.festivals.conftest import (  # noqa: F401  (fixtures)
    artist, edition, festival, make_edition, make_work, other_festival, programmer, work,
)
from tests.festivals.support import approved_request

READ = ["festivals:read"]
WRITE = ["festivals:read", "festivals:write"]


@pytest.fixture
def spec(client):
    return get_spec(client)


def get(client, spec, path, headers):
    response = client.get(path, headers=headers)
    assert conformance_problems(spec, "GET", path, response) == []
    return response


def test_a_programmer_reads_the_catalogue_requests_packages_and_screenings(client, spec, db, make_token, programmer,
                                                                           artist, work, edition, festival,
                                                                           make_work, login_as):
    hidden = make_work(artist, title="Not offered", catalogue=False)
    headers = bearer(make_token(programmer, READ))
    titles = [item["title"] for item in get(client, spec, "/api/v1/catalogue", headers).json["items"]]
    assert titles == ["Tidal Signals"] and hidden.title not in titles
    request = approved_request(programmer, artist, work, edition)
    items = get(client, spec, f"/api/v1/festivals/{festival.id}/requests", headers).json["items"]
    assert [item["id"] for item in items] == [request.id] and items[0]["state"] == "approved"
    package = items[0]["package"]
    assert package["state"] == "ready" and package["size"] == request.package.size
    link = package["download_url"].replace("http://localhost", "")
    login_as(programmer)  # the link is the page's own: opened by the programmer, logged in
    download = client.get(link)
    assert download.status_code == 200 and len(download.data) == request.package.size
    assert get(client, spec, f"/api/v1/festivals/{festival.id}/screenings", headers).json["items"] == []


def test_a_programmer_requests_a_work_and_records_a_screening(client, db, make_token, programmer, artist, work, edition,
                                                             festival):
    headers = bearer(make_token(programmer, WRITE))
    response = client.post(f"/api/v1/festivals/{festival.id}/requests", headers=headers,
                           json={"work_id": work.id, "edition_id": edition.id, "use": "screening", "message": "Hello"})
    assert response.status_code == 201 and response.json["state"] == "requested" and response.json["package"] is None
    again = client.post(f"/api/v1/festivals/{festival.id}/requests", headers=headers,
                        json={"work_id": work.id, "edition_id": edition.id, "use": "screening"})
    assert is_problem(again, 422, "refused")  # already requested for this edition
    shown = {"work_id": work.id, "screened_on": str(date.today() - timedelta(days=1)), "venue": "Main hall",
             "audience": 120}
    assert is_problem(client.post(f"/api/v1/festivals/{festival.id}/screenings", headers=headers, json=shown), 422,
                      "refused")  # not approved yet
    from residency.festivals import rights

    rights.decide(artist, db.session.get(RightsRequest, response.json["id"]), True, "Yes")
    db.session.commit()
    recorded = client.post(f"/api/v1/festivals/{festival.id}/screenings", headers=headers, json=shown)
    assert recorded.status_code == 201 and recorded.json["venue"] == "Main hall"
    assert db.session.execute(db.select(Screening)).scalar_one().recorded_by_id == programmer.id


def test_other_festivals_and_narrow_tokens_are_refused(client, db, make_token, make_user, programmer, work, edition,
                                                       other_festival, festival):
    headers = bearer(make_token(programmer, READ))
    for path in (f"/api/v1/festivals/{other_festival.id}/requests", "/api/v1/festivals/2000000001/requests"):
        assert is_problem(client.get(path, headers=headers), 404)
    assert is_problem(client.post(f"/api/v1/festivals/{festival.id}/requests", headers=headers,
                                  json={"work_id": work.id, "edition_id": edition.id, "use": "screening"}), 403,
                      "insufficient_scope")
    artist_token = bearer(make_token(make_user(), ["applications:read"]))
    assert is_problem(client.get("/api/v1/catalogue", headers=artist_token), 403, "insufficient_scope")
    assert db.session.execute(db.select(RightsRequest)).scalars().all() == []
