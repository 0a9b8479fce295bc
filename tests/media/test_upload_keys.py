"""Issue 19: every resumable upload has a storage key of its own.

Two artists upload a file of the same name and the same size at the same time, parts and
completions interleaved, through the real upload API, on the embedded storage and on S3 (moto's
server over HTTP). Each asset must end up holding its own uploader's bytes. Before the fix both
uploads were stored under ``quarantine/None/<name>``: the second completion overwrote the first
file, the first asset was verified with the other artist's bytes, and the second one failed on a
missing key.
"""

import io

import pytest

from residency.media import pipeline
from residency.media.models import AssetState, MediaAsset, Upload, UploadState, Work
from residency.storage.base import KeyTaken
from tests.conftest import log_in_without_form
from tests.media.conftest import MiB, Uploader, sha256

NAME = "portfolio.png"


def noise_png(width=1600, height=1400):
    """A PNG of random pixels, stored without compression: every such image has the same size
    (about 6.4 MiB, so two parts) and different bytes."""
    import os

    from PIL import Image

    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(buffer, "PNG", compress_level=0)
    return buffer.getvalue()


def stored_bytes(storage, key):
    with storage.open(key) as stream:
        return stream.read()


class Artist:
    """One artist with a work, a browser of their own and the uploader speaking for them."""

    def __init__(self, app, db, make_user, email):
        self.user = make_user(email=email)
        self.work = Work(owner_id=self.user.id, title=f"Work of {email}", year=2026)
        db.session.add(self.work)
        db.session.commit()
        client = app.test_client()
        log_in_without_form(client, self.user)
        self.uploader = Uploader(client)
        self.data = noise_png()
        self.upload_id = None

    def create(self):
        response = self.uploader.create(f"work:{self.work.id}", NAME, len(self.data), "image/png")
        assert response.status_code == 201, response.get_json()
        self.upload_id = response.get_json()["uploadId"]
        self.parts = []
        return response.get_json()

    def send_part(self, number):
        start = (number - 1) * 5 * MiB
        status, etag = self.uploader.put_part(self.upload_id, number, self.data[start:start + 5 * MiB])
        assert status == 200
        self.parts.append((number, etag))

    def complete(self):
        response = self.uploader.complete(self.upload_id, self.parts)
        assert response.status_code == 200, response.get_json()
        return response.get_json()["asset"]


@pytest.fixture
def two_artists(app, db, make_user):
    first = Artist(app, db, make_user, "aya@example.org")
    second = Artist(app, db, make_user, "bruno@example.org")
    assert len(first.data) == len(second.data) > 5 * MiB and first.data != second.data
    return first, second


def run_pipeline(db, asset_id):
    """What the workers do, in order; returns the asset."""
    if pipeline.verify(asset_id) == "probe":
        for profile in pipeline.probe(asset_id):
            pipeline.derive(asset_id, profile)
    db.session.expire_all()
    return db.session.get(MediaAsset, asset_id)


def test_two_artists_uploading_the_same_file_name_keep_their_own_bytes(db, two_artists, backend):
    """Same name, same size, at the same time: each asset's original holds its uploader's file."""
    aya, bruno = two_artists
    keys = [aya.create()["key"], bruno.create()["key"]]
    aya.send_part(1)
    bruno.send_part(1)
    bruno.send_part(2)
    aya.send_part(2)
    aya_asset_id = aya.complete()
    bruno_asset_id = bruno.complete()  # both completed before any verification, as under load

    # Verified in the order of completion, then processed to the end.
    assets = {aya: run_pipeline(db, aya_asset_id), bruno: run_pipeline(db, bruno_asset_id)}

    for artist, asset in assets.items():
        assert asset.owner_id == artist.user.id
        assert asset.state == AssetState.READY, asset.log
        assert asset.sha256 == sha256(artist.data)
        assert asset.original_key == f"works/{artist.work.id}/original/{sha256(artist.data)}.png"
        assert sha256(stored_bytes(backend, asset.original_key)) == sha256(artist.data)
        upload = db.session.execute(db.select(Upload).where(Upload.public_id == artist.upload_id)).scalar_one()
        assert upload.state == UploadState.COMPLETED and upload.asset_id == asset.id
        assert upload.key == f"quarantine/{upload.public_id}/{NAME}"
    assert keys[0] != keys[1]


def test_the_key_of_an_upload_is_made_of_its_own_public_id(db, work, uploader):
    """The key is built from an id given before the row is written, never from a missing one."""
    created = uploader.create(f"work:{work.id}", "clip.mp4", MiB).get_json()
    upload = db.session.execute(db.select(Upload).where(Upload.public_id == created["uploadId"])).scalar_one()
    assert created["key"] == upload.key == f"quarantine/{upload.public_id}/clip.mp4"


def test_a_quarantine_key_needs_a_unique_token():
    from residency.media.operations import quarantine_key

    assert quarantine_key("0" * 32, "ma vidéo.mp4") == f"quarantine/{'0' * 32}/ma-video.mp4"
    for token in (None, "None", "", "x" * 32):
        with pytest.raises(ValueError):
            quarantine_key(token, "clip.mp4")


def test_storage_never_starts_an_upload_on_a_key_that_holds_a_file(app, backend):
    key = "quarantine/taken/clip.mp4"
    backend.put(key, io.BytesIO(b"someone's file"))
    try:
        with pytest.raises(KeyTaken):
            backend.create_multipart(key)
    finally:
        backend.delete(key)


def test_storage_never_overwrites_a_file_when_completing(app, backend):
    """Two multipart uploads on one key: the first completion stores its file, the second is
    refused and the first file stays as it was."""
    key = "quarantine/twice/clip.mp4"
    first_id, second_id = backend.create_multipart(key), backend.create_multipart(key)
    first_etag = _send_part(backend, key, first_id, b"first artist")
    second_etag = _send_part(backend, key, second_id, b"second artist")
    try:
        assert backend.complete_multipart(key, first_id, [(1, first_etag)]) == len(b"first artist")
        with pytest.raises(KeyTaken):
            backend.complete_multipart(key, second_id, [(1, second_etag)])
        assert stored_bytes(backend, key) == b"first artist"
    finally:
        backend.abort_multipart(key, second_id)
        backend.delete(key)


def _send_part(storage, key, upload_id, data):
    if storage.name == "local":
        return storage.write_part(key, upload_id, 1, io.BytesIO(data), limit=len(data))
    import requests

    response = requests.put(storage.part_url(key, upload_id, 1), data=data, timeout=30)
    assert response.status_code == 200
    return response.headers["ETag"]
