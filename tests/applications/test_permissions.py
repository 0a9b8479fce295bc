"""Who sees and changes an application: its members; the call's coordinators read what was
submitted (never the draft) and change nothing; everyone else sees nothing."""

import pytest

from residency.applications import operations
from residency.core.types import utcnow
from tests.applications.conftest import GOOD, form_data, submit

PAGES = ["/applications/{id}", "/applications/{id}/members", "/applications/{id}/files/reel", "/applications/{id}/withdraw"]


@pytest.mark.parametrize("page", PAGES)
def test_another_artist_cannot_read_any_page_of_an_application(db, client, login_as, other_artist, application, page):
    """Another artist gets 404 on every page of someone's application."""
    submit(application, application.owner)
    application_id = application.id
    db.session.commit()
    login_as(other_artist)
    assert client.get(page.format(id=application_id)).status_code == 404
    assert client.get(f"/applications/{application_id}/versions/1").status_code == 404


def test_another_artist_cannot_edit_or_submit(db, client, login_as, other_artist, application):
    """Another artist's save, submission or withdrawal is refused (404) and changes nothing."""
    login_as(other_artist)
    for action in ("save", "submit"):
        response = client.post_form(f"/applications/{application.id}", {**form_data(GOOD), "action": action})
        assert response.status_code == 404
    assert client.post_form(f"/applications/{application.id}/withdraw").status_code == 404
    db.session.expire_all()
    assert application.answers == {} and application.current_version == 0


def test_drafts_are_invisible_to_coordinators(db, client, login_as, coordinator, application):
    """A coordinator of the call does not see an application never submitted."""
    login_as(coordinator)
    assert client.get(f"/applications/{application.id}").status_code == 404


def test_coordinator_reads_the_submitted_version_not_the_later_draft(db, client, login_as, artist, coordinator, application):
    """The call's coordinator reads the submitted version; later draft edits stay private."""
    submit(application, artist)
    operations.save_draft(artist, application, {"title": "Secret rework"}, utcnow())
    db.session.commit()
    login_as(coordinator)
    response = client.get(f"/applications/{application.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/applications/{application.id}/versions/1")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tidal Signals" in page and "Secret rework" not in page
    assert application.versions[0].fingerprint in page


def test_coordinator_cannot_edit_a_submitted_application(db, client, login_as, artist, coordinator, application):
    """A coordinator may read but not change an application: saving, submitting, autosave → 403."""
    submit(application, artist)
    db.session.commit()
    login_as(coordinator)
    for action in ("save", "submit"):
        response = client.post_form(f"/applications/{application.id}", {**form_data({"title": "Edited"}), "action": action})
        assert response.status_code == 403
    response = client.post(f"/applications/{application.id}/autosave", json={"answers": {"title": "Edited"}},
                           headers={"X-CSRFToken": client.csrf_token()})
    assert response.status_code == 403
    assert client.post_form(f"/applications/{application.id}/withdraw").status_code == 403
    db.session.expire_all()
    assert application.answers["title"] == "Tidal Signals" and application.state == "submitted"


def test_coordinator_of_another_city_sees_nothing(db, client, login_as, artist, other_coordinator, application):
    """A coordinator of Linz cannot read an application to a Lyon call."""
    submit(application, artist)
    db.session.commit()
    login_as(other_coordinator)
    assert client.get(f"/applications/{application.id}").status_code == 404
    assert client.get(f"/applications/{application.id}/versions/1").status_code == 404


def test_visitors_are_sent_to_log_in(client, application):
    """A visitor who is not logged in is sent to the login page."""
    response = client.get(f"/applications/{application.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
