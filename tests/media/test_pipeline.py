"""The processing pipeline, step by step, in this process on real files and real ffmpeg:
verify by content, probe, derivatives under deterministic keys, the asset's state derived from
its steps, clear failures for bad media, retries, replacement, and the sweeper."""

import struct
import zipfile
import zlib
from datetime import timedelta
from pathlib import Path

import pytest

from residency.core.types import utcnow
from residency.media import pipeline
from residency.media.models import AssetState, Derivative, DerivativeState, MediaAsset, Upload, UploadState
from residency.storage import get_storage
from tests.media.conftest import MiB


def upload_file(uploader, work, path, filename=None):
    data = Path(path).read_bytes()
    _upload_id, response = uploader.upload(f"work:{work.id}", filename or Path(path).name, data)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["asset"]


def run_pipeline(db, asset_id):
    """What the workers do, in order; returns the asset."""
    if pipeline.verify(asset_id) == "probe":
        for profile in pipeline.probe(asset_id):
            pipeline.derive(asset_id, profile)
    db.session.expire_all()
    return db.session.get(MediaAsset, asset_id)


def test_a_video_becomes_ready_with_every_derivative(db, work, uploader, sample_video):
    asset = run_pipeline(db, upload_file(uploader, work, sample_video))
    assert asset.state == AssetState.READY, asset.log
    assert asset.kind == "video"
    assert asset.original_key == f"works/{work.id}/original/{asset.sha256}.mp4"
    assert asset.quarantine_key is None
    storage = get_storage()
    assert storage.exists(asset.original_key)
    profiles = {d.profile: d for d in asset.derivatives}
    assert {"thumbnail", "poster", "preview", "screening", "waveform", "qc"} <= set(profiles)
    assert all(d.state == DerivativeState.DONE for d in asset.derivatives)
    preview = profiles["preview"]
    assert preview.key == f"works/{work.id}/derived/preview/v{preview.version}/{asset.sha256}.mp4"
    assert storage.exists(preview.key) and preview.sha256 and preview.size > 0
    assert asset.probe["video"]["width"] == 320


def test_running_a_step_again_changes_nothing(db, work, uploader, sample_video):
    """Steps are idempotent: a redelivered job finds its work done and leaves it as it is."""
    asset = run_pipeline(db, upload_file(uploader, work, sample_video))
    before = {d.profile: (d.key, d.sha256, d.attempts) for d in asset.derivatives}
    assert pipeline.verify(asset.id) == "probe"
    assert pipeline.probe(asset.id) == []
    assert pipeline.derive(asset.id, "preview") is True
    db.session.expire_all()
    after = {d.profile: (d.key, d.sha256, d.attempts) for d in db.session.get(MediaAsset, asset.id).derivatives}
    assert after == before


def test_subtitles_become_webvtt(db, work, uploader, sample_srt):
    asset = run_pipeline(db, upload_file(uploader, work, sample_srt))
    assert asset.state == AssetState.READY, asset.log
    webvtt = asset.derivative("webvtt")
    with get_storage().open(webvtt.key) as stream:
        text = stream.read().decode()
    assert text.startswith("WEBVTT") and "Bonsoir, Lyon." in text


def write_png_claiming(path, width, height):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + chunk(b"IEND", b""))


BAD_FILES = {
    "executable renamed .mp4": ("tool.mp4", lambda p: p.write_bytes(Path("/bin/true").read_bytes()), "verify"),
    "HTML with script named .mp4": ("page.mp4", lambda p: p.write_text("<!doctype html><html><script>alert(1)</script></html>"), "verify"),
    "SVG with script named .png": ("icon.png", lambda p: p.write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), "verify"),
    "50,000 × 50,000 PNG": ("huge.png", lambda p: write_png_claiming(p, 50_000, 50_000), "probe"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_fail_with_a_clear_reason_and_nothing_else_is_affected(db, work, uploader, sample_video, tmp_path, case):
    filename, make, step = BAD_FILES[case]
    path = tmp_path / filename
    make(path)
    good_id = upload_file(uploader, work, sample_video)
    bad = run_pipeline(db, upload_file(uploader, work, path))
    assert bad.state == AssetState.FAILED
    assert bad.failed_step == step
    assert bad.failure_reason and not bad.failure_retryable
    assert bad.original_key is None or step != "verify"
    good = run_pipeline(db, good_id)
    assert good.state == AssetState.READY
    page = uploader.client.get(f"/works/{work.id}/assets/{bad.id}").get_data(as_text=True)
    assert "could not be processed" in page


def test_truncated_video_fails_at_probe(db, work, uploader, sample_video, tmp_path):
    data = sample_video.read_bytes()
    path = tmp_path / "cut.mp4"
    path.write_bytes(data[: len(data) // 2])
    asset = run_pipeline(db, upload_file(uploader, work, path))
    assert asset.state == AssetState.FAILED
    assert asset.failed_step in ("verify", "probe")


def test_archives_are_listed_never_extracted_and_bombs_refused(db, work, uploader, tmp_path):
    good = tmp_path / "piece.zip"
    with zipfile.ZipFile(good, "w") as archive:
        archive.writestr("index.html", "<h1>hello</h1>")
        archive.writestr("sketch.js", "draw()")
    escape = tmp_path / "escape.zip"
    with zipfile.ZipFile(escape, "w") as archive:
        archive.writestr("../evil.sh", "rm -rf /")
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("zeros.bin", "w", force_zip64=True) as entry:
            block = b"\x00" * MiB
            for _ in range(200):
                entry.write(block)
    assert run_pipeline(db, upload_file(uploader, work, good)).state == AssetState.READY
    for path in (escape, bomb):
        asset = run_pipeline(db, upload_file(uploader, work, path))
        assert asset.state == AssetState.FAILED, path.name
        assert asset.failure_code in ("archive_path_escape", "archive_bomb")


def test_a_temporary_failure_can_be_retried(db, client, work, uploader, sample_video):
    """After a temporary failure the artist sees "Try again"; pressing it queues the step again."""
    asset_id = upload_file(uploader, work, sample_video)
    assert pipeline.verify(asset_id) == "probe"
    pipeline.probe(asset_id)
    pipeline.transient_failure(asset_id, "preview", "TransientError: ffmpeg was killed", final=True)
    db.session.expire_all()
    asset = db.session.get(MediaAsset, asset_id)
    assert asset.state == AssetState.FAILED and asset.failure_retryable
    page = client.get(f"/works/{work.id}/assets/{asset_id}").get_data(as_text=True)
    assert "Try again" in page
    response = client.post_form(f"/works/{work.id}/assets/{asset_id}/retry")
    assert response.status_code == 302
    db.session.expire_all()
    asset = db.session.get(MediaAsset, asset_id)
    assert asset.state == AssetState.PROCESSING
    assert asset.derivative("preview").state == DerivativeState.PENDING
    for derivative in asset.derivatives:
        pipeline.derive(asset_id, derivative.profile)
    db.session.expire_all()
    assert db.session.get(MediaAsset, asset_id).state == AssetState.READY


def test_a_permanent_failure_cannot_be_retried(db, client, work, uploader, tmp_path):
    path = tmp_path / "tool.mp4"
    path.write_bytes(Path("/bin/true").read_bytes())
    asset = run_pipeline(db, upload_file(uploader, work, path))
    response = client.post_form(f"/works/{work.id}/assets/{asset.id}/retry")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(MediaAsset, asset.id).state == AssetState.FAILED


def test_replacing_a_file_keeps_the_old_version(db, work, uploader, sample_video, sample_srt):
    """A new version supersedes the old one in the list; the old file stays stored."""
    old = run_pipeline(db, upload_file(uploader, work, sample_video))
    data = sample_video.read_bytes() + b"\x00" * 16  # different bytes, same kind
    created = uploader.create(f"work:{work.id}", "clip-v2.mp4", len(data), replaces=old.id)
    assert created.status_code == 201
    upload_id = created.get_json()["uploadId"]
    _status, etag = uploader.put_part(upload_id, 1, data)
    new_id = uploader.complete(upload_id, [(1, etag)]).get_json()["asset"]
    db.session.expire_all()
    new = db.session.get(MediaAsset, new_id)
    old = db.session.get(MediaAsset, old.id)
    assert new.version == 2 and new.supersedes_id == old.id and old.superseded_by_id == new.id
    assert get_storage().exists(old.original_key)
    assert [a.id for a in new.work.current_assets] == [new.id]


def test_the_sweeper_requeues_stuck_steps_and_expires_abandoned_uploads(app, db, work, uploader, sample_video):
    from residency.media.tasks import sweep_now
    from tests.core.test_jobs import queued_messages

    asset_id = upload_file(uploader, work, sample_video)
    pipeline.verify(asset_id)
    pipeline.probe(asset_id)
    stale = utcnow() - timedelta(seconds=app.config["MEDIA_STALE_SECONDS"] + 60)
    derivative = db.session.execute(db.select(Derivative).where(Derivative.asset_id == asset_id, Derivative.profile == "preview")).scalar_one()
    derivative.state, derivative.heartbeat_at, derivative.created_at = DerivativeState.RUNNING, stale, stale
    abandoned_id = uploader.create(f"work:{work.id}", "never.mp4", MiB).get_json()["uploadId"]
    upload = db.session.execute(db.select(Upload).where(Upload.public_id == abandoned_id)).scalar_one()
    upload.updated_at = utcnow() - timedelta(hours=app.config["MEDIA_UPLOAD_EXPIRY_HOURS"] + 1)
    db.session.commit()
    before = len(queued_messages(app))
    counts = sweep_now()
    assert counts["derivatives"] >= 1 and counts["uploads_expired"] == 1
    db.session.expire_all()
    assert db.session.get(Derivative, derivative.id).state == DerivativeState.PENDING
    assert db.session.get(Upload, upload.id).state == UploadState.EXPIRED
    assert len(queued_messages(app)) > before
