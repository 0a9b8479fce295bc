"""Media's share of a user's personal data (the ``personal_data`` hook).

Export (``media``): the user's works (every field), the files they uploaded (every version, with
name, size, SHA-256, state and dates) and uploads still in progress; the archive carries the
originals still stored, under ``files/media/<asset id>-v<version>-<name>``.

Erase: uploads in progress are aborted and forgotten; the stored files of every version the user
uploaded, with their derivatives, are deleted through :func:`residency.media.retention.erase_assets`
(a key another person's version shares stays); those rows stay, purged and anonymised (no name,
no probe, no log), since submitted applications and room messages name them by id. A work is
deleted with its rows unless another table points at it (a festival's request or download log,
a programme): such a work stays as an anonymous row (title "Deleted work", no texts).
"""

import logging

from flask_babel import lazy_gettext as _l

from residency.core.personal_data import PersonalDataPart, referenced_elsewhere
from residency.extensions import db
from residency.media import retention
from residency.media.models import MediaAsset, Upload, Work
from residency.media.operations import safe_filename
from residency.storage import StorageError, get_storage

log = logging.getLogger(__name__)

DELETED_WORK_TITLE = "Deleted work"
#: The tables that are part of a work itself (not records of others relying on it).
_WORK_OWN_TABLES = {"media_assets", "media_derivatives", "media_uploads"}


def _iso(moment):
    return moment.isoformat() if moment is not None else None


def _work(work):
    return {"id": work.id, "title": work.title, "year": work.year, "duration_seconds": work.duration_seconds,
            "medium": work.medium, "credits": work.credits, "synopsis": dict(work.synopsis or {}),
            "main_language": work.main_language, "technical_rider": work.technical_rider,
            "rights_holder": work.rights_holder, "licence": work.licence,
            "created_at": _iso(work.created_at), "updated_at": _iso(work.updated_at)}


def archive_path(asset):
    return f"files/media/{asset.id}-v{asset.version}-{safe_filename(asset.original_filename)}"


def _asset(asset):
    return {"id": asset.id, "work_id": asset.work_id, "slot": asset.slot, "filename": asset.original_filename,
            "version": asset.version, "supersedes": asset.supersedes_id, "size": asset.size, "sha256": asset.sha256,
            "kind": asset.kind, "mime": asset.mime, "state": asset.state, "created_at": _iso(asset.created_at),
            "files_deleted_at": _iso(asset.purged_at),
            "archive_path": archive_path(asset) if (asset.original_key or asset.quarantine_key) else None}


def export(user):
    """``{"works": [...], "files": [...], "uploads_in_progress": [...]}`` and the stored originals."""
    works = db.session.execute(db.select(Work).where(Work.owner_id == user.id).order_by(Work.id)).scalars().all()
    assets = db.session.execute(
        db.select(MediaAsset).where(MediaAsset.owner_id == user.id).order_by(MediaAsset.id)).scalars().all()
    uploads = db.session.execute(
        db.select(Upload).where(Upload.owner_id == user.id).order_by(Upload.id)).scalars().all()
    files = [(asset.original_key or asset.quarantine_key, archive_path(asset))
             for asset in assets if asset.original_key or asset.quarantine_key]
    data = {
        "works": [_work(work) for work in works],
        "files": [_asset(asset) for asset in assets],
        "uploads_in_progress": [{"filename": upload.filename, "slot": upload.slot, "size": upload.declared_size,
                                 "state": upload.state, "created_at": _iso(upload.created_at)}
                                for upload in uploads],
    }
    return data, files


def _forget_uploads(user):
    storage = get_storage()
    for upload in db.session.execute(db.select(Upload).where(Upload.owner_id == user.id)).scalars():
        try:
            storage.abort_multipart(upload.key, upload.storage_upload_id)
        except StorageError:  # its parts expire with the bucket's lifecycle rule
            log.warning("could not abort upload %s of an erased account", upload.id)
        if upload.key.startswith(f"quarantine/{upload.public_id}/"):  # its own key, never shared
            storage.delete(upload.key)
        db.session.delete(upload)


def _anonymise_asset(asset):
    asset.original_filename = "deleted"
    asset.declared_type = ""
    asset.probe = None
    asset.log = []
    asset.failure_reason = None
    asset.sha256 = None
    asset.derivatives.clear()  # delete-orphan: the rows go


def erase(user):
    """Abort the user's uploads, delete every stored file they uploaded (all versions and
    derivatives), anonymise the asset rows, delete their works or anonymise those others rely on."""
    _forget_uploads(user)
    db.session.flush()
    asset_ids = list(db.session.execute(db.select(MediaAsset.id).where(MediaAsset.owner_id == user.id)).scalars())
    retention.erase_assets(asset_ids)
    for asset_id in asset_ids:
        _anonymise_asset(db.session.get(MediaAsset, asset_id))
    db.session.flush()
    works = db.session.execute(db.select(Work).where(Work.owner_id == user.id)).scalars().all()
    kept = referenced_elsewhere("works", [work.id for work in works], ignore=_WORK_OWN_TABLES)
    for work in works:
        if work.id in kept:
            work.title, work.credits, work.synopsis = DELETED_WORK_TITLE, "", {}
            work.technical_rider, work.rights_holder, work.medium = "", "", ""
        else:
            db.session.delete(work)
    log.info("erased media of an account: %d file versions, %d works (%d kept anonymised)",
             len(asset_ids), len(works), len(kept))


PART = PersonalDataPart(
    name="media",
    export=export,
    erase=erase,
    description=_l("Your works (titles, credits, synopses, rights) and every file you uploaded, all versions "
                   "(name, size, SHA-256, state); the originals still stored are in files/media/."),
)
