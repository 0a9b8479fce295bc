"""``flask residency repair-upload-keys``: find and repair what the shared upload keys of issue 19 did.

Until issue 19 was fixed, ``start_upload`` built the key of a resumable upload before the upload
had its public id, so every upload of a file named ``clip.mp4`` was stored under
``quarantine/None/clip.mp4``, whoever sent it. Parts were kept apart (each multipart upload has its
own id) but each completion wrote the assembled file to the shared key, over whatever was there,
and the verification of an asset read whatever was there when it ran, and moved it away:

* an asset whose file was replaced by another upload of the *same size* before it was verified
  was verified with the other upload's bytes, which are now stored and served as its original,
  with derivatives made from them;
* an asset whose file was replaced by one of another size failed verification (size mismatch),
  or failed with a verdict about someone else's file (type not allowed…);
* an asset whose file was moved away by another asset's verification stayed "processing", its
  verification failing again and again on a missing key.

Only the timestamps of the uploads sharing a key and the sizes tell what may have happened: an
upload ``B`` may have replaced the file of upload ``U`` if ``B`` was opened before ``U``'s asset
read the key and ``B`` did not finish (complete, or abort) before ``U`` was opened; it may have
handed its bytes to a verified asset only if it had that asset's size (verification checks the
size). Anything else is proven: nobody else could have written the key in between.

By default the command only reports, one line per upload under a shared key. With ``--apply``:

* ``ok``: nothing to do (the bytes are proven the uploader's, or a failure stands);
* ``move``: not verified yet, and the file under the shared key is proven the uploader's: moved to
  the key it should have had (``quarantine/<upload public id>/<name>``) and processed;
* ``withdraw``: verified, but the bytes may be another artist's: the original and derivatives stop
  being served, the asset fails with a reason asking to upload again, not retryable;
* ``fail``: not verified and the file is gone or may be another's, or a failure decided on bytes
  that may be another's: the asset fails with the same reason;
* ``open``: an upload still in progress under a shared key: the application refuses to go on with
  it (the uploader starts again), and the sweeper expires it as usual;
* ``none``: no asset came of it (aborted, expired, asset deleted); ``done``: repaired earlier.

Nothing a user sent is deleted: a withdrawn or failed asset stops pointing at its original,
quarantine and derivative keys, so that neither a download nor the deletion of an asset's files
reaches them (the objects stay in storage, named in the audit entry), and its derivatives are
marked failed. Each is audited (``media.upload_key_repaired``) and its owner receives one e-mail
listing their files. Running the command again changes nothing more.
"""

from dataclasses import dataclass, field
from datetime import datetime, timezone

import click
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from residency.audit.operations import record
from residency.core.types import utcnow
from residency.extensions import db
from residency.media.models import (
    SHARED_QUARANTINE_PREFIX, AssetState, DerivativeState, MediaAsset, Upload, UploadState,
)
from residency.storage import StorageError, get_storage

REPAIR_CODE = "upload_key_shared"
AUDIT_ACTION = "media.upload_key_repaired"
REASON = _l(
    "We cannot be sure that this file holds what you uploaded: another person's upload of a file with the "
    "same name may have replaced it. Please upload it again."
)
SUBJECT = _l("Please upload your files again")

OK, MOVE, WITHDRAW, FAIL, OPEN, NONE, DONE = "ok", "move", "withdraw", "fail", "open", "none", "done"
VERDICTS = (WITHDRAW, FAIL, MOVE, OPEN, OK, NONE, DONE)


@dataclass
class Finding:
    """What happened to one upload under a shared key, and what ``--apply`` does about it."""

    upload: Upload | None
    asset: MediaAsset | None
    verdict: str
    why: str
    rivals: list = field(default_factory=list)
    target_key: str | None = None

    def line(self):
        upload, asset = self.upload, self.asset
        if upload is not None:
            text = (f"upload {upload.public_id} (id {upload.id}, {upload.state}) of user {upload.owner_id}, "
                    f"{upload.filename!r}, {upload.declared_size} bytes, key {upload.key}")
        else:
            text = f"no upload record, key {asset.quarantine_key}"
        if asset is not None:
            text += f"; asset {asset.id} of user {asset.owner_id} in {asset.slot} ({asset.state})"
        text += f": {self.verdict.upper()}: {self.why}"
        if self.rivals:
            text += "; other uploads that may have written the key: " + ", ".join(
                f"upload {r.id} of user {r.owner_id} ({r.declared_size} bytes, {r.state})" for r in self.rivals
            )
        return text


def _read_time(asset):
    """When the asset's verification last read the quarantine key (an upper bound): its last
    ``verify`` log entry, else its last change."""
    times = []
    for entry in asset.log or []:
        if entry.get("step") == "verify":
            try:
                at = datetime.fromisoformat(entry["at"])
            except (KeyError, TypeError, ValueError):
                continue
            times.append(at if at.tzinfo else at.replace(tzinfo=timezone.utc))
    return max(times) if times else asset.updated_at or utcnow()


def _rivals(upload, group, read_by, size=None):
    """The other uploads of ``group`` that may have stored a file under the key after ``upload``
    did and before ``read_by`` (of ``size`` bytes when given)."""
    found = []
    for other in group:
        if other.id == upload.id or other.created_at > read_by:
            continue
        if size is not None and other.declared_size != size:
            continue
        if other.state == UploadState.COMPLETED and other.completed_at and other.completed_at < upload.created_at:
            continue  # its file was stored before this upload began
        if other.state == UploadState.ABORTED and other.updated_at < upload.created_at:
            continue  # abandoned (and never stored) before this upload began
        found.append(other)
    return found


def _own_key(upload):
    from residency.media.operations import quarantine_key

    return quarantine_key(upload.public_id, upload.filename)


def _object_size(storage, key):
    return storage.size(key) if storage.exists(key) else None


def _judge(upload, asset, group, storage, now):
    """The finding for ``asset``, made from ``upload`` whose key is shared by ``group``."""
    key = upload.key
    if asset.failure_code == REPAIR_CODE:
        return Finding(upload, asset, DONE, "repaired earlier")
    if asset.original_key:
        rivals = _rivals(upload, group, _read_time(asset), size=asset.size)
        if not rivals:
            return Finding(upload, asset, OK, "verified; no other upload of its size could have replaced the file first")
        return Finding(upload, asset, WITHDRAW, "verified from the shared key after another upload of the same size may "
                                                "have replaced the file: its original and derivatives may be another's", rivals)
    if asset.quarantine_key != key:
        return Finding(upload, asset, OK, f"already moved to {asset.quarantine_key}")
    if asset.state == AssetState.FAILED:
        rivals = _rivals(upload, group, _read_time(asset))
        if not rivals:
            return Finding(upload, asset, OK, f"failed ({asset.failure_code}) on its own file; the failure stands")
        return Finding(upload, asset, FAIL, f"failed ({asset.failure_code}) on a file another upload may have "
                                            "replaced: the verdict may be about another's file", rivals)
    rivals = _rivals(upload, group, now, size=asset.size)
    own_key = _own_key(upload)
    stored = _object_size(storage, key)
    if stored is None and not rivals and _object_size(storage, own_key) == asset.size:
        return Finding(upload, asset, MOVE, f"waiting; already moved to {own_key} by an interrupted run", target_key=own_key)
    if stored is None:
        return Finding(upload, asset, FAIL, "waiting; its file is no longer under the shared key "
                                            "(another asset's verification took it)", rivals)
    if rivals:
        return Finding(upload, asset, FAIL, "waiting; the file under the shared key may be another upload's", rivals)
    if stored != asset.size:
        return Finding(upload, asset, FAIL, f"waiting; the file under the shared key has {stored} bytes, not "
                                            f"{asset.size}: another upload replaced it")
    return Finding(upload, asset, MOVE, f"waiting; the file under the shared key is its own: to move to {own_key}",
                   target_key=own_key)


def find_affected(storage=None):
    """Every upload (and asset) under a shared key, judged. Reads only."""
    storage = storage or get_storage()
    now = utcnow()
    uploads = db.session.execute(
        db.select(Upload).where(Upload.key.startswith(SHARED_QUARANTINE_PREFIX, autoescape=True))
        .order_by(Upload.key, Upload.created_at, Upload.id)
    ).scalars().all()
    groups = {}
    for upload in uploads:
        groups.setdefault(upload.key, []).append(upload)
    findings, seen = [], set()
    for group in groups.values():
        for upload in group:
            asset = db.session.get(MediaAsset, upload.asset_id) if upload.asset_id else None
            if asset is None:
                if upload.state == UploadState.UPLOADING:
                    findings.append(Finding(upload, None, OPEN, "in progress: refused from now on (the uploader "
                                                                "starts again); the sweeper expires it"))
                else:
                    findings.append(Finding(upload, None, NONE, "no asset came of it"))
                continue
            seen.add(asset.id)
            findings.append(_judge(upload, asset, group, storage, now))
    # Assets on a shared key without the upload that made them: nothing can prove their bytes.
    orphans = db.session.execute(
        db.select(MediaAsset).where(MediaAsset.quarantine_key.startswith(SHARED_QUARANTINE_PREFIX, autoescape=True))
        .order_by(MediaAsset.id)
    ).scalars().all()
    for asset in orphans:
        if asset.id in seen:
            continue
        if asset.failure_code == REPAIR_CODE:
            findings.append(Finding(None, asset, DONE, "repaired earlier"))
        else:
            findings.append(Finding(None, asset, FAIL, "on a shared key, with no upload record to prove its file"))
    return findings


# Repairs ------------------------------------------------------------------------------------

def _move(finding, storage):
    """Give a waiting asset its own key, then queue its processing. Commits."""
    from residency.media.pipeline import note
    from residency.media.tasks import queue_after_commit

    shared = finding.upload.key
    asset = db.session.get(MediaAsset, finding.asset.id, with_for_update=True, populate_existing=True)
    if asset is None or asset.quarantine_key != shared or asset.state == AssetState.FAILED:
        db.session.rollback()  # changed since it was judged
        return False
    if not storage.exists(finding.target_key):  # else moved by an interrupted run
        storage.move(shared, finding.target_key)
    asset.quarantine_key = finding.target_key
    note(asset, "repair", "the uploaded file was given a storage key of its own")
    record(AUDIT_ACTION, obj=asset, repair=MOVE, owner_id=asset.owner_id, upload=finding.upload.public_id,
           shared_key=shared, key=finding.target_key)
    queue_after_commit([("ingest", (asset.id,))])
    db.session.commit()
    return True


def _withdraw_or_fail(finding, reason):
    """Fail the asset for good; a verified one stops pointing at its original and derivatives."""
    from residency.media.pipeline import fail, note

    asset = db.session.get(MediaAsset, finding.asset.id, with_for_update=True, populate_existing=True)
    if asset is None or asset.failure_code == REPAIR_CODE:
        return None
    kept = {
        "original_key": asset.original_key, "quarantine_key": asset.quarantine_key, "sha256": asset.sha256,
        "state": asset.state, "failure_code": asset.failure_code,
        "derivatives": {d.profile: d.key for d in asset.derivatives if d.key},
    }
    # The asset no longer points at the bytes (a derivative that kept the source points at the
    # original): they are not served as its owner's, and nothing that deletes an asset's files
    # (retention of rejected or replaced versions) reaches them.
    for derivative in asset.derivatives:
        if derivative.state != DerivativeState.FAILED:
            derivative.state = DerivativeState.FAILED
            derivative.error = reason[:500]
            derivative.retryable = False
            derivative.finished_at = utcnow()
        derivative.key = None
    asset.original_key = asset.quarantine_key = None
    fail(asset, "verify", REPAIR_CODE, reason, retryable=False)
    note(asset, "repair", "withdrawn: the file may not be the one that was uploaded" if finding.verdict == WITHDRAW
         else "failed: the uploaded file cannot be found or proven")
    record(AUDIT_ACTION, obj=asset, repair=finding.verdict, owner_id=asset.owner_id,
           upload=finding.upload.public_id if finding.upload else None, why=finding.why,
           rivals=[{"upload": r.id, "owner_id": r.owner_id} for r in finding.rivals], **kept)
    return asset


def _link(asset):
    """Where the owner finds the file's place again, or None."""
    from werkzeug.routing import BuildError

    if asset.work_id:
        endpoint, values = "media.asset", {"work_id": asset.work_id, "asset_id": asset.id}
    elif asset.slot.startswith("application:"):
        application_id, _dot, question_id = asset.slot.partition(":")[2].partition(".")
        endpoint, values = "applications.files", {"application_id": application_id, "question_id": question_id}
    else:
        return None
    try:
        return current_app.config["BASE_URL"] + current_app.url_map.bind("localhost").build(endpoint, values)
    except BuildError:
        return None


def _notify(owner, assets):
    from residency.notifications.operations import queue_email

    files = [{"name": asset.original_filename, "url": _link(asset)} for asset in assets]
    queue_email(owner.email, "upload_again", SUBJECT, user=owner, files=files)


def apply(findings, storage=None):
    """Carry out the findings' repairs. Returns the number of assets moved, withdrawn and failed."""
    storage = storage or get_storage()
    counts = {MOVE: 0, WITHDRAW: 0, FAIL: 0}
    for finding in findings:
        if finding.verdict == MOVE:
            try:
                counts[MOVE] += _move(finding, storage)
            except StorageError as exc:
                db.session.rollback()
                click.echo(f"asset {finding.asset.id}: could not move {finding.upload.key}: {exc}", err=True)
    by_owner = {}
    for finding in findings:
        if finding.verdict in (WITHDRAW, FAIL):
            by_owner.setdefault(finding.asset.owner_id, []).append(finding)
    for owner_findings in by_owner.values():  # one transaction and one e-mail per owner
        owner = owner_findings[0].asset.owner
        with force_locale(owner.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
            reason = str(REASON)
        repaired = []
        for finding in owner_findings:
            asset = _withdraw_or_fail(finding, reason)
            if asset is not None:
                repaired.append(asset)
                counts[finding.verdict] += 1
        if repaired:
            _notify(owner, repaired)
        db.session.commit()
    return counts


@click.command("repair-upload-keys")
@click.option("--apply", "do_apply", is_flag=True, help="Repair; without it, only report.")
def repair_upload_keys_command(do_apply):
    """Report (and with --apply repair) uploads stored under a shared key before issue 19's fix."""
    findings = find_affected()
    for finding in findings:
        click.echo(finding.line())
    tally = {verdict: sum(f.verdict == verdict for f in findings) for verdict in VERDICTS}
    click.echo(f"{len(findings)} uploads or assets under shared keys: "
               + ", ".join(f"{verdict} {count}" for verdict, count in tally.items()))
    if not do_apply:
        if tally[MOVE] or tally[WITHDRAW] or tally[FAIL]:
            click.echo("report only: run again with --apply to repair")
        return
    counts = apply(findings)
    click.echo(f"applied: moved {counts[MOVE]}, withdrawn {counts[WITHDRAW]}, failed {counts[FAIL]}; "
               "the owners of withdrawn and failed files are e-mailed")
