"""Who may create, edit, publish and see calls: every role against calls of their city and of others."""

from datetime import timedelta

import pytest

from residency.calls import operations
from residency.calls.models import Call
from tests.calls.conftest import NOW, details

EDITOR_PAGES = ("/", "/details", "/form", "/rubric", "/timeline", "/preview", "/publish", "/move/closed",
                "/translations/fr")


def new_call_form(owner, **overrides):
    data = {"owner": owner, "main_language": "en", "title": "A new call", "summary": "Short", "body": "Long",
            "benefits": "", "disciplines": ["sound"], "format": "online", "places": "3"}
    data.update(overrides)
    return data


@pytest.fixture
def linz_draft(db, linz_coordinator, other_city):
    call = operations.create_call(linz_coordinator, other_city, details(title="Linz draft"))
    db.session.commit()
    return call


@pytest.fixture
def linz_published(make_call, linz_coordinator, other_city):
    return make_call(owner=other_city, actor=linz_coordinator, title="Linz open", opens=NOW - timedelta(days=1),
                     closes=NOW + timedelta(days=5), publish=True)


@pytest.mark.parametrize("role", [None, ("juror", "call", 1), ("jury_chair", "call", 1), ("festival_programmer", "festival", 1)])
def test_artists_jurors_and_programmers_cannot_create_calls(client, make_user, login_as, role, city):
    """Only coordinators and admins write calls: the page and the form are 403 for everyone else."""
    login_as(make_user(roles=[role] if role else []))
    assert client.get("/manage/calls/new").status_code == 403
    assert client.post_form("/manage/calls/new", new_call_form(str(city.id))).status_code == 403
    assert "Calls I manage" not in client.get("/calls/").get_data(as_text=True)


def test_visitors_are_sent_to_the_login_page(client):
    response = client.get("/manage/calls/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_city_coordinator_creates_calls_for_their_city_only(db, client, login_as, coordinator, city, other_city):
    """Lyon's coordinator may choose Lyon; Linz or the whole network is 403 and creates nothing."""
    login_as(coordinator)
    page = client.get("/manage/calls/new").get_data(as_text=True)
    assert f'<option value="{city.id}">Lyon</option>' in page and "Linz" not in page.split('id="owner"')[1].split("</select>")[0]
    assert client.post_form("/manage/calls/new", new_call_form(str(other_city.id))).status_code == 403
    assert client.post_form("/manage/calls/new", new_call_form("network")).status_code == 403
    assert db.session.execute(db.select(Call)).first() is None
    response = client.post_form("/manage/calls/new", new_call_form(str(city.id)))
    assert response.status_code == 302
    call = db.session.execute(db.select(Call)).scalar_one()
    assert (call.city_id, call.created_by_id, call.text("title")) == (city.id, coordinator.id, "A new call")


@pytest.mark.parametrize("who", ["network_coordinator", "admin"])
def test_network_coordinators_and_admins_create_network_wide_calls(db, client, login_as, request, who, city, other_city):
    """A network-wide call has no owner city and lists its participating cities."""
    login_as(request.getfixturevalue(who))
    response = client.post_form("/manage/calls/new", new_call_form("network", participating_city_ids=[str(city.id), str(other_city.id)]))
    assert response.status_code == 302
    call = db.session.execute(db.select(Call)).scalar_one()
    assert call.city_id is None and {c.slug for c in call.cities} == {"lyon", "linz"}


def test_a_coordinator_of_lyon_cannot_see_or_touch_a_draft_of_linz(client, login_as, coordinator, linz_draft):
    """A draft of another city is 404 everywhere (its existence is not revealed), the public page too."""
    login_as(coordinator)
    for page in EDITOR_PAGES:
        assert client.get(f"/manage/calls/{linz_draft.id}{page}").status_code == 404, page
    assert client.post_form(f"/manage/calls/{linz_draft.id}/publish").status_code == 404
    assert client.get(f"/calls/{linz_draft.slug}").status_code == 404


def test_a_coordinator_of_lyon_cannot_edit_or_publish_a_call_of_linz(db, client, login_as, coordinator, linz_published):
    """A published call of Linz: Lyon's coordinator reads its public page, every editor page and action is 403."""
    login_as(coordinator)
    for page in EDITOR_PAGES:
        assert client.get(f"/manage/calls/{linz_published.id}{page}").status_code == 403, page
    posts = ["/details", "/form/questions", "/form/questions/q1/remove", "/rubric", "/timeline", "/move/closed",
             "/translations/fr"]
    for page in posts:
        assert client.post_form(f"/manage/calls/{linz_published.id}{page}", {"title": "Hijacked"}).status_code == 403, page
    db.session.refresh(linz_published)
    assert linz_published.text("title") == "Linz open" and linz_published.state == "open"
    assert client.get(f"/calls/{linz_published.slug}").status_code == 200


@pytest.mark.parametrize("who", ["linz_coordinator", "network_coordinator", "admin"])
def test_linz_network_coordinators_and_admins_run_a_call_of_linz(client, login_as, request, who, linz_draft):
    login_as(request.getfixturevalue(who))
    for page in EDITOR_PAGES:
        assert client.get(f"/manage/calls/{linz_draft.id}{page}").status_code == 200, page
    assert client.get(f"/calls/{linz_draft.slug}").status_code == 200


def test_a_city_coordinator_cannot_run_a_network_wide_call(db, client, login_as, coordinator, network_coordinator, city):
    """Network-wide calls belong to the network's coordinators, even when Lyon takes part."""
    call = operations.create_call(network_coordinator, None, details(participating_city_ids=[city.id]))
    db.session.commit()
    login_as(coordinator)
    assert client.get(f"/manage/calls/{call.id}/").status_code == 404


def test_my_calls_lists_the_calls_i_can_edit(db, client, login_as, coordinator, admin, make_call, linz_draft):
    """Lyon's coordinator sees Lyon's calls; an admin sees every call."""
    make_call(title="Lyon call")
    login_as(coordinator)
    page = client.get("/manage/calls/").get_data(as_text=True)
    assert "Lyon call" in page and "Linz draft" not in page
    assert "Calls I manage" in client.get("/calls/").get_data(as_text=True)
    login_as(admin)
    page = client.get("/manage/calls/").get_data(as_text=True)
    assert "Lyon call" in page and "Linz draft" in page


def test_drafts_are_not_public(client, linz_draft, artist, login_as):
    """Visitors and artists get 404 for a draft, its ICS file too."""
    assert client.get(f"/calls/{linz_draft.slug}").status_code == 404
    assert client.get(f"/calls/{linz_draft.slug}/deadlines.ics").status_code == 404
    login_as(artist)
    assert client.get(f"/calls/{linz_draft.slug}").status_code == 404
