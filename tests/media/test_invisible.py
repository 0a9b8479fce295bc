"""Someone else's work, its files and uploads are invisible: every route answers exactly as for an
id that names nothing (404, same page), for GET and for writes, pages and JSON alike. Someone who
sees a work but may not change it (a network admin) gets 403."""

import pytest

from residency.media.models import MediaAsset, Upload, Work
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

EDIT = {"title": "Stolen", "main_language": "en", "licence": "cc0-1.0"}

ROUTES = [
    Route("media.work", ("GET",), ("work_id",)),
    Route("media.edit_work", ("GET", "POST"), ("work_id",), form=EDIT),
    Route("media.form_upload", ("POST",), ("work_id",), form=a_file()),
    Route("media.asset", ("GET",), ("work_id", "asset_id")),
    Route("media.retry", ("POST",), ("work_id", "asset_id")),
    Route("media.download", ("GET",), ("work_id", "asset_id"), fixed={"which": "original"}),
    Route("media.download", ("GET",), ("work_id", "asset_id"), fixed={"which": "thumbnail"}),
    Route("media.sign_part", ("GET",), ("public_id",), fixed={"number": 1}, json={}),
    Route("media.list_parts", ("GET",), ("public_id",), json={}),
    Route("media.complete", ("POST",), ("public_id",), json={"parts": [{"PartNumber": 1, "ETag": '"x"'}]}),
    Route("media.abort_upload", ("DELETE",), ("public_id",), json={}),
]

EXEMPT = {
    "media.local_file": "named by a signed, expiring token (like an S3 presigned URL): the token is the "
                        "authority, and a bad or expired token is 404 whatever it names",
    "media.local_part": "named by a signed, expiring part token (like an S3 presigned URL): the token is the authority",
}

#: The routes that change a work: someone who sees it but is not its artist gets 403.
CHANGES = ["media.edit_work", "media.form_upload", "media.retry"]


@pytest.fixture
def existing(db, artist, work):
    """The ids of an artist's work, one of its files and an upload in progress into it."""
    asset = MediaAsset(work_id=work.id, owner_id=artist.id, slot=f"work:{work.id}", original_filename="night.mp4",
                       original_key=f"originals/{work.id}/night.mp4", size=1000, state="failed",
                       failure_retryable=True)
    upload = Upload(owner_id=artist.id, slot=f"work:{work.id}", filename="next.mp4", declared_size=1000,
                    key="quarantine/x/next.mp4", storage_upload_id="x")
    db.session.add_all([asset, upload])
    db.session.commit()
    return {"work_id": work.id, "asset_id": asset.id, "public_id": upload.public_id}


@pytest.fixture
def people(make_user, city):
    return {
        "another artist": make_user(email="bo@example.org"),
        "coordinator of the artist's city": make_user(email="coord@example.org",
                                                      roles=[("city_coordinator", "city", city.id)]),
        "juror of a call": make_user(email="juror@example.org", roles=[("juror", "call", 1)]),
        "network admin": make_user(email="admin@example.org", roles=[("network_admin", "network", 0)]),
    }


def test_every_media_route_taking_an_id_is_in_the_table(app):
    """A new route with an id fails here until it is added to ROUTES (or exempted, with a reason)."""
    assert_routes_listed(app, "media", ROUTES, EXEMPT)


@pytest.mark.parametrize("who", ["another artist", "coordinator of the artist's city", "juror of a call"])
def test_someone_elses_work_is_answered_as_a_missing_one(app, client, login_as, people, existing, who):
    """Every route of a work, its files and its uploads: 404 and the same page as for no such id."""
    login_as(people[who])
    assert differences(app, client, ROUTES, existing) == []


def test_visitors_are_sent_to_log_in_for_every_id(app, client, existing):
    """Not logged in: the login page for an existing id and for a missing one alike."""
    assert differences(app, client, ROUTES, existing, expected=to_login) == []


def test_nothing_changed(db, app, client, login_as, people, existing, work):
    """The refused writes changed nothing: the work, its file and the upload are as they were."""
    login_as(people["another artist"])
    differences(app, client, ROUTES, existing)
    db.session.expire_all()
    assert work.title == "Night Signals"
    assert db.session.get(MediaAsset, existing["asset_id"]).state == "failed"
    upload = db.session.execute(db.select(Upload)).scalar_one()
    assert upload.state == "uploading"
    assert db.session.scalar(db.select(db.func.count(MediaAsset.id))) == 1


@pytest.mark.parametrize("endpoint", CHANGES)
def test_an_admin_sees_a_work_but_may_not_change_it(app, client, login_as, people, existing, endpoint):
    """A network admin sees every work (200 on its page) but changes none: 403, not 404."""
    login_as(people["network admin"])
    assert client.get(f"/works/{existing['work_id']}").status_code == 200
    for route in (r for r in ROUTES if r.endpoint == endpoint):
        for method in route.methods:
            with app.test_request_context():
                url = route.url({name: existing[name] for name in route.ids})
            assert request(client, route, method, url).status_code == 403, (method, url)


def _create(client, **body):
    return client.post("/media/uploads", json={"filename": "clip.mp4", "size": 1000, "type": "video/mp4", **body},
                       headers={"X-CSRFToken": client.csrf_token()})


@pytest.mark.parametrize("who", ["another artist", "coordinator of the artist's city", "juror of a call"])
def test_uploading_into_someone_elses_work_is_answered_as_into_a_missing_one(db, client, login_as, people, existing,
                                                                             who):
    """The upload API names a work in its body: someone else's work and a missing one get the same
    404 and message; so does replacing someone else's file and a missing one (into one's own work)."""
    user = people[who]
    login_as(user)
    seen = answer(_create(client, slot=f"work:{existing['work_id']}"), "")
    assert seen[0] == 404
    assert answer(_create(client, slot=f"work:{MISSING_ID}"), "") == seen

    own = Work(owner_id=user.id, title="Mine")
    db.session.add(own)
    db.session.commit()
    replacing = answer(_create(client, slot=f"work:{own.id}", replaces=existing["asset_id"]), "")
    assert replacing[0] == 404
    assert answer(_create(client, slot=f"work:{own.id}", replaces=MISSING_ID), "") == replacing


def test_an_admin_may_not_upload_into_an_artists_work(client, login_as, people, existing):
    """A network admin sees the work, so the upload is refused (403), not hidden; a missing work is 404."""
    login_as(people["network admin"])
    assert _create(client, slot=f"work:{existing['work_id']}").status_code == 403
    assert _create(client, slot=f"work:{MISSING_ID}").status_code == 404
