"""The sweeper: what a dead worker, a lost message or an abandoned upload left behind.

Beat runs it every minute (``media.sweep``); ``flask residency sweep-media`` runs it at once.
"""

import logging
import time
from datetime import timedelta
from pathlib import Path

from flask import current_app

from residency.core.types import utcnow
from residency.extensions import db
from residency.media.models import AssetState, Derivative, DerivativeState, MediaAsset, Upload, UploadState
from residency.storage import StorageError, get_storage

log = logging.getLogger(__name__)


def sweep():
    """Find work a dead worker or a lost message left behind; expire abandoned uploads. Commits.

    Returns ``(counts, jobs)``: a dict of counts, and the ``(step, args)`` jobs to queue again.
    """
    config = current_app.config
    now = utcnow()
    stale = now - timedelta(seconds=config["MEDIA_STALE_SECONDS"])
    counts = {"derivatives": 0, "ingests": 0, "probes": 0, "uploads_expired": 0}

    stuck = db.session.execute(
        db.select(Derivative).join(MediaAsset).where(
            MediaAsset.state != AssetState.FAILED,
            ((Derivative.state == DerivativeState.RUNNING) & (Derivative.heartbeat_at < stale))
            | ((Derivative.state == DerivativeState.PENDING) & (Derivative.created_at < stale)
               & ((Derivative.heartbeat_at.is_(None)) | (Derivative.heartbeat_at < stale))),
        )
    ).scalars().all()
    jobs = []
    for derivative in stuck:
        derivative.state = DerivativeState.PENDING
        derivative.heartbeat_at = now  # not again before another stale period
        jobs.append(("derive", (derivative.asset_id, derivative.profile)))
        counts["derivatives"] += 1

    waiting = db.session.execute(
        db.select(MediaAsset).where(
            MediaAsset.state.in_([AssetState.UPLOADED, AssetState.PROCESSING]), MediaAsset.updated_at < stale
        )
    ).scalars().all()
    for asset in waiting:
        if not asset.original_key:
            jobs.append(("ingest", (asset.id,)))
            counts["ingests"] += 1
        elif asset.probe is None:
            jobs.append(("probe", (asset.id,)))
            counts["probes"] += 1
        asset.updated_at = now

    expiry = now - timedelta(hours=config["MEDIA_UPLOAD_EXPIRY_HOURS"])
    abandoned = db.session.execute(
        db.select(Upload).where(Upload.state == UploadState.UPLOADING, Upload.updated_at < expiry)
    ).scalars().all()
    storage = get_storage()
    for upload in abandoned:
        try:
            storage.abort_multipart(upload.key, upload.storage_upload_id)
        except StorageError:
            log.warning("could not abort upload %s; will try again", upload.id)
            continue
        upload.state = UploadState.EXPIRED
        counts["uploads_expired"] += 1
    db.session.commit()
    return counts, jobs


def working_copy_cleanup(max_age_hours=24):
    """Remove scratch files a killed worker left behind."""
    scratch = Path(current_app.config["SCRATCH_DIR"])
    if not scratch.is_dir():
        return 0
    cutoff = time.time() - max_age_hours * 3600
    removed = 0
    for path in scratch.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed


