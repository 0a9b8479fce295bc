"""Deleting the stored files of versions nobody needs any more.

A version's files go (its original, its quarantine copy, its derivatives) when:

- it was **replaced** more than ``MEDIA_REPLACED_GRACE_DAYS`` ago (its successor was uploaded
  then), its processing is over (ready or failed), and the current version of its file is ready
  (a replacement that failed keeps the last good version's bytes until another one succeeds); or
- it was **rejected** when checked (a non-retryable failure before an original was stored) more
  than the grace period ago: only its quarantine copy is left, which nobody can download;

and no provider of the ``media_asset_references`` hook says it is still referenced (the
applications feature: a file frozen in a submitted version must keep its bytes).

Keys are shared: two versions of a work with the same bytes have the same original and the same
derived keys, and a derivative that kept the source points at the original's key. A key is
deleted only when no version that stays (nor a derivative of one) uses it, and no version that
stays holds the same bytes in the same place (its derivatives may be on their way). Under each
storage prefix, the check and the deletion hold the lock that ``pipeline.verify`` takes before
reusing a stored original (:func:`residency.media.pipeline.hold_prefix_lock`).

The rows stay, with their keys cleared and ``purged_at`` set, so that the version history stays
truthful ("replaced on …, files deleted on …") and a second run finds nothing left to do. Each
deletion is audited (``media.asset_files_deleted``).
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy.orm import aliased

from residency.audit.operations import record
from residency.core.hooks import collect
from residency.core.types import utcnow
from residency.extensions import db
from residency.media import pipeline
from residency.media.models import (
    AssetState,
    Derivative,
    DerivativeState,
    MediaAsset,
    is_shared_quarantine_key,
    Upload,
    UploadState,
)
from residency.storage import StorageError, get_storage

log = logging.getLogger(__name__)

#: At most this many versions are purged per run; the next run takes the rest.
BATCH = 200
REPLACED = "replaced"
REJECTED = "rejected"


@dataclass
class Purge:
    """What a run deletes (or, dry, would delete) for one version."""

    asset_id: int
    slot: str
    version: int
    reason: str
    delete: list = field(default_factory=list)
    keep: list = field(default_factory=list)  # its keys another kept version still uses

    def describe(self, dry_run=False):
        text = f"asset {self.asset_id} ({self.slot}, version {self.version}, {self.reason}): "
        text += ("would delete " if dry_run else "deleted ") + (", ".join(self.delete) or "nothing")
        if self.keep:
            text += "; keep (shared) " + ", ".join(self.keep)
        return text


def grace_cutoff(now):
    return now - timedelta(days=current_app.config["MEDIA_REPLACED_GRACE_DAYS"])


def _current_version(asset):
    seen = set()
    while asset.superseded_by is not None and asset.id not in seen:
        seen.add(asset.id)
        asset = asset.superseded_by
    return asset


def _busy(asset, now):
    """A derivative of a failed version may still be running (failures do not stop the others)."""
    stale = now - timedelta(seconds=current_app.config["MEDIA_STALE_SECONDS"])
    return any(d.state == DerivativeState.RUNNING and d.heartbeat_at is not None and d.heartbeat_at >= stale
               for d in asset.derivatives)


def _candidate_ids(now):
    """Ids of the versions whose files may go by age and state, oldest first (hooks not asked yet)."""
    cutoff = grace_cutoff(now)
    successor = aliased(MediaAsset)
    replaced = db.session.execute(
        db.select(MediaAsset.id).join(successor, MediaAsset.superseded_by_id == successor.id).where(
            MediaAsset.purged_at.is_(None), successor.created_at < cutoff,
            MediaAsset.state.in_([AssetState.READY, AssetState.FAILED]),
        )
    ).scalars()
    rejected = db.session.execute(
        db.select(MediaAsset.id).where(
            MediaAsset.purged_at.is_(None), MediaAsset.superseded_by_id.is_(None),
            MediaAsset.state == AssetState.FAILED, MediaAsset.failure_retryable.is_(False),
            MediaAsset.original_key.is_(None), MediaAsset.quarantine_key.is_not(None),
            MediaAsset.updated_at < cutoff,
        )
    ).scalars()
    return sorted(set(replaced) | set(rejected))


def _eligible(asset, now):
    """The reason ``asset``'s files may go now (``replaced``/``rejected``), or None."""
    if asset is None or asset.purged_at is not None:
        return None
    cutoff = grace_cutoff(now)
    if asset.superseded_by is not None:
        if (asset.state in (AssetState.READY, AssetState.FAILED) and asset.replaced_at < cutoff
                and _current_version(asset).state == AssetState.READY and not _busy(asset, now)):
            return REPLACED
        return None
    if (asset.state == AssetState.FAILED and not asset.failure_retryable and not asset.original_key
            and asset.quarantine_key and asset.updated_at < cutoff
            and not is_shared_quarantine_key(asset.quarantine_key)):  # evidence for repair-upload-keys
        return REJECTED
    return None


def _referenced(asset_ids):
    """Those of ``asset_ids`` that a provider of ``media_asset_references`` says are still used."""
    if not asset_ids:
        return set()
    referenced = set()
    for found in collect("media_asset_references", list(asset_ids)):
        referenced |= {int(asset_id) for asset_id in found or ()}
    return referenced


def _keys(asset):
    keys = {asset.original_key, asset.quarantine_key} | {d.key for d in asset.derivatives}
    return keys - {None, ""}


def _split_keys(assets):
    """``{asset id: (keys to delete, keys kept)}`` for the versions ``assets`` that go together."""
    going = {asset.id for asset in assets}
    every_key = set().union(*(_keys(asset) for asset in assets)) if assets else set()
    used = set()
    if every_key:
        for column in (MediaAsset.original_key, MediaAsset.quarantine_key):
            used |= set(db.session.execute(
                db.select(column).where(column.in_(every_key), MediaAsset.id.not_in(going))
            ).scalars())
        used |= set(db.session.execute(
            db.select(Derivative.key).where(Derivative.key.in_(every_key), Derivative.asset_id.not_in(going))
        ).scalars())
        used |= set(db.session.execute(  # an upload in progress writes its quarantine key
            db.select(Upload.key).where(Upload.key.in_(every_key), Upload.state == UploadState.UPLOADING)
        ).scalars())
    # The same bytes in the same place: a version that stays holds, or will write, the same keys.
    shas = {asset.sha256 for asset in assets if asset.sha256}
    same_bytes = set()
    if shas:
        staying = db.session.execute(
            db.select(MediaAsset).where(MediaAsset.sha256.in_(shas), MediaAsset.id.not_in(going),
                                        MediaAsset.purged_at.is_(None))
        ).scalars()
        same_bytes = {(pipeline.storage_prefix(other), other.sha256) for other in staying}
    split = {}
    for asset in assets:
        keys = _keys(asset)
        if asset.sha256 and (pipeline.storage_prefix(asset), asset.sha256) in same_bytes:
            kept = keys - {asset.quarantine_key}
        else:
            kept = keys & used
        split[asset.id] = (sorted(keys - kept), sorted(kept))
    return split


def plan(now=None, limit=BATCH):
    """The versions whose files would go now, with their keys (nothing is changed or locked).

    :return: ``(purges, referenced)``: a list of :class:`Purge`, and the number of versions kept
        because a hook says they are still referenced.
    """
    now = now or utcnow()
    assets = []
    for asset_id in _candidate_ids(now):
        asset = db.session.get(MediaAsset, asset_id)
        if _eligible(asset, now):
            assets.append(asset)
    referenced = _referenced([asset.id for asset in assets])
    assets = [asset for asset in assets if asset.id not in referenced][:limit]
    split = _split_keys(assets)
    purges = [Purge(asset.id, asset.slot, asset.version, _eligible(asset, now), *split[asset.id]) for asset in assets]
    return purges, len(referenced)


def purge(now=None, limit=BATCH):
    """Delete the files of the versions :func:`plan` finds and mark them purged. Commits once per
    storage prefix; a prefix whose deletion fails is left for the next run (deleting is idempotent).

    :return: ``(purges done, number of referenced versions kept)``.
    """
    now = now or utcnow()
    planned, referenced = plan(now, limit)
    by_prefix = {}
    for item in planned:
        by_prefix.setdefault(pipeline.storage_prefix(db.session.get(MediaAsset, item.asset_id)), []).append(item.asset_id)
    db.session.rollback()  # the plan read without locks (nothing is pending); each prefix is read again under its lock
    done = []
    for prefix, asset_ids in by_prefix.items():
        try:
            done += _purge_prefix(prefix, asset_ids, now)
            db.session.commit()
        except StorageError:
            db.session.rollback()
            log.warning("could not delete the replaced files under %s; the next run tries again", prefix, exc_info=True)
    return done, referenced


def _purge_prefix(prefix, asset_ids, now):
    pipeline.hold_prefix_lock(prefix)
    locked = db.session.execute(
        db.select(MediaAsset).where(MediaAsset.id.in_(asset_ids), MediaAsset.purged_at.is_(None))
        .with_for_update(skip_locked=True).execution_options(populate_existing=True)
    ).scalars().all()  # a version a worker holds now waits for the next run
    assets = [asset for asset in locked if _eligible(asset, now)]
    referenced = _referenced([asset.id for asset in assets])  # a submission may have happened since the plan
    assets = [asset for asset in assets if asset.id not in referenced]
    split = _split_keys(assets)
    storage = get_storage()
    done = []
    for asset in assets:
        delete, keep = split[asset.id]
        for key in delete:
            storage.delete(key)
        done.append(Purge(asset.id, asset.slot, asset.version, _eligible(asset, now), delete, keep))
        _mark_purged(asset, now, done[-1])
        log.info("asset %s (%s): deleted %d stored file(s), kept %d shared", asset.id, done[-1].reason, len(delete), len(keep))
    return done


def _mark_purged(asset, now, item):
    successor = asset.superseded_by
    asset.original_key = asset.quarantine_key = None
    for derivative in asset.derivatives:
        derivative.key = None
    if asset.state == AssetState.FAILED:
        asset.failure_retryable = False  # nothing is left to retry with
    asset.purged_at = now
    if successor is not None:
        pipeline.note(asset, "purge", f"stored files deleted, {len(item.delete)} file(s); replaced by version {successor.version}")
    else:
        pipeline.note(asset, "purge", "the rejected upload was deleted")
    record("media.asset_files_deleted", obj=asset, reason=item.reason, replaced_by=asset.superseded_by_id,
           deleted=len(item.delete), kept_shared=len(item.keep))


def summary(purges, referenced):
    """Counts of a run, for the task's result and the command's output."""
    return {"versions": len(purges), "files_deleted": sum(len(p.delete) for p in purges),
            "files_kept_shared": sum(len(p.keep) for p in purges), "referenced_kept": referenced}


ERASED = "account_deleted"


def erase_assets(asset_ids, now=None):
    """Delete now the stored files (original, quarantine copy, derivatives) of these versions,
    whatever their age and whoever refers to them: their owner deleted their account (GDPR
    article 17). A key another version keeps using stays (see :func:`_split_keys`). The rows stay,
    purged, with their keys cleared; each is audited. Holds each prefix's lock until the caller's
    commit; never commits.

    :return: the list of :class:`Purge` done.
    """
    now = now or utcnow()
    assets = db.session.execute(
        db.select(MediaAsset).where(MediaAsset.id.in_(list(asset_ids)), MediaAsset.purged_at.is_(None))
        .order_by(MediaAsset.id).with_for_update().execution_options(populate_existing=True)
    ).scalars().all()
    for prefix in sorted({pipeline.storage_prefix(asset) for asset in assets}):
        pipeline.hold_prefix_lock(prefix)
    split = _split_keys(assets)
    storage = get_storage()
    done = []
    for asset in assets:
        delete, keep = split[asset.id]
        for key in delete:
            storage.delete(key)
        done.append(Purge(asset.id, asset.slot, asset.version, ERASED, delete, keep))
        asset.original_key = asset.quarantine_key = None
        for derivative in asset.derivatives:
            derivative.key = None
        asset.failure_retryable = False
        asset.purged_at = now
        record("media.asset_files_deleted", obj=asset, reason=ERASED, deleted=len(delete), kept_shared=len(keep))
    return done
