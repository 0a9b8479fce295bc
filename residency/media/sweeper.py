"""The sweeper: what a dead worker, a lost message or an abandoned upload left behind.

Beat runs it every minute (``media.sweep``); ``flask residency sweep-media`` runs it at once.
"""

import logging
import time
from collections import Counter
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
    jobs = _stuck_derivatives(stale, now) + _waiting_assets(stale, now)
    expired = _expire_uploads(now - timedelta(hours=config["MEDIA_UPLOAD_EXPIRY_HOURS"]))
    db.session.commit()
    steps = Counter(step for step, _args in jobs)
    counts = {"derivatives": steps["derive"], "ingests": steps["ingest"], "probes": steps["probe"],
              "uploads_expired": expired}
    return counts, jobs


def _stuck_derivatives(stale, now):
    """``derive`` jobs for the derivatives running without a heartbeat since ``stale``, or pending
    since then; each is marked pending and left alone for another stale period."""
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
    return jobs


def _waiting_assets(stale, now):
    """``ingest`` or ``probe`` jobs for the assets uploaded or processing unchanged since ``stale``
    that have no original or no probe yet; each is touched so it waits another stale period."""
    waiting = db.session.execute(
        db.select(MediaAsset).where(
            MediaAsset.state.in_([AssetState.UPLOADED, AssetState.PROCESSING]), MediaAsset.updated_at < stale
        )
    ).scalars().all()
    jobs = []
    for asset in waiting:
        if not asset.original_key:
            jobs.append(("ingest", (asset.id,)))
        elif asset.probe is None:
            jobs.append(("probe", (asset.id,)))
        asset.updated_at = now
    return jobs


def _expire_uploads(expiry):
    """Abort the storage side of the uploads untouched since ``expiry`` and mark them expired.
    Returns how many; an upload the storage could not abort is tried again at the next sweep."""
    abandoned = db.session.execute(
        db.select(Upload).where(Upload.state == UploadState.UPLOADING, Upload.updated_at < expiry)
    ).scalars().all()
    storage = get_storage()
    expired = 0
    for upload in abandoned:
        try:
            storage.abort_multipart(upload.key, upload.storage_upload_id)
        except StorageError:
            log.warning("could not abort upload %s; will try again", upload.id)
            continue
        upload.state = UploadState.EXPIRED
        expired += 1
    return expired


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


