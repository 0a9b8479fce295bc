"""Coordinators download a submitted application's files exactly as its version froze them,
through a short-lived signed link; every download is audited, and nobody else gets the files."""

import io
import re

import pytest

from residency.applications.models import ApplicationVersion
from residency.audit.models import AuditEntry
from residency.storage import get_storage
from tests.accounts.support import page_text

PORTFOLIO = "Ada's portfolio: listening to rivers, 2019-2025."


@pytest.fixture
def stored_asset(make_asset):
    """``stored_asset(owner, filename, text)``: an asset whose original bytes are in the storage."""

    def make(owner, filename="portfolio.pdf", text=PORTFOLIO):
        asset = make_asset(owner, filename, content=text)
        asset.original_key = f"slots/review-tests/{asset.id}/original/{asset.sha256}.pdf"
        get_storage().put(asset.original_key, io.BytesIO(text.encode()))
        return asset

    return make


@pytest.fixture
def ada(make_user):
    return make_user(name="Ada")


@pytest.fixture
def portfolio(stored_asset, ada):
    return stored_asset(ada)


@pytest.fixture
def submitted(call, make_application, ada, portfolio):
    return make_application(call, owner=ada, files=[portfolio])


def file_url(call, application, asset):
    return f"/manage/calls/{call.id}/applications/{application.id}/files/{asset.id}"


def signed_path(response):
    return re.sub(r"^https?://[^/]+", "", response.headers["Location"])


def downloads(db):
    return db.session.execute(
        db.select(AuditEntry).where(AuditEntry.action == "application.file_downloaded")).scalars().all()


def test_a_coordinator_downloads_the_submitted_bytes_and_the_download_is_audited(
        db, client, login_as, coordinator, call, submitted, portfolio):
    """The link redirects to a signed URL serving the file as an attachment under its submitted name."""
    login_as(coordinator)

    response = client.get(file_url(call, submitted, portfolio))

    assert response.status_code == 302
    assert response.headers["Cache-Control"] == "no-store"
    served = client.get(signed_path(response))
    assert served.status_code == 200 and served.data == PORTFOLIO.encode()
    assert served.headers["Content-Disposition"].startswith("attachment;")
    assert 'filename="portfolio.pdf"' in served.headers["Content-Disposition"]
    [entry] = downloads(db)
    assert entry.actor_id == coordinator.id
    assert (entry.object_type, entry.object_id) == ("applications", submitted.id)
    assert entry.data["asset_id"] == portfolio.id and entry.data["version"] == 1
    assert entry.data["sha256"] == portfolio.sha256


def test_the_application_page_links_each_file_and_keeps_its_checksum(client, login_as, coordinator, call,
                                                                     submitted, portfolio):
    """On the application page each submitted file name is a download link; its SHA-256 stays shown."""
    login_as(coordinator)

    html = client.get(f"/manage/calls/{call.id}/applications/{submitted.id}").get_data(as_text=True)

    assert f'href="{file_url(call, submitted, portfolio)}">portfolio.pdf</a>' in html
    assert portfolio.sha256 in html


@pytest.mark.parametrize("grant", [("city_coordinator", "network", 0), ("network_admin", "network", 0)])
def test_network_coordinators_and_admins_download_from_any_city_call(client, login_as, make_user, make_call,
                                                                     other_city, make_application, ada, portfolio,
                                                                     grant):
    """Whoever manages the call's applications (network-wide roles included) gets the file."""
    linz_call = make_call(owner_city=other_city)
    application = make_application(linz_call, owner=ada, files=[portfolio])
    login_as(make_user(roles=[grant]))

    response = client.get(file_url(linz_call, application, portfolio))

    assert response.status_code == 302
    assert client.get(signed_path(response)).data == PORTFOLIO.encode()


@pytest.mark.parametrize("role", ["owner", "co_applicant", "artist", "juror", "jury_chair", "festival_programmer",
                                  "linz_coordinator"])
def test_everyone_else_gets_403_or_404_and_no_link(db, client, login_as, make_user, make_application, call, other_city,
                                                   ada, portfolio, role):
    """The applicant and co-applicants (who see the application) get 403; other artists, the call's
    jurors and chair, festival programmers and other cities' coordinators, who may not see it, get
    404 as if it did not exist; nothing is audited."""
    co_applicant = make_user(name="Co")
    application = make_application(call, owner=ada, files=[portfolio], members=[(co_applicant, True)])
    user = {
        "owner": ada,
        "co_applicant": co_applicant,
        "artist": make_user(),
        "juror": make_user(roles=[("juror", "call", call.id)]),
        "jury_chair": make_user(roles=[("jury_chair", "call", call.id)]),
        "festival_programmer": make_user(roles=[("festival_programmer", "festival", 1)]),
        "linz_coordinator": make_user(roles=[("city_coordinator", "city", other_city.id)]),
    }[role]
    login_as(user)

    response = client.get(file_url(call, application, portfolio))

    assert response.status_code == (403 if role in ("owner", "co_applicant") else 404)
    assert "Location" not in response.headers
    assert downloads(db) == []


def test_anonymous_visitors_are_sent_to_log_in(db, client, call, submitted, portfolio):
    response = client.get(file_url(call, submitted, portfolio))

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert downloads(db) == []


def test_a_file_not_in_the_submitted_version_is_not_served(db, client, login_as, coordinator, call, submitted,
                                                           stored_asset, ada):
    """A file uploaded into the application's slot after submission, or an unknown id: 404."""
    later = stored_asset(ada, "later.pdf", "uploaded after submitting")
    later.slot = f"application:{submitted.id}.portfolio"
    db.session.commit()
    login_as(coordinator)

    response = client.get(file_url(call, submitted, later))

    assert response.status_code == 404
    assert "not part of the submitted version" in page_text(response)
    assert client.get(f"/manage/calls/{call.id}/applications/{submitted.id}/files/987654").status_code == 404
    assert downloads(db) == []


def test_only_the_version_shown_counts_not_an_earlier_one(db, client, login_as, coordinator, call,
                                                          make_application, ada, stored_asset):
    """A file that was in version 1 but taken out before version 2 is no longer served."""
    dropped = stored_asset(ada, "dropped.pdf", "an earlier portfolio")
    application = make_application(call, owner=ada, versions=2)
    dropped.slot = f"application:{application.id}.portfolio"
    first = db.session.execute(db.select(ApplicationVersion).where(
        ApplicationVersion.application_id == application.id, ApplicationVersion.number == 1)).scalar_one()
    first.snapshot = {**first.snapshot, "answers": [
        {"id": "portfolio", "type": "file", "label": "Portfolio", "label_lang": "en",
         "value": [{"id": dropped.id, "filename": "dropped.pdf", "size": 20, "sha256": dropped.sha256,
                    "kind": "document"}]}]}
    db.session.commit()
    login_as(coordinator)

    assert client.get(file_url(call, application, dropped)).status_code == 404


def test_a_file_of_another_application_is_not_served(db, client, login_as, coordinator, call, make_call,
                                                     make_application, submitted, portfolio, stored_asset, make_user):
    """Another application's file is not found through this application, nor through another call."""
    bob = make_user(name="Bob")
    other_file = stored_asset(bob, "bob.pdf", "Bob's portfolio")
    other = make_application(call, owner=bob, files=[other_file])
    login_as(coordinator)

    assert client.get(file_url(call, submitted, other_file)).status_code == 404
    assert client.get(file_url(make_call(), submitted, portfolio)).status_code == 404
    assert client.get(file_url(call, other, other_file)).status_code == 302


def test_a_draft_application_has_no_files_to_download(db, client, login_as, coordinator, call, make_application,
                                                      ada, portfolio):
    """A draft stays private to its artist: its files are not found (404)."""
    draft = make_application(call, owner=ada, state="draft", files=[portfolio])
    login_as(coordinator)

    assert client.get(file_url(call, draft, portfolio)).status_code == 404
    assert downloads(db) == []


def test_a_file_changed_since_submission_is_refused_with_a_message(db, client, login_as, coordinator, call,
                                                                   submitted, portfolio):
    """When the stored asset no longer has the submitted SHA-256 it is not the submitted file: 404, said so."""
    portfolio.sha256 = "0" * 64
    db.session.commit()
    login_as(coordinator)

    response = client.get(file_url(call, submitted, portfolio))

    assert response.status_code == 404
    assert "no longer the file that was submitted" in page_text(response)
    assert downloads(db) == []


def test_a_file_moved_out_of_the_application_is_refused(db, client, login_as, coordinator, call, submitted,
                                                        portfolio):
    """An asset no longer in the application's upload slot is not the submitted file: 404."""
    portfolio.slot = "library"
    db.session.commit()
    login_as(coordinator)

    assert client.get(file_url(call, submitted, portfolio)).status_code == 404
    assert downloads(db) == []
