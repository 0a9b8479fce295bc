"""Media operations called by views: works, and the life of an upload until it becomes an asset.

They take plain arguments, check the rules, flush, and queue jobs after commit; none commits.
"""

import logging
import re
import unicodedata
import uuid

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from residency.audit.operations import record
from residency.core.errors import ActionRefused
from residency.core.jobs import enqueue_after_commit
from residency.core.types import utcnow
from residency.extensions import db
from residency.media.models import AssetState, MediaAsset, Upload, UploadState, Work
from residency.media.slots import guess_kind, resolve_slot
from residency.storage import MultipartError, StorageError, get_storage
from residency.storage.base import MAX_PARTS, KeyTaken

log = logging.getLogger(__name__)

LICENCES = ("all-rights-reserved", "cc-by-4.0", "cc-by-sa-4.0", "cc-by-nc-4.0", "cc-by-nc-nd-4.0", "cc0-1.0")


def human_size(size):
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000


def safe_filename(name):
    """The file's own name without any path, control or odd characters (kept for display and download)."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1]).strip()
    name = re.sub(r"[\x00-\x1f\x7f]", "", name)
    name = name.lstrip(".") or "file"
    return name[:200]


def _ascii_name(name):
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip("-.")[:100] or "file"


_TOKEN = re.compile(r"[0-9a-f]{32}")


def quarantine_key(token, filename):
    """Where an upload's bytes wait for verification: ``quarantine/<token>/<ASCII name>``.

    ``token`` makes the key unique: the upload's ``public_id`` (unique in the database) or a
    fresh ``uuid4().hex``; anything else, such as an id not assigned yet, is refused.
    """
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        raise ValueError(f"not a unique token for a quarantine key: {token!r}")
    return f"quarantine/{token}/{_ascii_name(filename)}"


def _require_own_key(upload):
    """Refuse to go on with an upload opened under a key it shares with others (before issue 19's
    fix every resumable upload used ``quarantine/None/<name>``): completing it could overwrite, or
    be taken by, another artist's file with the same name."""
    if not upload.key.startswith(f"quarantine/{upload.public_id}/"):
        log.warning("upload %s has the shared key %r: refused, to be started again", upload.id, upload.key)
        raise ActionRefused(_l("This upload has expired. Please start it again."), status=410)


# Works --------------------------------------------------------------------------------------

def create_work(owner, title, **fields):
    work = Work(owner_id=owner.id, title=title.strip(), **fields)
    db.session.add(work)
    db.session.flush()
    record("work.created", actor=owner, obj=work)
    return work


def update_work(actor, work, **fields):
    for key, value in fields.items():
        setattr(work, key, value)
    work.updated_at = utcnow()
    record("work.updated", actor=actor, obj=work)
    return work


# Uploads ------------------------------------------------------------------------------------

def _active_assets(owner_id):
    return db.select(MediaAsset).where(
        MediaAsset.owner_id == owner_id,
        MediaAsset.superseded_by_id.is_(None),
        MediaAsset.state != AssetState.FAILED,
    )


def used_bytes(owner_id):
    """What counts against a user's quota: live assets and uploads in progress."""
    assets = db.session.scalar(
        db.select(func.coalesce(func.sum(MediaAsset.size), 0)).where(
            MediaAsset.owner_id == owner_id,
            MediaAsset.superseded_by_id.is_(None),
            MediaAsset.state != AssetState.FAILED,
        )
    )
    uploads = db.session.scalar(
        db.select(func.coalesce(func.sum(Upload.declared_size), 0)).where(
            Upload.owner_id == owner_id, Upload.state == UploadState.UPLOADING
        )
    )
    return int(assets or 0) + int(uploads or 0)


def _check_limits(user, slot, filename, size, declared_type, replacing=None):
    rules = slot.rules
    if not isinstance(size, int) or size <= 0:
        raise ActionRefused(_l("The file is empty."), field="file")
    if size > rules.max_size:
        raise ActionRefused(
            _l("This file is %(size)s; files here may be at most %(max)s.", size=human_size(size), max=human_size(rules.max_size)),
            field="file", status=413,
        )
    kind = guess_kind(filename, declared_type)
    if kind is None or kind not in rules.kinds:
        raise ActionRefused(_l("This kind of file is not accepted here."), field="file", status=415)
    if rules.max_count is not None and replacing is None:
        in_slot = db.session.scalar(
            db.select(func.count()).select_from(_active_assets(user.id).where(MediaAsset.slot == slot.ref).subquery())
        )
        uploading = db.session.scalar(
            db.select(func.count(Upload.id)).where(Upload.slot == slot.ref, Upload.state == UploadState.UPLOADING)
        )
        if in_slot + uploading >= rules.max_count:
            raise ActionRefused(_l("This place already holds as many files as it accepts."), field="file")
    quota = current_app.config["MEDIA_USER_QUOTA"]
    if used_bytes(user.id) + size > quota:
        raise ActionRefused(
            _l("This file would take you over your storage quota of %(quota)s. Remove old versions first.", quota=human_size(quota)),
            field="file", status=413,
        )
    return kind


def _replacing(user, slot, replaces_asset_id):
    if replaces_asset_id is None:
        return None
    old = db.session.get(MediaAsset, replaces_asset_id)
    if old is None or old.owner_id != user.id or old.slot != slot.ref or old.superseded_by_id is not None:
        raise ActionRefused(_l("The file to replace was not found."), status=404)
    return old


def start_upload(user, slot_ref, filename, size, declared_type="", replaces_asset_id=None):
    """Check the limits and open a multipart upload into quarantine.

    :raise ActionRefused: unknown slot (404), too large (413), wrong kind (415), over quota.
    """
    slot = resolve_slot(slot_ref, user)
    filename = safe_filename(filename)
    old = _replacing(user, slot, replaces_asset_id)
    _check_limits(user, slot, filename, size, declared_type, replacing=old)
    # The public id is given here, not left to the column default (applied only at flush): the
    # key is made of it, and its unique constraint makes the key of every upload its own.
    public_id = uuid.uuid4().hex
    upload = Upload(
        public_id=public_id, owner_id=user.id, slot=slot.ref, filename=filename, declared_size=size,
        declared_type=(declared_type or "")[:127], key=quarantine_key(public_id, filename), storage_upload_id="",
        replaces_asset_id=old.id if old else None,
    )
    db.session.add(upload)
    db.session.flush()  # claims the public id (and so the key) before anything is stored
    try:
        upload.storage_upload_id = get_storage().create_multipart(upload.key, "application/octet-stream")
    except KeyTaken:
        log.error("the new upload key %r already holds an object; refused", upload.key)
        raise ActionRefused(_l("The file store is not available right now. Please try again in a moment."), status=503) from None
    except StorageError:
        log.exception("could not start a multipart upload")
        raise ActionRefused(_l("The file store is not available right now. Please try again in a moment."), status=503) from None
    return upload


def get_upload(public_id, user):
    """The user's upload. :raise ActionRefused 404: not found or someone else's."""
    upload = db.session.execute(db.select(Upload).where(Upload.public_id == public_id)).scalar_one_or_none()
    if upload is None or upload.owner_id != user.id:
        raise ActionRefused(_l("Upload not found."), status=404)
    return upload


def _require_open(upload):
    if upload.state != UploadState.UPLOADING:
        raise ActionRefused(_l("This upload is already finished or was cancelled."), status=409)


def part_url(upload, number):
    _require_open(upload)
    _require_own_key(upload)
    if not isinstance(number, int) or not 1 <= number <= MAX_PARTS:
        raise ActionRefused(_l("Part numbers go from 1 to 10000."))
    upload.updated_at = utcnow()
    return get_storage().part_url(upload.key, upload.storage_upload_id, number, current_app.config["MEDIA_URL_SECONDS"])


def list_parts(upload):
    _require_open(upload)
    _require_own_key(upload)
    try:
        return get_storage().list_parts(upload.key, upload.storage_upload_id)
    except MultipartError:
        raise ActionRefused(_l("This upload has expired. Please start it again."), status=410) from None


def complete_upload(upload, parts):
    """Assemble the parts and turn the upload into an asset; processing is queued after commit.

    :param parts: ``[(number, etag)]``.
    :raise ActionRefused: missing or mismatched parts, size different from what was declared.
    """
    # Locked: two completions of one upload at once (a double click, a retried request) make one asset.
    db.session.refresh(upload, with_for_update=True)
    _require_open(upload)
    _require_own_key(upload)
    storage = get_storage()
    slot = resolve_slot(upload.slot, upload.owner)
    try:
        stored = storage.list_parts(upload.key, upload.storage_upload_id)
    except MultipartError:
        raise ActionRefused(_l("This upload has expired. Please start it again."), status=410) from None
    by_number = {part.number: part for part in stored}
    real_size = sum(by_number[n].size for n, _etag in parts if n in by_number)
    if real_size > slot.rules.max_size:
        raise ActionRefused(_l("The file is larger than this place accepts."), status=413)
    if real_size != upload.declared_size:
        raise ActionRefused(_l("Some parts of the file are missing. Resume the upload to send them."), status=409)
    try:
        size = storage.complete_multipart(upload.key, upload.storage_upload_id, parts)
    except KeyTaken:
        log.error("upload %s: its key %r already holds an object; not overwritten", upload.id, upload.key)
        raise ActionRefused(_l("This upload could not be stored. Please start it again."), status=409) from None
    except MultipartError as exc:
        raise ActionRefused(_l("The upload could not be completed: %(reason)s", reason=str(exc)), status=409) from None
    if size != upload.declared_size:
        raise ActionRefused(_l("Some parts of the file are missing. Resume the upload to send them."), status=409)
    asset = _new_asset(upload.owner, slot, upload.filename, upload.declared_type, upload.key, size, upload.replaces_asset_id)
    upload.state = UploadState.COMPLETED
    upload.completed_at = upload.updated_at = utcnow()
    upload.asset_id = asset.id
    return asset


def abort_upload(upload):
    if upload.state != UploadState.UPLOADING:
        return upload
    get_storage().abort_multipart(upload.key, upload.storage_upload_id)
    upload.state = UploadState.ABORTED
    upload.updated_at = utcnow()
    return upload


def accept_form_upload(user, slot_ref, file, content_length, replaces_asset_id=None):
    """The no-JavaScript path: one ordinary form upload, up to MEDIA_FORM_UPLOAD_MAX bytes."""
    slot = resolve_slot(slot_ref, user)
    filename = safe_filename(file.filename)
    size = _stream_size(file)
    if size == 0:
        raise ActionRefused(_l("Choose a file to upload."), field="file")
    form_max = current_app.config["MEDIA_FORM_UPLOAD_MAX"]
    if size > form_max:
        raise ActionRefused(
            _l("Without JavaScript files may be at most %(max)s; with JavaScript the resumable uploader takes larger ones.",
               max=human_size(form_max)),
            field="file", status=413,
        )
    old = _replacing(user, slot, replaces_asset_id)
    _check_limits(user, slot, filename, size, file.mimetype, replacing=old)
    key = quarantine_key(uuid.uuid4().hex, filename)
    file.stream.seek(0)
    get_storage().put(key, file.stream)
    return _new_asset(user, slot, filename, file.mimetype or "", key, size, old.id if old else None)


def _stream_size(file):
    stream = file.stream
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def _new_asset(owner, slot, filename, declared_type, key, size, replaces_asset_id):
    from residency.media.tasks import ingest

    asset = MediaAsset(
        work_id=slot.work_id, owner_id=owner.id, slot=slot.ref, original_filename=filename,
        declared_type=(declared_type or "")[:127], quarantine_key=key, size=size, state=AssetState.UPLOADED,
        log=[{"at": utcnow().isoformat(), "step": "upload", "message": "received"}],
    )
    db.session.add(asset)
    db.session.flush()
    if replaces_asset_id:
        old = db.session.get(MediaAsset, replaces_asset_id)
        asset.version = old.version + 1
        asset.supersedes_id = old.id
        old.superseded_by_id = asset.id
    record("media.asset_uploaded", actor=owner, obj=asset, slot=slot.ref, size=size)
    enqueue_after_commit(ingest, asset.id)
    return asset


def retry_asset(actor, asset):
    """Start processing again after a failure that may be temporary."""
    from residency.media import pipeline, tasks

    if asset.state != AssetState.FAILED or not asset.failure_retryable:
        raise ActionRefused(_l("Only a failure that may be temporary can be retried."), status=409)
    tasks.queue_after_commit(pipeline.restart(asset))
    record("media.asset_retried", actor=actor, obj=asset)
    return asset
