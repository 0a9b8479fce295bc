"""Resumable uploads: a large file arrives in parts, survives drops and out-of-order parts,
and every limit is checked at creation and again at completion — on both storage backends."""

import pytest
from itsdangerous import URLSafeTimedSerializer

from residency.media.models import AssetState, MediaAsset, Upload, UploadState
from tests.media.conftest import MiB, Uploader, random_bytes, sha256


def stored_bytes(storage, key):
    with storage.open(key) as stream:
        return stream.read()


def test_a_file_in_several_parts_arrives_whole(db, work, uploader, backend):
    """Three parts (5 MiB, 5 MiB, the rest) become one asset holding exactly the bytes sent."""
    data = random_bytes(11 * MiB + 123)
    upload_id, response = uploader.upload(f"work:{work.id}", "night signals.mp4", data)
    assert response.status_code == 200, response.get_json()
    asset = db.session.get(MediaAsset, response.get_json()["asset"])
    assert asset.work_id == work.id and asset.state == AssetState.UPLOADED
    assert asset.size == len(data)
    assert asset.original_filename == "night signals.mp4"
    assert sha256(stored_bytes(backend, asset.quarantine_key)) == sha256(data)
    upload = db.session.execute(db.select(Upload).where(Upload.public_id == upload_id)).scalar_one()
    assert upload.state == UploadState.COMPLETED and upload.asset_id == asset.id


def test_parts_may_arrive_out_of_order_and_twice(db, work, uploader, backend):
    """A part sent again replaces the first copy; order of arrival does not matter."""
    data = random_bytes(6 * MiB)
    upload_id = uploader.create(f"work:{work.id}", "clip.mp4", len(data)).get_json()["uploadId"]
    status2, etag2 = uploader.put_part(upload_id, 2, data[5 * MiB:])
    status1, _first = uploader.put_part(upload_id, 1, random_bytes(5 * MiB))
    status1b, etag1 = uploader.put_part(upload_id, 1, data[:5 * MiB])
    assert status1 == status1b == status2 == 200
    listed = uploader.parts(upload_id).get_json()["parts"]
    assert [(p["PartNumber"], p["Size"]) for p in listed] == [(1, 5 * MiB), (2, MiB)]
    response = uploader.complete(upload_id, [(1, etag1), (2, etag2)])
    assert response.status_code == 200
    asset = db.session.get(MediaAsset, response.get_json()["asset"])
    assert sha256(stored_bytes(backend, asset.quarantine_key)) == sha256(data)


def test_listing_parts_lets_an_interrupted_upload_resume(work, uploader, backend):
    """After a dropped connection the uploader learns which parts arrived and sends only the rest."""
    data = random_bytes(10 * MiB + 5)
    upload_id = uploader.create(f"work:{work.id}", "clip.mp4", len(data)).get_json()["uploadId"]
    _status, etag1 = uploader.put_part(upload_id, 1, data[:5 * MiB])
    listed = uploader.parts(upload_id).get_json()["parts"]
    assert [p["PartNumber"] for p in listed] == [1]
    _status, etag2 = uploader.put_part(upload_id, 2, data[5 * MiB:10 * MiB])
    _status, etag3 = uploader.put_part(upload_id, 3, data[10 * MiB:])
    assert uploader.complete(upload_id, [(1, etag1), (2, etag2), (3, etag3)]).status_code == 200


def test_completion_with_missing_parts_is_refused_and_can_be_resumed(db, work, uploader, backend):
    """Completing without every part is refused with a clear message; the upload stays open."""
    data = random_bytes(11 * MiB)
    upload_id = uploader.create(f"work:{work.id}", "clip.mp4", len(data)).get_json()["uploadId"]
    _s, etag1 = uploader.put_part(upload_id, 1, data[:5 * MiB])
    _s, etag3 = uploader.put_part(upload_id, 3, data[10 * MiB:])
    response = uploader.complete(upload_id, [(1, etag1), (3, etag3)])
    assert response.status_code == 409
    assert "missing" in response.get_json()["error"]
    assert db.session.scalar(db.select(db.func.count(MediaAsset.id))) == 0
    _s, etag2 = uploader.put_part(upload_id, 2, data[5 * MiB:10 * MiB])
    assert uploader.complete(upload_id, [(1, etag1), (2, etag2), (3, etag3)]).status_code == 200


def test_completion_with_a_wrong_etag_is_refused(work, uploader, backend):
    """A part whose ETag does not match what arrived is refused (corrupted in transit)."""
    data = random_bytes(6 * MiB)
    upload_id = uploader.create(f"work:{work.id}", "clip.mp4", len(data)).get_json()["uploadId"]
    _s, etag1 = uploader.put_part(upload_id, 1, data[:5 * MiB])
    _s, etag2 = uploader.put_part(upload_id, 2, data[5 * MiB:])
    response = uploader.complete(upload_id, [(1, etag1), (2, '"0123456789abcdef0123456789abcdef"')])
    assert response.status_code == 409


def test_a_small_part_that_is_not_the_last_is_refused(work, uploader, backend):
    """Parts under 5 MiB except the last are refused at completion (S3's rule, on both backends)."""
    data = random_bytes(2 * MiB)
    upload_id = uploader.create(f"work:{work.id}", "clip.mp4", len(data)).get_json()["uploadId"]
    _s, etag1 = uploader.put_part(upload_id, 1, data[:MiB])
    _s, etag2 = uploader.put_part(upload_id, 2, data[MiB:])
    assert uploader.complete(upload_id, [(1, etag1), (2, etag2)]).status_code == 409


def test_declared_size_over_the_limit_is_refused_at_creation(app, db, work, uploader):
    """A file larger than the slot allows is refused before a byte is sent."""
    app.config["MEDIA_MAX_FILE_SIZE"], previous = 10 * MiB, app.config["MEDIA_MAX_FILE_SIZE"]
    try:
        response = uploader.create(f"work:{work.id}", "huge.mp4", 10 * MiB + 1)
    finally:
        app.config["MEDIA_MAX_FILE_SIZE"] = previous
    assert response.status_code == 413
    assert "at most" in response.get_json()["error"]
    assert db.session.scalar(db.select(db.func.count(Upload.id))) == 0


def test_more_bytes_than_declared_are_refused_at_completion(db, work, uploader):
    """Sending more than the declared size (to dodge the limit) is caught at completion."""
    upload_id = uploader.create(f"work:{work.id}", "clip.mp4", 6 * MiB).get_json()["uploadId"]
    _s, etag1 = uploader.put_part(upload_id, 1, random_bytes(5 * MiB))
    _s, etag2 = uploader.put_part(upload_id, 2, random_bytes(3 * MiB))
    response = uploader.complete(upload_id, [(1, etag1), (2, etag2)])
    assert response.status_code == 409
    assert db.session.scalar(db.select(db.func.count(MediaAsset.id))) == 0


def test_over_quota_is_refused(app, work, uploader):
    """A file that would take the artist over their storage quota is refused with the quota named."""
    app.config["MEDIA_USER_QUOTA"], previous = 8 * MiB, app.config["MEDIA_USER_QUOTA"]
    try:
        first = uploader.create(f"work:{work.id}", "a.mp4", 5 * MiB)
        second = uploader.create(f"work:{work.id}", "b.mp4", 5 * MiB)
    finally:
        app.config["MEDIA_USER_QUOTA"] = previous
    assert first.status_code == 201
    assert second.status_code == 413
    assert "quota" in second.get_json()["error"]


@pytest.mark.parametrize("filename,type_", [("setup.exe", "application/x-msdownload"), ("page.html", "text/html"),
                                            ("drawing.svg", "image/svg+xml"), ("noextension", "")])
def test_kinds_that_are_never_accepted_are_refused_at_creation(work, uploader, filename, type_):
    """Executables, HTML, SVG and unknown files are refused before upload (and by content later)."""
    response = uploader.create(f"work:{work.id}", filename, MiB, type_)
    assert response.status_code == 415


def test_uploading_to_someone_elses_work_is_refused(db, make_user, work, client, login_as):
    """Another artist's work is not a place you can upload to (and its existence is not revealed)."""
    intruder = make_user(email="intruder@example.org")
    login_as(intruder)
    uploader = Uploader(client)
    assert uploader.create(f"work:{work.id}", "clip.mp4", MiB).status_code == 404
    assert uploader.create("work:999999", "clip.mp4", MiB).status_code == 404
    assert uploader.create("nonsense", "clip.mp4", MiB).status_code == 400


def test_someone_elses_upload_cannot_be_continued(db, make_user, work, uploader, client, login_as):
    """Parts, listing, completion and abort of an upload are only for its owner."""
    upload_id = uploader.create(f"work:{work.id}", "clip.mp4", MiB).get_json()["uploadId"]
    login_as(make_user(email="intruder@example.org"))
    other = Uploader(client)
    assert other.sign(upload_id, 1).status_code == 404
    assert other.parts(upload_id).status_code == 404
    assert other.complete(upload_id, [(1, '"x"')]).status_code == 404
    assert other.abort(upload_id).status_code == 404


def test_anonymous_visitors_cannot_upload(client, work):
    response = client.post("/media/uploads", json={"slot": f"work:{work.id}", "filename": "a.mp4", "size": 1})
    assert response.status_code in (302, 400, 401)
    assert client.get("/media/uploads/abc/parts/1").status_code in (302, 401)


def test_upload_api_needs_the_csrf_token(client, login_as, artist, work):
    """A cross-site page cannot open an upload on the artist's behalf."""
    login_as(artist)
    response = client.post("/media/uploads", json={"slot": f"work:{work.id}", "filename": "a.mp4", "size": MiB})
    assert response.status_code == 400


def test_a_tampered_or_expired_part_link_is_refused(app, work, uploader):
    """The signed part URL cannot be altered or reused after it expires."""
    upload_id = uploader.create(f"work:{work.id}", "clip.mp4", MiB).get_json()["uploadId"]
    url = uploader.sign(upload_id, 1).get_json()["url"]
    tampered = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    assert uploader.client.put(tampered, data=b"x").status_code == 403
    with app.test_request_context():
        signer = URLSafeTimedSerializer(app.secret_key, salt="storage-part")
        expired = signer.dumps({"k": "quarantine/x/y", "u": "0" * 32, "n": 1, "e": -1})
    assert uploader.client.put(f"/media/parts/{expired}", data=b"x").status_code == 403


def test_an_aborted_upload_accepts_nothing_more(db, work, uploader, backend):
    upload_id = uploader.create(f"work:{work.id}", "clip.mp4", MiB).get_json()["uploadId"]
    assert uploader.abort(upload_id).status_code == 204
    assert uploader.sign(upload_id, 1).status_code == 409
    upload = db.session.execute(db.select(Upload).where(Upload.public_id == upload_id)).scalar_one()
    assert upload.state == UploadState.ABORTED


def test_malformed_requests_get_clear_errors(work, uploader):
    client = uploader.client
    headers = {"X-CSRFToken": uploader.token}
    assert client.post("/media/uploads", data="not json", headers=headers, content_type="application/json").status_code == 400
    assert uploader.create(f"work:{work.id}", "a.mp4", "12").status_code == 400
    assert uploader.create(f"work:{work.id}", "a.mp4", 0).status_code == 400
    upload_id = uploader.create(f"work:{work.id}", "a.mp4", MiB).get_json()["uploadId"]
    assert uploader.sign(upload_id, 0).status_code == 400
    assert uploader.sign(upload_id, 10001).status_code == 400
    bad = client.post(f"/media/uploads/{upload_id}/complete", json={"parts": [{"PartNumber": "1"}]}, headers=headers)
    assert bad.status_code == 400


def test_a_path_in_the_file_name_is_dropped(db, work, uploader):
    """A name like ../../etc/passwd keeps only its last part, for display and download."""
    data = random_bytes(1000)
    _upload_id, response = uploader.upload(f"work:{work.id}", "../../etc/passwd.mp4", data)
    asset = db.session.get(MediaAsset, response.get_json()["asset"])
    assert asset.original_filename == "passwd.mp4"
    assert ".." not in asset.quarantine_key


def test_a_part_cut_short_is_not_kept(work, uploader):
    """A part whose connection dropped mid-way is refused (400) and not listed, so it is sent again."""
    upload_id = uploader.create(f"work:{work.id}", "clip.mp4", 6 * MiB).get_json()["uploadId"]
    url = uploader.sign(upload_id, 1).get_json()["url"]
    import io

    # As gunicorn hands it over: the declared length, a body that ends early, input "terminated".
    response = uploader.client.put(url, input_stream=io.BytesIO(b"x" * 1000),
                                   environ_overrides={"CONTENT_LENGTH": str(5 * MiB), "wsgi.input_terminated": True})
    assert response.status_code == 400
    assert uploader.parts(upload_id).get_json()["parts"] == []


def test_presigned_urls_use_the_public_s3_address(moto_s3):
    """Browsers get URLs for the address they can reach, not the servers' internal one."""
    from residency.storage import S3Storage

    storage = S3Storage(bucket=moto_s3["S3_BUCKET"], endpoint_url=moto_s3["S3_ENDPOINT_URL"], region="us-east-1",
                        access_key_id="testing", secret_access_key="testing",
                        public_endpoint_url="https://files.example.org")
    upload_id = storage.create_multipart("quarantine/x/clip.mp4")
    assert storage.part_url("quarantine/x/clip.mp4", upload_id, 1).startswith("https://files.example.org/")
    assert storage.download_url("quarantine/x/clip.mp4", "clip.mp4").startswith("https://files.example.org/")
    storage.abort_multipart("quarantine/x/clip.mp4", upload_id)


def test_with_s3_the_page_may_talk_to_the_bucket_and_nothing_else():
    """The CSP lets the uploader PUT parts to S3's public origin (and play previews from it)."""
    from residency.core.security import content_security_policy
    from residency.storage import csp_origins

    local = content_security_policy(csp_origins({"S3_BUCKET": None}))
    assert local["connect-src"] == "'self'"
    s3 = content_security_policy(csp_origins({"S3_BUCKET": "b", "S3_PUBLIC_ENDPOINT_URL": "https://files.example.org/base"}))
    assert s3["connect-src"] == ["'self'", "https://files.example.org"]
    assert "https://files.example.org" in s3["media-src"] and "https://files.example.org" in s3["img-src"]
