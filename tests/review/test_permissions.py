"""Who sees a call's applications: its city's coordinators, network coordinators and admins only."""

import pytest

from tests.accounts.support import page_text
from tests.review.conftest import list_url


def call_pages(call):
    """The pages of a call's applications as a whole (their object is the call)."""
    base = f"/manage/calls/{call.id}/applications"
    return [base, f"{base}/export.csv", f"{base}/export.xlsx", f"{base}/messages"]


def pages(call, application):
    return call_pages(call) + [f"/manage/calls/{call.id}/applications/{application.id}"]


def test_lyon_coordinator_cannot_see_or_act_on_a_linz_call(client, login_as, coordinator, make_call, other_city,
                                                           make_application):
    """A coordinator of Lyon sees a published call of Linz but not its applications: 403 on the
    call's pages, 404 on an application's pages and actions (as if it did not exist); nothing changes."""
    linz_call = make_call(owner_city=other_city)
    application = make_application(linz_call)
    login_as(coordinator)

    for url in call_pages(linz_call):
        assert client.get(url).status_code == 403, url
    base = f"/manage/calls/{linz_call.id}/applications/{application.id}"
    assert client.get(base).status_code == 404
    assert client.post_form(f"{base}/eligibility", {"decision": "ineligible", "note": "no"}).status_code == 404
    assert client.post_form(f"{base}/messages", {"subject": "Hi", "body": "Hello"}).status_code == 404
    assert client.post_form(f"/manage/calls/{linz_call.id}/applications/messages",
                            {"subject": "Hi", "body": "Hello"}).status_code == 403
    assert application.eligible is None


@pytest.mark.parametrize("role", ["artist", "juror", "jury_chair", "festival_programmer", "linz_coordinator"])
def test_other_roles_get_403(client, login_as, make_user, call, other_city, make_application, role):
    """Artists, the call's jurors and chair, festival programmers, other cities' coordinators: 403 on
    the call's pages; an application they may not see is 404, as if it did not exist."""
    application = make_application(call)
    grants = {
        "artist": [],
        "juror": [("juror", "call", call.id)],
        "jury_chair": [("jury_chair", "call", call.id)],
        "festival_programmer": [("festival_programmer", "festival", 1)],
        "linz_coordinator": [("city_coordinator", "city", other_city.id)],
    }[role]
    login_as(make_user(roles=grants))

    for url in call_pages(call):
        assert client.get(url).status_code == 403, url
    assert client.get(f"/manage/calls/{call.id}/applications/{application.id}").status_code == 404


def test_the_applicant_cannot_open_the_coordinators_view_of_their_own_application(client, login_as, call,
                                                                                   make_application, make_user):
    """An artist does not see the coordinators' pages, even of their own application."""
    artist = make_user()
    application = make_application(call, owner=artist)
    login_as(artist)

    assert client.get(f"/manage/calls/{call.id}/applications/{application.id}").status_code == 403


@pytest.mark.parametrize("grant", [("city_coordinator", "network", 0), ("network_admin", "network", 0)])
def test_network_coordinators_and_admins_see_every_city_call(client, login_as, make_user, make_call, other_city,
                                                             make_application, grant):
    """Network coordinators and network admins see the applications of any city's call."""
    linz_call = make_call(owner_city=other_city)
    application = make_application(linz_call, owner=make_user(name="Lin Zed"))
    login_as(make_user(roles=[grant]))

    for url in pages(linz_call, application):
        assert client.get(url).status_code == 200, url
    assert "Lin Zed" in page_text(client.get(list_url(linz_call)))


def test_anonymous_visitors_are_sent_to_log_in(client, call, make_application):
    """Without a login, the list sends the visitor to the login page."""
    make_application(call)

    response = client.get(list_url(call))

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_drafts_are_never_listed_counted_shown_or_exported(client, login_as, coordinator, call, make_application,
                                                           make_user):
    """A draft stays private to its artist: not in the list, the counts, the detail page or the exports."""
    make_application(call, owner=make_user(name="Sub Mitted"))
    draft = make_application(call, owner=make_user(name="Draft Only"), state="draft")
    login_as(coordinator)

    text = page_text(client.get(list_url(call)))
    assert "Sub Mitted" in text and "Draft Only" not in text
    assert "1 submitted application" in text
    assert client.get(f"/manage/calls/{call.id}/applications/{draft.id}").status_code == 404
    assert "Draft Only" not in client.get(f"/manage/calls/{call.id}/applications/export.csv").get_data(as_text=True)


def test_an_application_is_only_reached_through_its_own_call(client, login_as, coordinator, make_call,
                                                             make_application):
    """An application of another call (even of the same city) is not found through this call: 404."""
    first, second = make_call(), make_call()
    application = make_application(second)
    login_as(coordinator)

    assert client.get(f"/manage/calls/{first.id}/applications/{application.id}").status_code == 404
    assert client.post_form(f"/manage/calls/{first.id}/applications/{application.id}/eligibility",
                            {"decision": "eligible"}).status_code == 404
    assert client.get(f"/manage/calls/{second.id}/applications/{application.id}").status_code == 200
