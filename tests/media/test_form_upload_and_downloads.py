"""Without JavaScript, a plain form uploads smaller files; files come back through signed,
expiring URLs with Range support, and nothing uploaded is ever shown inline by the browser."""

import io

from residency.media.models import Derivative, DerivativeState, MediaAsset
from residency.storage import get_storage
from tests.media.conftest import MiB, random_bytes, signed_path


def form_upload(client, work, data, filename="clip.mp4"):
    return client.post(
        f"/works/{work.id}/upload",
        data={"csrf_token": client.csrf_token(), "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def test_plain_form_upload_creates_an_asset(db, client, login_as, artist, work):
    login_as(artist)
    data = random_bytes(300_000)
    response = form_upload(client, work, data)
    assert response.status_code == 302
    asset = db.session.execute(db.select(MediaAsset)).scalar_one()
    assert asset.size == len(data) and asset.original_filename == "clip.mp4"
    assert "clip.mp4" in client.get(f"/works/{work.id}").get_data(as_text=True)


def test_plain_form_upload_over_its_limit_is_refused(app, db, client, login_as, artist, work):
    """Over MEDIA_FORM_UPLOAD_MAX the plain form answers 413 and stores nothing."""
    login_as(artist)
    app.config["MEDIA_FORM_UPLOAD_MAX"], previous = MiB, app.config["MEDIA_FORM_UPLOAD_MAX"]
    try:
        response = form_upload(client, work, random_bytes(2 * MiB))
    finally:
        app.config["MEDIA_FORM_UPLOAD_MAX"] = previous
    assert response.status_code == 413
    assert db.session.scalar(db.select(db.func.count(MediaAsset.id))) == 0


def test_plain_form_refuses_executables_by_name(db, client, login_as, artist, work):
    login_as(artist)
    response = form_upload(client, work, b"MZ" + random_bytes(1000), "tool.exe")
    assert response.status_code == 415
    assert db.session.scalar(db.select(db.func.count(MediaAsset.id))) == 0


def make_ready_asset(db, work, artist, data, filename="clip.mp4"):
    storage = get_storage()
    key = f"works/{work.id}/original/{'a' * 64}.mp4"
    storage.put(key, io.BytesIO(data))
    asset = MediaAsset(work_id=work.id, owner_id=artist.id, slot=f"work:{work.id}", original_filename=filename,
                       size=len(data), original_key=key, state="ready", kind="video", mime="video/mp4", ext="mp4")
    db.session.add(asset)
    db.session.flush()
    preview_key = f"works/{work.id}/derived/preview/v1/{'a' * 64}.mp4"
    storage.put(preview_key, io.BytesIO(data[:1000]))
    db.session.add(Derivative(asset_id=asset.id, profile="preview", state=DerivativeState.DONE, key=preview_key,
                              content_type="video/mp4", size=1000))
    db.session.commit()
    return asset


def test_original_downloads_as_an_attachment_with_range_support(db, client, login_as, artist, work):
    login_as(artist)
    data = random_bytes(200_000)
    asset = make_ready_asset(db, work, artist, data)
    redirect = client.get(f"/works/{work.id}/assets/{asset.id}/files/original")
    assert redirect.status_code == 302
    url = signed_path(redirect)
    whole = client.get(url)
    assert whole.status_code == 200 and whole.data == data
    assert whole.headers["Content-Disposition"].startswith("attachment;")
    assert "clip.mp4" in whole.headers["Content-Disposition"]
    assert whole.headers["Content-Type"] == "application/octet-stream"
    assert whole.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert whole.headers["X-Content-Type-Options"] == "nosniff"
    part = client.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.data == data[100:200]


def test_a_preview_may_play_inline_but_never_the_original(db, client, login_as, artist, work):
    login_as(artist)
    asset = make_ready_asset(db, work, artist, random_bytes(5000))
    url = signed_path(client.get(f"/works/{work.id}/assets/{asset.id}/files/preview"))
    response = client.get(url)
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert response.headers["Content-Type"] == "video/mp4"


def test_signed_file_links_cannot_be_forged(db, client, login_as, artist, work):
    login_as(artist)
    asset = make_ready_asset(db, work, artist, random_bytes(5000))
    url = signed_path(client.get(f"/works/{work.id}/assets/{asset.id}/files/original"))
    assert client.get(url[:-4] + "AAAA").status_code == 404
    assert client.get("/media/files/garbage").status_code == 404


def test_only_the_artist_gets_file_links(db, client, login_as, make_user, artist, work):
    """Another user gets 404 for the work, its assets and their files."""
    asset = make_ready_asset(db, work, artist, random_bytes(5000))
    login_as(make_user(email="other@example.org"))
    assert client.get(f"/works/{work.id}").status_code == 404
    assert client.get(f"/works/{work.id}/assets/{asset.id}").status_code == 404
    assert client.get(f"/works/{work.id}/assets/{asset.id}/files/original").status_code == 404
    assert client.get(f"/works/{work.id}/assets/{asset.id}/files/preview").status_code == 404


def test_plain_form_upload_needs_the_csrf_token(db, client, login_as, artist, work):
    login_as(artist)
    response = client.post(f"/works/{work.id}/upload", data={"file": (io.BytesIO(b"x" * 1000), "clip.mp4")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count(MediaAsset.id))) == 0
