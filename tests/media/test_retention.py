"""Replaced versions lose their stored files once nothing needs them: after the grace period,
once the current version is ready, never a file the current version shares, never a version
frozen in a submitted application; the version history keeps saying what happened; a second run
changes nothing; a dry run deletes nothing. On local storage and on S3 (moto's server)."""

from datetime import timedelta

import pytest

from residency.applications import operations as applications
from residency.applications.listing import frozen_files
from residency.applications.models import ApplicationVersion
from residency.audit.models import AuditEntry
from residency.calls.models import Call, CallState
from residency.core.types import utcnow
from residency.media import pipeline, retention
from residency.media.models import AssetState, MediaAsset
from residency.storage import get_storage
from tests.applications.conftest import FORM, submit
from tests.media.test_pipeline import run_pipeline

SRT = "1\n00:00:00,500 --> 00:00:02,000\n{text}\n\n2\n00:00:02,500 --> 00:00:04,000\nGood evening, York.\n"
SRT_TYPE = "application/x-subrip"


def srt(text):
    return SRT.format(text=text).encode()


def upload(db, uploader, slot, filename, data, replaces=None):
    """Upload ``data`` into ``slot`` (replacing asset ``replaces``) and process it; returns the asset."""
    extra = {"replaces": replaces.id} if replaces is not None else {}
    created = uploader.create(slot, filename, len(data), SRT_TYPE, **extra)
    assert created.status_code == 201, created.get_json()
    upload_id = created.get_json()["uploadId"]
    _status, etag = uploader.put_part(upload_id, 1, data)
    completed = uploader.complete(upload_id, [(1, etag)])
    assert completed.status_code == 200, completed.get_json()
    db.session.commit()
    return run_pipeline(db, completed.get_json()["asset"])


def keys_of(asset):
    keys = {asset.original_key} | {d.key for d in asset.derivatives}
    assert None not in keys and len(keys) >= 3  # an original, its WebVTT and its QC report
    return keys


def after_grace(app, days=1):
    return utcnow() + timedelta(days=app.config["MEDIA_REPLACED_GRACE_DAYS"] + days)


def reload(db, asset_id):
    db.session.expire_all()
    return db.session.get(MediaAsset, asset_id)


@pytest.fixture
def replaced(db, work, uploader, backend):
    """Version 1 of a subtitle file replaced by a different version 2, both processed."""
    slot = f"work:{work.id}"
    old = upload(db, uploader, slot, "subs.srt", srt("Bonsoir, Lyon."))
    new = upload(db, uploader, slot, "subs-v2.srt", srt("Bonsoir, Linz."), replaces=old)
    old = reload(db, old.id)
    assert old.state == new.state == AssetState.READY and old.superseded_by_id == new.id
    return old, new


def test_nothing_is_deleted_during_the_grace_period(app, db, replaced, backend):
    """Until MEDIA_REPLACED_GRACE_DAYS have passed since the replacement, the old files stay."""
    old, new = replaced
    old_keys, new_keys = keys_of(old), keys_of(new)
    done, _referenced = retention.purge(now=after_grace(app, days=-1))
    assert done == []
    old = reload(db, old.id)
    assert old.purged_at is None and keys_of(old) == old_keys
    assert all(backend.exists(key) for key in old_keys | new_keys)


def test_after_the_grace_period_the_old_files_go_and_the_history_stays(app, db, client, replaced, backend):
    """The old original and derivatives are deleted, the current ones stay; the old version's page
    says when it was replaced and when its files were deleted; a second run changes nothing."""
    old, new = replaced
    old_keys, new_keys = keys_of(old), keys_of(new)
    assert not old_keys & new_keys
    done, referenced = retention.purge(now=after_grace(app))
    assert [item.asset_id for item in done] == [old.id] and referenced == 0
    assert set(done[0].delete) == old_keys and done[0].keep == []
    assert not any(backend.exists(key) for key in old_keys)
    assert all(backend.exists(key) for key in new_keys)

    old, new = reload(db, old.id), reload(db, new.id)
    assert old.purged_at is not None and old.original_key is None and old.quarantine_key is None
    assert all(d.key is None for d in old.derivatives) and keys_of(new) == new_keys
    entry = db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "media.asset_files_deleted")).scalar_one()
    assert (entry.object_id, entry.data["deleted"], entry.data["replaced_by"]) == (old.id, len(old_keys), new.id)

    page = client.get(f"/works/{old.work_id}/assets/{old.id}").get_data(as_text=True)
    assert "Replaced by version 2 on" in page and "Its stored files were deleted on" in page
    assert "Download the original" not in page and "stored files deleted" in page  # the history log
    assert client.get(f"/works/{old.work_id}/assets/{old.id}/files/original").status_code == 404
    assert client.get(f"/works/{old.work_id}/assets/{old.id}/files/webvtt").status_code == 404
    current = client.get(f"/works/{new.work_id}/assets/{new.id}").get_data(as_text=True)
    assert 'data-version="1"' in current and "deleted on" in current and "current version" in current
    assert client.get(f"/works/{new.work_id}/assets/{new.id}/files/original").status_code == 302

    again, _referenced = retention.purge(now=after_grace(app, days=30))
    assert again == []
    assert all(backend.exists(key) for key in new_keys)
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(AuditEntry.action == "media.asset_files_deleted")) == 1


def test_files_shared_with_the_current_version_are_kept(app, db, work, uploader, backend):
    """Version 3 holds the same bytes as version 1 (same original and derived keys): deleting
    versions 1 and 2 deletes only version 2's own files."""
    slot = f"work:{work.id}"
    v1 = upload(db, uploader, slot, "subs.srt", srt("Bonsoir, Lyon."))
    v2 = upload(db, uploader, slot, "subs-v2.srt", srt("Bonsoir, Linz."), replaces=v1)
    v3 = upload(db, uploader, slot, "subs-v3.srt", srt("Bonsoir, Lyon."), replaces=v2)
    v1, v2 = reload(db, v1.id), reload(db, v2.id)
    shared, own = keys_of(v1), keys_of(v2)
    assert keys_of(v3) == shared

    done, _referenced = retention.purge(now=after_grace(app))
    by_id = {item.asset_id: item for item in done}
    assert set(by_id) == {v1.id, v2.id}
    assert by_id[v1.id].delete == [] and set(by_id[v1.id].keep) == shared
    assert set(by_id[v2.id].delete) == own
    assert all(backend.exists(key) for key in shared) and not any(backend.exists(key) for key in own)
    assert keys_of(reload(db, v3.id)) == shared and reload(db, v1.id).purged_at is not None
    with backend.open(reload(db, v3.id).original_key) as stream:
        assert stream.read() == srt("Bonsoir, Lyon.")


def test_files_another_file_with_the_same_bytes_is_being_processed_with_are_kept(app, db, work, uploader, backend):
    """A new file of the work holds version 1's bytes and is still being processed (its derivatives
    are not written yet, but will be under version 1's keys): version 1's files all stay."""
    slot = f"work:{work.id}"
    v1 = upload(db, uploader, slot, "subs.srt", srt("Bonsoir, Lyon."))
    upload(db, uploader, slot, "subs-v2.srt", srt("Bonsoir, Linz."), replaces=v1)
    v1 = reload(db, v1.id)
    old_keys = keys_of(v1)
    created = uploader.create(slot, "again.srt", len(srt("Bonsoir, Lyon.")), SRT_TYPE).get_json()["uploadId"]
    _status, etag = uploader.put_part(created, 1, srt("Bonsoir, Lyon."))
    again_id = uploader.complete(created, [(1, etag)]).get_json()["asset"]
    db.session.commit()
    assert pipeline.verify(again_id) == "probe" and pipeline.probe(again_id)  # derivatives pending

    done, _referenced = retention.purge(now=after_grace(app))
    assert [item.asset_id for item in done] == [v1.id]
    assert done[0].delete == [] and set(done[0].keep) == old_keys
    assert all(backend.exists(key) for key in old_keys)
    again = run_pipeline(db, again_id)
    assert again.state == AssetState.READY and keys_of(again) == old_keys


@pytest.fixture
def subtitle_call(db, city):
    """An open call whose form (the applications tests' one) also asks for a subtitle file."""
    now = utcnow()
    call = Call(slug="sous-titres", city_id=city.id, main_language="fr", texts={"fr": {"title": "Sous-titres"}},
                timezone="Europe/Paris", state=CallState.OPEN, published_at=now - timedelta(days=2),
                opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30), eligibility={},
                form=FORM + [{"id": "subs", "type": "file", "label": {"en": "Subtitles"}, "kinds": ["subtitle"], "max_count": 1}])
    db.session.add(call)
    db.session.commit()
    return call


def test_a_version_frozen_in_a_submitted_application_keeps_its_files(app, db, artist, uploader, subtitle_call, backend):
    """A replaced file that a submitted version of an application holds keeps its bytes, also once
    a newer version of the application holds the replacement."""
    application = applications.start_application(artist, subtitle_call, {}, utcnow())
    db.session.commit()
    slot = applications.slot_ref(application, "subs")
    v1 = upload(db, uploader, slot, "subs.srt", srt("Bonsoir, Lyon."))
    submit(application, artist)
    db.session.commit()
    v2 = upload(db, uploader, slot, "subs-v2.srt", srt("Bonsoir, Linz."), replaces=v1)
    v1 = reload(db, v1.id)
    frozen = keys_of(v1)

    done, referenced = retention.purge(now=after_grace(app))
    assert done == [] and referenced == 1
    submit(application, artist)  # version 2 holds the replacement; version 1 still holds v1
    db.session.commit()
    assert frozen_ids(db, application, 1) == {v1.id} and frozen_ids(db, application, 2) == {v2.id}
    done, referenced = retention.purge(now=after_grace(app))
    assert done == [] and referenced == 1
    v1 = reload(db, v1.id)
    assert v1.purged_at is None and keys_of(v1) == frozen and all(backend.exists(key) for key in frozen)


def frozen_ids(db, application, number):
    """The asset ids submitted version ``number`` of ``application`` froze."""
    version = db.session.execute(db.select(ApplicationVersion).where(
        ApplicationVersion.application_id == application.id, ApplicationVersion.number == number)).scalar_one()
    return {int(record["id"]) for _question, record in frozen_files(version.snapshot)}


def test_a_dry_run_lists_and_deletes_nothing(app, db, replaced, backend):
    """``purge-replaced-media --dry-run`` names the files that would go and leaves them; without
    the flag it deletes them."""
    old, _new = replaced
    old_keys = keys_of(old)
    runner = app.test_cli_runner()
    app.config["MEDIA_REPLACED_GRACE_DAYS"], grace = 0, app.config["MEDIA_REPLACED_GRACE_DAYS"]
    try:
        result = runner.invoke(args=["residency", "purge-replaced-media", "--dry-run"])
        assert result.exit_code == 0, result.output
        assert f"asset {old.id} " in result.output and "would delete" in result.output
        assert all(key in result.output for key in old_keys) and "versions: 1" in result.output
        assert all(backend.exists(key) for key in old_keys) and reload(db, old.id).purged_at is None

        result = runner.invoke(args=["residency", "purge-replaced-media"])
        assert result.exit_code == 0, result.output
        assert f"files_deleted: {len(old_keys)}" in result.output
        assert not any(backend.exists(key) for key in old_keys) and reload(db, old.id).purged_at is not None
    finally:
        app.config["MEDIA_REPLACED_GRACE_DAYS"] = grace


def test_a_failed_replacement_keeps_the_last_good_version(app, db, work, uploader):
    """While the current version is not ready (its upload was refused), the version it replaced
    keeps its files (only the refused upload goes); once a good version replaces the refused one,
    the last good one goes too."""
    slot = f"work:{work.id}"
    v1 = upload(db, uploader, slot, "subs.srt", srt("Bonsoir, Lyon."))
    kept = keys_of(v1)
    bad = upload(db, uploader, slot, "subs-v2.srt", b"<!doctype html><html><script>alert(1)</script></html>", replaces=v1)
    assert bad.state == AssetState.FAILED and bad.quarantine_key
    done, _referenced = retention.purge(now=after_grace(app))
    assert [(item.asset_id, item.reason) for item in done] == [(bad.id, "rejected")]
    assert all(get_storage().exists(key) for key in kept) and reload(db, v1.id).purged_at is None

    v3 = upload(db, uploader, slot, "subs-v3.srt", srt("Bonsoir, Linz."), replaces=reload(db, bad.id))
    done, _referenced = retention.purge(now=after_grace(app))
    assert [(item.asset_id, item.reason) for item in done] == [(v1.id, "replaced")]
    assert not any(get_storage().exists(key) for key in kept)
    assert all(get_storage().exists(key) for key in keys_of(v3))


def test_a_rejected_upload_loses_its_quarantine_copy_after_the_grace_period(app, db, client, work, uploader):
    """A file refused when checked (nobody can download it) is deleted after the grace period; its
    page says so."""
    bad = upload(db, uploader, f"work:{work.id}", "page.srt", b"<!doctype html><html><script>alert(1)</script></html>")
    assert bad.state == AssetState.FAILED and not bad.failure_retryable
    quarantine = bad.quarantine_key
    assert retention.purge(now=after_grace(app, days=-1))[0] == []
    assert get_storage().exists(quarantine)
    done, _referenced = retention.purge(now=after_grace(app))
    assert [(item.asset_id, item.reason, item.delete) for item in done] == [(bad.id, "rejected", [quarantine])]
    assert not get_storage().exists(quarantine)
    page = client.get(f"/works/{work.id}/assets/{bad.id}").get_data(as_text=True)
    assert "The uploaded file was deleted on" in page and "could not be processed" in page


def test_a_failed_file_on_an_old_shared_upload_key_is_kept_for_the_repair(app, db, work, uploader):
    """A failure on a key the old code shared (``quarantine/None/…``) may be another artist's
    doing: its copy is evidence for ``repair-upload-keys`` and is never purged as a rejection."""
    bad = upload(db, uploader, f"work:{work.id}", "page.srt", b"<!doctype html><html><script>alert(1)</script></html>")
    shared = "quarantine/None/page.srt"
    get_storage().move(bad.quarantine_key, shared)
    bad.quarantine_key = shared
    db.session.commit()
    assert retention.purge(now=after_grace(app))[0] == []
    assert get_storage().exists(shared)


def test_the_purge_runs_hourly_on_the_io_queue(app, db, replaced):
    """Beat runs ``media.purge_replaced`` every hour on the io queue; the task returns its counts."""
    from residency.extensions import celery
    from residency.media.tasks import purge_replaced

    entry = next(e for e in celery.conf.beat_schedule.values() if e["task"] == "media.purge_replaced")
    assert entry["schedule"] == 3600.0
    celery.amqp.flush_routes()
    assert celery.amqp.Router().route({}, "media.purge_replaced")["queue"].name == "io"
    counts = purge_replaced.run()
    assert counts == {"versions": 0, "files_deleted": 0, "files_kept_shared": 0, "referenced_kept": 0}
