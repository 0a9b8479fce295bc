"""The resources, each with the pages' rules: public calls with their questions in each language,
drafts for their coordinators, creating a draft; one's own applications, versions and receipts;
a coordinator's applications with the list's filters, one application, the export. Every answer
is checked against the OpenAPI document."""

import csv
import hashlib
import io
from datetime import timedelta

import pytest

from residency.calls.models import Call
from tests.api.conftest import T0, bearer, is_problem
from tests.api.schema_check import conformance_problems, get_spec

PREFIX = "/api/v1"


@pytest.fixture
def spec(client):
    return get_spec(client)


def conforms(spec, response, method, path):
    assert conformance_problems(spec, method, path, response) == []
    return response


def get(client, spec, path, headers=None):
    return conforms(spec, client.get(path, headers=headers or {}), "GET", path)


def test_public_calls_with_questions_in_each_language(client, spec, db, make_call, coordinator):
    call = make_call(texts={"en": {"title": "Sound"}, "fr": {"title": "Son"}})
    draft = make_call()
    db.session.execute(db.update(Call).where(Call.id == draft.id).values(state="draft", published_at=None))
    db.session.commit()
    listed = get(client, spec, f"{PREFIX}/calls").json["items"]
    assert [c["id"] for c in listed] == [call.id]
    body = get(client, spec, f"{PREFIX}/calls/{call.id}").json
    assert body["texts"]["fr"]["title"] == "Son" and body["city"] == "lyon"
    statement = next(q for q in body["questions"] if q["id"] == "statement")
    assert statement["label"] == {"en": "Artist statement", "fr": "Démarche artistique"}
    choices = next(q for q in body["questions"] if q["id"] == "disciplines")["choices"]
    assert choices[1] == {"value": "video", "label": {"en": "Video", "fr": "Vidéo"}}
    assert is_problem(get(client, spec, f"{PREFIX}/calls/{draft.id}"), 404)
    assert get(client, spec, f"{PREFIX}/calls?state=closed").json["items"] == []
    assert get(client, spec, f"{PREFIX}/calls?city=linz").json["items"] == []
    assert is_problem(client.get(f"{PREFIX}/calls?state=bogus"), 422)


def test_a_draft_is_visible_to_its_coordinator_with_the_coordinator_scope(client, spec, db, make_call, coordinator,
                                                                          make_token):
    draft = make_call()
    db.session.execute(db.update(Call).where(Call.id == draft.id).values(state="draft", published_at=None))
    db.session.commit()
    reader = make_token(coordinator, ["coordinator:read"])
    assert get(client, spec, f"{PREFIX}/calls/{draft.id}", bearer(reader)).json["state"] == "draft"
    public_only = make_token(coordinator, ["public:read"], name="narrow")
    assert is_problem(client.get(f"{PREFIX}/calls/{draft.id}", headers=bearer(public_only)), 404)


DRAFT = {"city": "lyon", "title": "Sonic cities", "summary": "A residency of sound.", "disciplines": ["sound"],
         "places": 3, "residency_starts_on": "2027-01-10", "residency_ends_on": "2027-02-10"}


def test_a_coordinator_creates_a_call_draft(client, spec, db, coordinator, make_token):
    raw = make_token(coordinator, ["coordinator:write", "coordinator:read"])
    response = conforms(spec, client.post(f"{PREFIX}/calls", json=DRAFT, headers=bearer(raw)), "POST", f"{PREFIX}/calls")
    assert response.status_code == 201
    created = response.json
    assert created["state"] == "draft" and created["texts"]["en"]["title"] == "Sonic cities" and created["places"] == 3
    assert response.headers["Location"].endswith(f"/api/v1/calls/{created['id']}")
    call = db.session.get(Call, created["id"])
    assert call.city.slug == "lyon" and call.created_by_id == coordinator.id and call.published_at is None
    assert get(client, spec, f"{PREFIX}/calls/{created['id']}", bearer(raw)).json["id"] == call.id
    assert is_problem(client.get(f"{PREFIX}/calls/{created['id']}"), 404)  # still private


def test_creating_a_draft_refuses_bad_input_and_other_cities(client, db, coordinator, make_user, make_token):
    raw = make_token(coordinator, ["coordinator:write"])
    post = lambda body, **kw: client.post(f"{PREFIX}/calls", headers={**bearer(raw), **kw.pop("headers", {})},  # noqa: E731
                                          **({"json": body} if body is not None else {}), **kw)
    assert is_problem(post({**DRAFT, "city": "linz"}), 403)
    assert is_problem(post({**DRAFT, "city": "atlantis"}), 404)
    assert is_problem(post({**DRAFT, "title": ""}), 422)
    assert is_problem(post({**DRAFT, "places": "many"}), 422)
    assert is_problem(post({**DRAFT, "disciplines": ["cooking"]}), 422)
    assert is_problem(post({**DRAFT, "residency_ends_on": "2026-01-01"}), 422, "invalid_call")
    assert is_problem(post([1, 2, 3]), 422)
    assert is_problem(post(None, data="title=x", headers={"Content-Type": "application/x-www-form-urlencoded"}), 415)
    assert is_problem(post(None, data=b'{"title": "' + b"x" * 70_000 + b'"}',
                           headers={"Content-Type": "application/json"}), 413)
    assert is_problem(post(None, data=b'{"title": ', headers={"Content-Type": "application/json"}), 400)
    assert db.session.execute(db.select(Call)).scalars().all() == []
    artist = make_token(make_user(), ["public:read"])
    assert is_problem(client.post(f"{PREFIX}/calls", json=DRAFT, headers=bearer(artist)), 403, "insufficient_scope")
    assert is_problem(client.post(f"{PREFIX}/calls", json=DRAFT), 401)


def test_own_applications_versions_and_receipts(client, spec, db, make_call, make_application, make_user, make_token):
    artist = make_user()
    call = make_call()
    mine = make_application(call, owner=artist, versions=2)
    draft = make_application(make_call(), owner=artist, state="draft")
    make_application(call)  # someone else's
    raw = make_token(artist, ["applications:read"])
    items = get(client, spec, f"{PREFIX}/me/applications", bearer(raw)).json["items"]
    assert [a["id"] for a in items] == [draft.id, mine.id]
    assert items[1]["call"]["title"] == call.text("title") and items[1]["current_version"] == 2
    versions = get(client, spec, f"{PREFIX}/me/applications/{mine.id}/versions", bearer(raw)).json
    assert [v["number"] for v in versions] == [1, 2]
    version = get(client, spec, f"{PREFIX}/me/applications/{mine.id}/versions/2", bearer(raw)).json
    receipt = client.get(f"{PREFIX}/me/applications/{mine.id}/versions/2/receipt", headers=bearer(raw))
    assert receipt.status_code == 200 and receipt.mimetype == "application/json"
    from residency.applications.operations import fingerprint

    assert hashlib.sha256(receipt.data).hexdigest() == fingerprint(version["snapshot"])
    assert is_problem(client.get(f"{PREFIX}/me/applications/{mine.id}/versions/3", headers=bearer(raw)), 404)


def test_a_co_applicant_sees_the_application_once_they_accepted(client, make_call, make_application, make_user,
                                                                 make_token):
    accepted, invited = make_user(), make_user()
    application = make_application(make_call(), members=[(accepted, True), (invited, False)])
    assert client.get(f"{PREFIX}/me/applications/{application.id}",
                      headers=bearer(make_token(accepted, ["applications:read"]))).status_code == 200
    assert client.get(f"{PREFIX}/me/applications/{application.id}",
                      headers=bearer(make_token(invited, ["applications:read"]))).status_code == 404


@pytest.fixture
def listed(make_call, make_application, make_user, other_city):
    call = make_call()
    apps = [make_application(call, owner=make_user(name=f"Artist {n:02d}", email=f"a{n}@example.org"),
                             eligible=(n % 3 == 0) or None, country="SN" if n % 2 else "FR",
                             submitted_at=T0 + timedelta(hours=n),
                             state="withdrawn" if n == 7 else "submitted") for n in range(12)]
    make_application(call, state="draft")
    make_application(make_call(owner_city=other_city))
    return call, apps


def test_coordinators_list_a_calls_applications_with_filters_and_cursor(client, spec, coordinator, make_token, listed):
    call, apps = listed
    raw = make_token(coordinator, ["coordinator:read"])
    url, ids = f"{PREFIX}/calls/{call.id}/applications?limit=5", []
    while url:
        response = get(client, spec, url, bearer(raw))
        ids += [item["id"] for item in response.json["items"]]
        link = response.headers.get("Link")
        url = link[1:link.index(">")].replace("http://localhost", "") if link else None
    assert ids == [a.id for a in reversed(apps)]  # newest submission first, the draft and other calls left out
    oldest = get(client, spec, f"{PREFIX}/calls/{call.id}/applications?sort=submitted&limit=2", bearer(raw)).json
    assert [item["id"] for item in oldest["items"]] == [apps[0].id, apps[1].id]
    first = oldest["items"][0]
    assert first["applicant"]["name"] == "Artist 00" and first["submitted_at"] == "2026-03-01T09:00:00Z"

    def ids_for(query):
        body = get(client, spec, f"{PREFIX}/calls/{call.id}/applications?{query}", bearer(raw)).json
        return sorted(item["id"] for item in body["items"])

    assert ids_for("eligible=yes") == sorted(a.id for n, a in enumerate(apps) if n % 3 == 0)
    assert ids_for("country=sn") == sorted(a.id for n, a in enumerate(apps) if n % 2)
    assert ids_for("state=withdrawn") == [apps[7].id]
    assert ids_for("q=artist%2003") == [apps[3].id]
    assert is_problem(client.get(f"{PREFIX}/calls/{call.id}/applications?state=lost", headers=bearer(raw)), 422)
    assert is_problem(client.get(f"{PREFIX}/calls/{call.id}/applications?limit=101", headers=bearer(raw)), 422)
    assert is_problem(client.get(f"{PREFIX}/calls/{call.id}/applications?cursor=WzFd", headers=bearer(raw)), 400)


def test_one_application_and_the_export_for_coordinators(client, spec, coordinator, make_token, listed):
    call, apps = listed
    raw = make_token(coordinator, ["coordinator:read"])
    body = get(client, spec, f"{PREFIX}/calls/{call.id}/applications/{apps[2].id}", bearer(raw)).json
    assert body["fingerprint"] and body["snapshot"]["answers"]
    export = client.get(f"{PREFIX}/calls/{call.id}/applications/export.csv?country=FR", headers=bearer(raw))
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert sorted(int(row[0]) for row in rows[1:]) == sorted(a.id for n, a in enumerate(apps) if not n % 2)


def test_a_coordinator_of_another_city_gets_403_for_a_public_call_and_nothing_leaks(client, make_user, make_token,
                                                                                      listed, other_city):
    call, apps = listed
    other = make_user(roles=[("city_coordinator", "city", other_city.id)])
    raw = make_token(other, ["coordinator:read"])
    assert is_problem(client.get(f"{PREFIX}/calls/{call.id}/applications", headers=bearer(raw)), 403, "forbidden")
    assert is_problem(client.get(f"{PREFIX}/calls/{call.id}/applications/{apps[0].id}", headers=bearer(raw)), 404)
    assert is_problem(client.get(f"{PREFIX}/calls/{call.id}/applications/export.csv", headers=bearer(raw)), 403)


def test_a_network_admin_reads_every_call(client, make_user, make_token, listed):
    call, apps = listed
    admin = make_user(roles=[("network_admin", "network", 0)])
    raw = make_token(admin, ["coordinator:read"])
    assert len(client.get(f"{PREFIX}/calls/{call.id}/applications", headers=bearer(raw)).json["items"]) == 12
