"""``flask residency repair-upload-keys``: uploads stored under the shared key of issue 19
(``quarantine/None/<name>``) are reported, and with ``--apply`` repaired without deleting anything.

The rows reproduce what the old code left behind: the uploads of two artists under one key, one
asset verified with the other's bytes and the other stuck on a missing key; an asset failed on a
file of another size and the waiting asset whose file that was; an asset alone on its key; an
upload still in progress.
"""

import io
from datetime import timedelta

import pytest

from residency.audit.models import AuditEntry
from residency.core.types import utcnow
from residency.media import pipeline
from residency.media.models import AssetState, Derivative, DerivativeState, MediaAsset, Upload, UploadState, Work
from residency.media.repair import AUDIT_ACTION, REPAIR_CODE
from residency.notifications.models import EmailMessage
from tests.conftest import log_in_without_form
from tests.media.conftest import Uploader, sha256

PNG = b"\x89PNG\r\n\x1a\n"


def png(fill, size):
    return PNG + bytes([fill]) * (size - len(PNG))


class OldState:
    """The rows and files the old code left (timestamps relative to ``t0``, two days ago)."""

    def __init__(self, db, storage, make_user):
        self.db, self.storage = db, storage
        self.t0 = utcnow() - timedelta(days=2)
        self.users = {name: make_user(email=f"{name}@example.org", name=name.title()) for name in
                      ("aya", "bruno", "chloe", "dan", "eve", "fumi")}
        self.users["bruno"].locale = "fr"
        self.works = {}
        for name, user in self.users.items():
            self.works[name] = Work(owner_id=user.id, title=f"Work of {name}")
            db.session.add(self.works[name])
        db.session.flush()
        self.bytes = {"aya": png(1, 4000), "bruno": png(2, 4000), "chloe": png(3, 4000), "dan": png(4, 300), "eve": png(5, 200)}

        # 1. Aya and Bruno upload portfolio.png, same size; Bruno completes last and overwrites
        # Aya's file; Aya's asset is verified with Bruno's bytes, Bruno's finds nothing left.
        key = "quarantine/None/portfolio.png"
        self.upload_aya = self.upload("aya", key, 4000, minutes=0, completed=10)
        self.upload_bruno = self.upload("bruno", key, 4000, minutes=1, completed=11)
        self.aya = self.verified("aya", self.upload_aya, self.bytes["bruno"], verified=12)
        self.bruno = self.asset("bruno", self.upload_bruno, AssetState.PROCESSING)
        # An upload of that name aborted long before cannot have written anything in between.
        self.upload("fumi", key, 4000, minutes=-120, state=UploadState.ABORTED)

        # 2. Chloé alone on solo.png (an upload of that name and size finished the day before).
        self.upload("fumi", "quarantine/None/solo.png", 4000, minutes=-1440, completed=-1430)
        self.upload_chloe = self.upload("chloe", "quarantine/None/solo.png", 4000, minutes=0, completed=3)
        self.chloe = self.verified("chloe", self.upload_chloe, self.bytes["chloe"], verified=4)

        # 3. Eve then Dan upload reel.png (different sizes): Dan's file replaces Eve's, Eve's
        # verification fails on the size, Dan's asset is still waiting with its own file.
        key = "quarantine/None/reel.png"
        self.upload_eve = self.upload("eve", key, 200, minutes=0, completed=5)
        self.upload_dan = self.upload("dan", key, 300, minutes=1, completed=6)
        self.eve = self.asset("eve", self.upload_eve, AssetState.FAILED, failed=7)
        self.dan = self.asset("dan", self.upload_dan, AssetState.UPLOADED)
        storage.put(key, io.BytesIO(self.bytes["dan"]))

        # 4. Fumi's upload of draft.mp4 still in progress.
        self.open_upload = self.upload("fumi", "quarantine/None/draft.mp4", 4000, minutes=30, state=UploadState.UPLOADING)
        db.session.commit()

    def at(self, minutes):
        return self.t0 + timedelta(minutes=minutes)

    def upload(self, name, key, size, minutes, completed=None, state=UploadState.COMPLETED):
        upload = Upload(owner_id=self.users[name].id, slot=f"work:{self.works[name].id}", filename=key.rsplit("/", 1)[1],
                        declared_size=size, key=key, storage_upload_id="0" * 32, state=state,
                        created_at=self.at(minutes), updated_at=self.at(completed if completed is not None else minutes),
                        completed_at=self.at(completed) if completed is not None else None)
        self.db.session.add(upload)
        self.db.session.flush()
        return upload

    def asset(self, name, upload, state, failed=None):
        asset = MediaAsset(work_id=self.works[name].id, owner_id=self.users[name].id, slot=upload.slot,
                           original_filename=upload.filename, quarantine_key=upload.key, size=upload.declared_size,
                           state=state, created_at=upload.completed_at,
                           log=[{"at": upload.completed_at.isoformat(), "step": "upload", "message": "received"}])
        if failed is not None:
            asset.failed_step, asset.failure_code = "verify", "size_mismatch"
            asset.failure_reason = "The stored file is not the size that was uploaded."
            asset.log.append({"at": self.at(failed).isoformat(), "step": "verify", "message": "failed: size"})
        self.db.session.add(asset)
        self.db.session.flush()
        upload.asset_id = asset.id
        return asset

    def verified(self, name, upload, data, verified):
        """An asset verified (by the old pipeline) from whatever ``data`` the key held then."""
        asset = self.asset(name, upload, AssetState.READY)
        digest = sha256(data)
        asset.original_key = f"works/{asset.work_id}/original/{digest}.png"
        asset.quarantine_key, asset.sha256, asset.kind, asset.mime, asset.ext = None, digest, "image", "image/png", "png"
        asset.probe = {"image": {"width": 1, "height": 1}}
        asset.log = asset.log + [{"at": self.at(verified).isoformat(), "step": "verify", "message": "image"}]
        self.storage.put(asset.original_key, io.BytesIO(data))
        thumbnail_key = f"works/{asset.work_id}/derived/thumbnail/v1/{digest}.jpg"
        self.storage.put(thumbnail_key, io.BytesIO(b"a thumbnail"))
        self.db.session.add(Derivative(asset_id=asset.id, profile="thumbnail", state=DerivativeState.DONE,
                                       key=thumbnail_key, content_type="image/jpeg"))
        return asset


@pytest.fixture
def old_state(db, backend, make_user):
    return OldState(db, backend, make_user)


def run(app, *args):
    result = app.test_cli_runner().invoke(args=["residency", "repair-upload-keys", *args])
    assert result.exit_code == 0, result.output
    return result.output


def line_of(output, upload):
    return next(line for line in output.splitlines() if f"(id {upload.id}," in line)


def count(db, model, *where):
    return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where))


def test_the_report_names_each_upload_its_owner_and_what_happened_and_changes_nothing(app, db, old_state):
    state = old_state
    output = run(app)

    aya = line_of(output, state.upload_aya)
    assert "WITHDRAW" in aya and f"of user {state.users['aya'].id}" in aya
    assert f"upload {state.upload_bruno.id} of user {state.users['bruno'].id}" in aya  # the one that may have written
    bruno = line_of(output, state.upload_bruno)
    assert "FAIL" in bruno and "no longer under the shared key" in bruno
    assert "OK" in line_of(output, state.upload_chloe)
    assert "FAIL" in line_of(output, state.upload_eve) and "size_mismatch" in line_of(output, state.upload_eve)
    assert "MOVE" in line_of(output, state.upload_dan)
    assert "OPEN" in line_of(output, state.open_upload)
    assert "run again with --apply" in output

    db.session.expire_all()
    assert db.session.get(MediaAsset, state.aya.id).state == AssetState.READY
    assert db.session.get(MediaAsset, state.aya.id).original_key
    assert count(db, EmailMessage) == 0 and count(db, AuditEntry, AuditEntry.action == AUDIT_ACTION) == 0


def test_apply_withdraws_what_cannot_be_proven_moves_what_can_and_deletes_nothing(app, db, old_state, backend, client):
    state = old_state
    aya_original = state.aya.original_key
    output = run(app, "--apply")
    assert "applied: moved 1, withdrawn 1, failed 2" in output
    db.session.expire_all()

    # Aya's asset held Bruno's file: no longer served, failed for good, the object kept.
    aya = db.session.get(MediaAsset, state.aya.id)
    assert aya.state == AssetState.FAILED and aya.failure_code == REPAIR_CODE and not aya.failure_retryable
    assert aya.original_key is None and "upload it again" in aya.failure_reason
    assert all(d.state == DerivativeState.FAILED and d.key is None for d in aya.derivatives)
    assert backend.exists(aya_original)
    log_in_without_form(client, state.users["aya"])
    for which in ("original", "thumbnail"):
        assert client.get(f"/works/{aya.work_id}/assets/{aya.id}/files/{which}").status_code == 404
    assert "upload it again" in client.get(f"/works/{aya.work_id}/assets/{aya.id}").get_data(as_text=True)

    # Bruno's asset lost its file: failed, with the reason in his language.
    bruno = db.session.get(MediaAsset, state.bruno.id)
    assert bruno.state == AssetState.FAILED and bruno.failure_code == REPAIR_CODE and not bruno.failure_retryable
    assert "Nous ne pouvons pas" in bruno.failure_reason
    assert bruno.quarantine_key is None

    # Eve's verdict was about Dan's file: failed with the new reason. Dan's file gets its own key.
    eve = db.session.get(MediaAsset, state.eve.id)
    assert eve.failure_code == REPAIR_CODE
    dan = db.session.get(MediaAsset, state.dan.id)
    assert dan.quarantine_key == f"quarantine/{state.upload_dan.public_id}/reel.png"
    assert not backend.exists("quarantine/None/reel.png")
    assert pipeline.verify(dan.id) == "probe"
    db.session.expire_all()
    dan = db.session.get(MediaAsset, state.dan.id)
    assert dan.sha256 == sha256(state.bytes["dan"]) and backend.exists(dan.original_key)

    # Chloé's asset, alone on its key, is untouched.
    chloe = db.session.get(MediaAsset, state.chloe.id)
    assert chloe.state == AssetState.READY and chloe.original_key

    # Audited, and one e-mail to each owner of a withdrawn or failed file.
    entries = db.session.execute(db.select(AuditEntry).where(AuditEntry.action == AUDIT_ACTION)).scalars().all()
    assert sorted(e.object_id for e in entries) == sorted([aya.id, bruno.id, eve.id, dan.id])
    withdrawn = next(e for e in entries if e.object_id == aya.id)
    assert withdrawn.data["original_key"] == aya_original and withdrawn.data["repair"] == "withdraw"
    assert withdrawn.data["rivals"] == [{"upload": state.upload_bruno.id, "owner_id": state.users["bruno"].id}]
    assert next(e for e in entries if e.object_id == eve.id).data["quarantine_key"] == "quarantine/None/reel.png"
    mails = db.session.execute(db.select(EmailMessage).order_by(EmailMessage.id)).scalars().all()
    assert sorted(m.to_address for m in mails) == ["aya@example.org", "bruno@example.org", "eve@example.org"]
    to_aya = next(m for m in mails if m.to_address == "aya@example.org")
    assert "portfolio.png" in to_aya.body_text and f"/works/{aya.work_id}/assets/{aya.id}" in to_aya.body_text
    assert "Please upload them again" in to_aya.body_text

    # Idempotent: a second run finds everything done and sends nothing more.
    again = run(app, "--apply")
    assert "applied: moved 0, withdrawn 0, failed 0" in again
    assert count(db, EmailMessage) == 3
    assert count(db, AuditEntry, AuditEntry.action == AUDIT_ACTION) == 4
    assert "DONE" in line_of(again, state.upload_aya)


def test_the_pipeline_does_not_verify_a_file_waiting_under_a_shared_key(db, old_state, backend):
    """Until the command has decided, what the shared key holds is nobody's."""
    assert pipeline.verify(old_state.dan.id) is None
    db.session.expire_all()
    dan = db.session.get(MediaAsset, old_state.dan.id)
    assert dan.state == AssetState.UPLOADED and dan.original_key is None
    assert backend.exists("quarantine/None/reel.png")


def test_an_upload_opened_under_a_shared_key_cannot_go_on(app, db, old_state):
    """The browser is told to start again (410), so it cannot complete onto the shared key."""
    client = app.test_client()
    log_in_without_form(client, old_state.users["fumi"])
    uploader = Uploader(client)
    public_id = old_state.open_upload.public_id
    assert uploader.sign(public_id, 1).status_code == 410
    assert uploader.parts(public_id).status_code == 410
    assert uploader.complete(public_id, [(1, '"x"')]).status_code == 410
    assert db.session.get(Upload, old_state.open_upload.id).state == UploadState.UPLOADING


def test_a_move_interrupted_after_the_file_was_moved_is_finished_by_the_next_run(app, db, old_state, backend):
    """The file already under the key it should have had, the asset still on the shared key."""
    own_key = f"quarantine/{old_state.upload_dan.public_id}/reel.png"
    backend.move("quarantine/None/reel.png", own_key)
    assert "MOVE" in line_of(run(app), old_state.upload_dan)
    run(app, "--apply")
    db.session.expire_all()
    dan = db.session.get(MediaAsset, old_state.dan.id)
    assert dan.quarantine_key == own_key and dan.state == AssetState.UPLOADED
    assert sha256(backend.open(own_key).read()) == sha256(old_state.bytes["dan"])
