"""Delivery packages: a BagIt bag (RFC 8493) of the approved files, served as a store-mode ZIP
with an exact Content-Length, resumable with Range, through links that expire and belong to one
programmer. Every download is logged; the artist sees who downloaded."""

import hashlib
import io
import json
import random
import zipfile
from datetime import date

import pytest

from residency.extensions import db
from residency.festivals import packages, rights
from residency.festivals.models import Download, PackageState, RequestEvent
from residency.media.models import AssetState
from residency.notifications.models import EmailMessage
from residency.storage import get_storage
from tests.festivals.conftest import add_asset
from tests.festivals.support import approved_request, link_for, unpack


@pytest.fixture
def approved(programmer, artist, work, edition):
    return approved_request(programmer, artist, work, edition)


def test_package_is_a_valid_bag_of_the_profiles_files(client, login_as, programmer, approved, work, tmp_path):
    """The festival downloads one ZIP whose bag validates: the screening copy, the artist's SRT
    and a clean WebVTT, the still, the press kit, metadata.json, with manifests built from the
    checksums recorded at ingest."""
    assert approved.package.state == PackageState.READY
    login_as(programmer)
    response = client.get(link_for(client, approved))
    assert response.status_code == 200
    data = response.get_data()
    assert response.headers["Content-Length"] == str(len(data)) == str(approved.package.size)
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_STORED}
    bag = unpack(data, tmp_path)
    payload = sorted(bag.payload_files())
    assert payload == sorted([
        "data/metadata.json", "data/video/tidal signals-screening.mp4", "data/stills/tidal signals-still.jpg",
        "data/subtitles/tidal signals.fr.srt", "data/subtitles/tidal signals.fr.vtt", "data/press/press kit.pdf",
    ])
    assert bag.info["Payload-Oxum"].endswith(".6")
    assert bag.info["Source-Organization"] and bag.info["Bagging-Date"] == date.today().isoformat()
    recorded = {a.original_filename: a for a in work.current_assets}
    screening = recorded["tidal signals.mov"].derivative("screening")
    assert bag.entries["data/video/tidal signals-screening.mp4"]["sha256"] == screening.sha256
    record = json.loads((tmp_path / bag.path.split("/")[-1] / "data" / "metadata.json").read_text())
    assert record["work"]["title"] == "Tidal Signals" and record["request"]["festival"] == "Ars Electronica Festival"
    assert record["files"][0]["technical"]["video"]["width"] == 1920


def test_manifest_comes_from_ingest_checksums_not_from_the_bytes(client, login_as, programmer, artist, work,
                                                                  edition, tmp_path):
    """The bag's manifest states the SHA-256 recorded at ingest: a stored file whose bytes no longer
    match its record makes the festival's validation fail (nothing re-hashed hides it)."""
    pdf = next(a for a in work.current_assets if a.kind == "document")
    get_storage().put(pdf.original_key, io.BytesIO(b"%PDF-1.4 tampered!"))  # same length, other bytes
    request = approved_request(programmer, artist, work, edition)
    login_as(programmer)
    data = client.get(link_for(client, request)).get_data()
    import bagit

    with pytest.raises(bagit.BagValidationError):
        unpack(data, tmp_path)


def test_interrupted_download_resumes_with_range(client, login_as, programmer, approved):
    """A download cut at a random point and resumed with Range gives the same bytes as one
    uninterrupted download; each part is logged with its bytes, completed or not."""
    login_as(programmer)
    link = link_for(client, approved)
    whole = client.get(link).get_data()
    cut = random.Random(7).randrange(1, len(whole) - 1)
    part = client.get(link, headers={"Range": f"bytes={cut}-"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes {cut}-{len(whole) - 1}/{len(whole)}"
    assert int(part.headers["Content-Length"]) == len(whole) - cut
    assert hashlib.sha256(whole[:cut] + part.get_data()).digest() == hashlib.sha256(whole).digest()
    middle = client.get(link, headers={"Range": "bytes=10-19"}).get_data()
    assert middle == whole[10:20]
    assert client.get(link, headers={"Range": "bytes=-5"}).get_data() == whole[-5:]
    logs = db.session.execute(db.select(Download).order_by(Download.id)).scalars().all()
    assert [(d.range_start, d.bytes_sent, d.completed) for d in logs[:2]] == [
        (0, len(whole), True), (cut, len(whole) - cut, True)]
    assert all(d.user_id == programmer.id for d in logs)


def test_dropped_connection_is_logged_as_not_completed(client, login_as, programmer, approved):
    login_as(programmer)
    response = client.get(link_for(client, approved), buffered=False)
    iterator = iter(response.response)
    next(iterator)
    response.close()
    download = db.session.execute(db.select(Download)).scalar_one()
    assert not download.completed and download.bytes_sent < approved.package.size


@pytest.mark.parametrize("header", ["bytes=999999999-", "bytes=abc-", "bytes=9-2", "bytes=-0", "bytes=-"])
def test_range_past_the_end_or_malformed_is_refused(client, login_as, programmer, approved, header):
    login_as(programmer)
    response = client.get(link_for(client, approved), headers={"Range": header})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{approved.package.size}"
    assert db.session.execute(db.select(Download)).first() is None


def test_several_ranges_or_a_stale_if_range_get_the_whole(client, login_as, programmer, approved):
    login_as(programmer)
    link = link_for(client, approved)
    assert client.get(link, headers={"Range": "bytes=0-1,5-6"}).status_code == 200
    stale = client.get(link, headers={"Range": "bytes=5-", "If-Range": '"another"'})
    assert stale.status_code == 200 and len(stale.get_data()) == approved.package.size
    etag = client.get(link, headers={"Range": "bytes=0-0"}).headers["ETag"]
    assert client.get(link, headers={"Range": "bytes=5-", "If-Range": etag}).status_code == 206


def test_link_is_bound_to_its_programmer(client, login_as, programmer, colleague, other_programmer, approved):
    """A forwarded link is refused to a colleague and to another festival's programmer; they get
    their own from the page (the other festival cannot: the request is invisible to it)."""
    login_as(programmer)
    link = link_for(client, approved)
    login_as(colleague)
    refused = client.get(link)
    assert refused.status_code == 403 and b"someone else" in refused.data
    assert client.get(link_for(client, approved)).status_code == 200
    login_as(other_programmer)
    assert client.get(link).status_code == 403
    assert client.post_form(f"/festivals/requests/{approved.id}/link").status_code == 404


def test_link_needs_login_expires_and_cannot_be_tampered_with(app, client, login_as, programmer, approved):
    login_as(programmer)
    link = link_for(client, approved)
    assert client.get(link[:-2] + ("AA" if not link.endswith("AA") else "BB")).status_code == 404
    previous = app.config["FESTIVAL_LINK_SECONDS"]
    app.config["FESTIVAL_LINK_SECONDS"] = -1
    try:
        expired = client.get(link)
    finally:
        app.config["FESTIVAL_LINK_SECONDS"] = previous
    assert expired.status_code == 410 and b"expired" in expired.data
    client.post_form("/logout")
    assert client.get(link).headers["Location"].startswith("/login")


def test_withdrawn_request_stops_delivery(client, login_as, programmer, approved):
    login_as(programmer)
    link = link_for(client, approved)
    assert client.post_form(f"/festivals/requests/{approved.id}/withdraw").status_code == 303
    assert client.get(link).status_code == 410


def test_missing_storage_object_is_refused_logged_and_told(client, login_as, programmer, approved, caplog):
    """A stored file gone at download time: 503 with a clear message, nothing sent as if complete,
    the error logged, a step on the request for both sides, the festival e-mailed (once)."""
    item = next(f for f in approved.package.files if f.key and f.path.endswith(".pdf"))
    get_storage().delete(item.key)
    login_as(programmer)
    link = link_for(client, approved)
    response = client.get(link)
    assert response.status_code == 503 and b"missing" in response.data
    assert response.mimetype == "text/html"
    assert "missing at download time" in caplog.text
    assert db.session.execute(db.select(Download)).first() is None
    steps = [e.action for e in approved.events]
    assert steps[-1] == "file_missing"
    mails = db.session.execute(db.select(EmailMessage).where(EmailMessage.to_address == programmer.email)).scalars().all()
    assert any("missing" in m.subject for m in mails)
    client.get(link)
    assert [e.action for e in db.session.execute(db.select(RequestEvent)).scalars()].count("file_missing") == 1


def test_file_truncated_during_download_is_cut_short(client, login_as, programmer, approved):
    """A stored file shorter than recorded (found only while streaming) cuts the body short: the
    client gets fewer bytes than Content-Length, and the log says not completed."""
    item = next(f for f in approved.package.files if f.key and f.path.endswith("screening.mp4"))
    login_as(programmer)
    link = link_for(client, approved)
    original_size = packages.missing_files
    packages_missing = lambda package: []  # noqa: E731  (the check before streaming passes)
    from residency.festivals import rights_views

    rights_views.packages.missing_files = packages_missing
    try:
        get_storage().put(item.key, io.BytesIO(b"short"))
        response = client.get(link)
        body = response.get_data()
    finally:
        rights_views.packages.missing_files = original_size
    assert len(body) < int(response.headers["Content-Length"])
    download = db.session.execute(db.select(Download)).scalar_one()
    assert not download.completed and download.error.startswith("storage")


def test_package_follows_the_approved_version(client, login_as, programmer, artist, approved, work, tmp_path):
    """The artist replaces the video after approval: the package still delivers the approved
    version (its files stay stored), and the request's page says to ask again for the new one."""
    old = next(a for a in work.current_assets if a.kind == "video")
    new = add_asset(work, "tidal signals v2.mov", "video", b"NEW VERSION" * 50, derivatives=[
        ("screening", b"NEW SCREENING" * 50, "video/mp4", {})])
    new.version, new.supersedes_id, old.superseded_by_id = 2, old.id, new.id
    db.session.commit()
    assert packages.referenced_assets([old.id, new.id]) == {old.id}
    login_as(programmer)
    page = client.get(f"/festivals/requests/{approved.id}").get_data(as_text=True)
    assert "ask again" in page
    bag = unpack(client.get(link_for(client, approved)).get_data(), tmp_path)
    assert bag.entries["data/video/tidal signals-screening.mp4"]["sha256"] == old.derivative("screening").sha256


def test_failed_asset_cannot_be_approved_and_a_broken_one_fails_the_package(programmer, artist, work, edition):
    failing = add_asset(work, "broken.mov", "video", b"x" * 10, state=AssetState.FAILED)
    db.session.commit()
    request = rights.create_request(programmer, edition.festival, edition, work, "screening")
    db.session.commit()
    from residency.core.errors import ActionRefused

    with pytest.raises(ActionRefused, match="failed processing"):
        rights.decide(artist, request, True)
    db.session.rollback()
    failing.state = AssetState.READY  # processed later, but its screening copy was never made
    db.session.commit()
    rights.decide(artist, request, True)
    db.session.commit()
    assert packages.prepare(request.package.id) == PackageState.FAILED
    assert "was not made" in request.package.error
    assert request.events[-1].action == "package_failed"


def test_package_ready_is_told_and_signalled(programmer, artist, work, edition):
    from residency import signals

    seen = []
    with signals.festival_package_ready.connected_to(lambda sender, **kw: seen.append(sender.id)):
        request = approved_request(programmer, artist, work, edition)
    assert seen == [request.package.id]
    subjects = [m.subject for m in db.session.execute(
        db.select(EmailMessage).where(EmailMessage.to_address == programmer.email)).scalars()]
    assert any("ready" in s for s in subjects)


def test_artist_sees_who_downloaded(client, login_as, programmer, artist, approved):
    login_as(programmer)
    client.get(link_for(client, approved)).get_data()
    login_as(artist)
    page = client.get("/festivals/mine").get_data(as_text=True)
    assert "Petra Programmer" in page and "Ars Electronica Festival" in page


def test_assembled_on_s3_and_delivered_by_presigned_url(app, moto_s3, client, login_as, programmer, artist, work,
                                                        edition, tmp_path):
    """With S3 the worker assembles the ZIP once into the bucket; the programmer is sent to a
    presigned URL, and the download is logged."""
    import requests

    from residency.storage import S3Storage

    s3 = S3Storage(bucket=moto_s3["S3_BUCKET"], endpoint_url=moto_s3["S3_ENDPOINT_URL"], region="us-east-1",
                   access_key_id="testing", secret_access_key="testing")
    local = get_storage()
    for asset in work.current_assets:
        for key in {asset.original_key, *(d.key for d in asset.derivatives)}:
            with local.open(key) as stream:
                s3.put(key, stream)
    app.extensions["storage"] = s3
    try:
        request = approved_request(programmer, artist, work, edition)
        assert request.package.assembled_key
        login_as(programmer)
        response = client.get(link_for(client, request))
        assert response.status_code == 302
        data = requests.get(response.headers["Location"], timeout=30).content
    finally:
        app.extensions["storage"] = local
    assert len(data) == request.package.size
    unpack(data, tmp_path)
    assert db.session.execute(db.select(Download)).scalar_one().via == "presigned"


def test_head_gives_the_size_without_a_download(client, login_as, programmer, approved):
    login_as(programmer)
    response = client.head(link_for(client, approved))
    assert response.status_code == 200 and response.headers["Content-Length"] == str(approved.package.size)
    assert response.data == b""
    assert db.session.execute(db.select(Download)).first() is None


def test_subtitles_burnt_in_when_the_profile_asks(client, login_as, programmer, artist, edition, festival, tmp_path):
    """A festival asking for burnt-in subtitles gets a copy of the video with the French subtitles
    in the picture (Linz's language is German: none approved, so the first), made when the package
    is prepared; the bag lists it with the checksum computed as it was made, and validates."""
    import subprocess

    from residency.festivals.models import CatalogueEntry
    from residency.media.models import Work
    from tests.services import require_binary

    require_binary("ffmpeg")
    clip = tmp_path / "clip.mp4"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=black:s=320x180:r=25",
                    "-t", "2", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(clip)], check=True)
    work = Work(owner_id=artist.id, title="Black Box", synopsis={"en": "Dark."})
    db.session.add(work)
    db.session.flush()
    add_asset(work, "black box.mp4", "video", clip.read_bytes(), probe={"duration": 2.0},
              derivatives=[("screening", None, "video/mp4", {})])
    add_asset(work, "black box.fr.srt", "subtitle", b"1\n00:00:00,000 --> 00:00:02,000\nBONJOUR\n",
              derivatives=[("webvtt", b"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nBONJOUR\n", "text/vtt", {})])
    db.session.add(CatalogueEntry(work_id=work.id))
    festival.delivery_profile = {"video": "screening", "subtitles": "burnt", "stills": False, "press_kit": False}
    db.session.commit()
    request = approved_request(programmer, artist, work, edition)
    assert request.package.state == PackageState.READY, request.package.error
    login_as(programmer)
    bag = unpack(client.get(link_for(client, request)).get_data(), tmp_path / "bag")
    assert sorted(bag.payload_files()) == ["data/metadata.json", "data/video/black box-subtitled.mp4"]
    burnt = tmp_path / "bag" / bag.path.split("/")[-1] / "data" / "video" / "black box-subtitled.mp4"

    def frame(path):
        return subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-ss", "1", "-i", str(path),
                               "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-"],
                              check=True, capture_output=True).stdout

    assert max(frame(clip)) < 40 and max(frame(burnt)) > 200  # white letters on the black picture
