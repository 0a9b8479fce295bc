"""The processing pipeline, step by step. Called by the Celery tasks in ``tasks.py``.

1. ``verify``: real size, SHA-256 (streamed), type detected from content; the original moves
   from quarantine to ``<prefix>/original/<sha256>.<ext>`` and is never modified again.
2. ``probe``: technical metadata; one ``Derivative`` row per applicable profile.
3. ``derive``: one task per derivative, written under a deterministic key
   (``<prefix>/derived/<profile>/v<version>/<source sha256>.<ext>``), so a re-run writes the same key.
4. ``finalize``: the asset's state follows from its derivatives.

Every step re-loads by id, is idempotent, owns its commit, and queues the next step only after
committing. A sweeper re-queues what a dead worker or a lost message left behind.
"""

import hashlib
import logging
import time
import uuid
from pathlib import Path

from flask import current_app

from residency.core.live import emit, user_room
from residency.core.types import utcnow
from residency.extensions import db
from residency.media.models import (
    AssetState, Derivative, DerivativeState, MediaAsset, is_shared_quarantine_key,
)
from residency.media.processing import MediaRejected
from residency.media.processing.derivatives import PROFILES, applicable_profiles
from residency.media.processing.detect import Detected, detect
from residency.media.processing.limits import Limits
from residency.media.processing.probe import probe as probe_file
from residency.storage import get_storage

log = logging.getLogger(__name__)
HASH_CHUNK = 4 * 1024 * 1024
PROGRESS_INTERVAL = 1.0


def limits():
    return Limits()


def storage_prefix(asset):
    if asset.work_id:
        return f"works/{asset.work_id}"
    return "slots/" + asset.slot.replace(":", "-")


def derived_key(asset, profile):
    return f"{storage_prefix(asset)}/derived/{profile.name}/v{profile.version}/{asset.sha256}.{profile.ext}"


def hold_prefix_lock(prefix):
    """Hold until the transaction ends the lock that orders, under one storage ``prefix``, reusing
    an original already stored (``verify``) with deleting replaced versions' files (``retention``).

    Two versions with the same bytes share their keys: without the lock, a version verified
    while the old one's files are being deleted could point at a key just deleted. On
    PostgreSQL it is an advisory transaction lock; SQLite (the embedded default, one worker)
    has none to take, and nothing is held there.
    """
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        return
    key = int.from_bytes(hashlib.sha256(f"media-storage:{prefix}".encode()).digest()[:8], "big", signed=True)
    connection.execute(db.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def hash_file(path):
    """(sha256 hex, size) of a file, read in large chunks."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb", buffering=0) as handle:
        while True:
            chunk = handle.read(HASH_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            digest.update(chunk)
    return digest.hexdigest(), size


def note(asset, step, message):
    """Append to the asset's processing log (kept short; shown to the artist)."""
    entries = list(asset.log or [])[-49:]
    entries.append({"at": utcnow().isoformat(), "step": step, "message": message})
    asset.log = entries


def announce(asset):
    emit("media.state", state_payload(asset), room=user_room(asset.owner_id))


def state_payload(asset):
    return {
        "asset": asset.id,
        "state": asset.state,
        "failed_step": asset.failed_step,
        "reason": asset.failure_reason,
        "retryable": asset.failure_retryable,
        "derivatives": {d.profile: {"state": d.state, "progress": round(d.progress, 3)} for d in asset.derivatives},
    }


def fail(asset, step, code, message, retryable):
    asset.state = AssetState.FAILED
    asset.failed_step = step
    asset.failure_code = code
    asset.failure_reason = message[:500]
    asset.failure_retryable = retryable
    note(asset, step, f"failed: {message}")
    log.info("asset %s failed at %s: %s", asset.id, step, code)


def _lock(asset_id):
    return db.session.get(MediaAsset, asset_id, with_for_update=True, populate_existing=True)


# 1. verify ---------------------------------------------------------------------------------

def verify(asset_id):
    """Check the uploaded file by its content and store it as the original. Returns the next step."""
    asset = _lock(asset_id)
    if asset is None or asset.state == AssetState.FAILED:
        return None
    if asset.original_key:
        return "probe"
    if is_shared_quarantine_key(asset.quarantine_key):
        # Other artists' uploads of a file with the same name may have written this key: whatever
        # it holds now cannot be taken as this artist's. `flask residency repair-upload-keys` decides.
        log.warning("asset %s waits in the shared key %r: run `flask residency repair-upload-keys`",
                    asset.id, asset.quarantine_key)
        return None
    asset.state = AssetState.PROCESSING
    note(asset, "verify", "checking the file")
    db.session.commit()
    announce(asset)

    storage = get_storage()
    try:
        with storage.local_copy(asset.quarantine_key) as path:
            detected = detect(path)
            sha256, size = hash_file(path)
    except MediaRejected as rejected:
        _refuse(asset_id, "verify", rejected)
        return None

    asset = _lock(asset_id)
    _check_upload(asset, detected, size)
    if asset.state == AssetState.FAILED:
        db.session.commit()
        announce(asset)
        return None
    _store_original(storage, asset, detected, sha256)
    db.session.commit()
    announce(asset)
    return "probe"


def _refuse(asset_id, step, rejected):
    """Fail the asset for good at ``step`` (its content was refused), commit and tell its owner."""
    asset = _lock(asset_id)
    fail(asset, step, rejected.code, rejected.message, retryable=False)
    db.session.commit()
    announce(asset)


def _check_upload(asset, detected, size):
    """Fail ``asset`` when its slot does not take the ``detected`` kind, or ``size`` is not the
    size that was uploaded."""
    from residency.media.slots import resolve_slot

    try:
        rules = resolve_slot(asset.slot, asset.owner).rules
    except Exception:  # the work was deleted meanwhile
        rules = None
    if rules is None or detected.kind not in rules.kinds:
        fail(asset, "verify", "type_not_allowed", "This kind of file is not accepted here.", retryable=False)
    elif size != asset.size:
        fail(asset, "verify", "size_mismatch", "The stored file is not the size that was uploaded.", retryable=False)


def _store_original(storage, asset, detected, sha256):
    """Move the checked upload from quarantine to its original key (or drop it when the same bytes
    are already stored there) and record what it is. The caller commits."""
    hold_prefix_lock(storage_prefix(asset))  # until the caller's commit: see retention.py
    key = f"{storage_prefix(asset)}/original/{sha256}.{detected.ext}"
    if storage.exists(key):
        storage.delete(asset.quarantine_key)  # the same bytes are already stored for this work
    else:
        storage.move(asset.quarantine_key, key)
    asset.sha256, asset.kind, asset.mime, asset.ext = sha256, detected.kind, detected.mime, detected.ext
    asset.original_key, asset.quarantine_key = key, None
    note(asset, "verify", f"{detected.kind} ({detected.mime}), SHA-256 {sha256[:12]}…")


# 2. probe ----------------------------------------------------------------------------------

def probe(asset_id):
    """Read the technical metadata and plan the derivatives. Returns the profiles to derive."""
    asset = _lock(asset_id)
    if asset is None or asset.state == AssetState.FAILED or not asset.original_key:
        return []
    if asset.probe is None:
        detected = Detected(asset.kind, asset.mime, asset.ext)
        try:
            with get_storage().local_copy(asset.original_key) as path:
                result = probe_file(path, detected, limits())
        except MediaRejected as rejected:
            _refuse(asset_id, "probe", rejected)
            return []
        asset = _lock(asset_id)
        asset.probe = result
        note(asset, "probe", "technical metadata read")
    detected = Detected(asset.kind, asset.mime, asset.ext)
    existing = {d.profile for d in asset.derivatives}
    for name in applicable_profiles(detected, asset.probe):
        if name not in existing:
            asset.derivatives.append(Derivative(profile=name, version=PROFILES[name].version))
    db.session.flush()
    pending = [d.profile for d in asset.derivatives if d.state in (DerivativeState.PENDING, DerivativeState.RUNNING)]
    _refresh(asset)
    db.session.commit()
    announce(asset)
    return pending


# 3. derive ---------------------------------------------------------------------------------

class _Progress:
    """Throttled progress: heartbeat in the database, live event to the artist."""

    def __init__(self, derivative_id, asset_id, owner_id, profile):
        self.derivative_id, self.asset_id, self.owner_id, self.profile = derivative_id, asset_id, owner_id, profile
        self.last = 0.0

    def __call__(self, fraction):
        now = time.monotonic()
        if now - self.last < PROGRESS_INTERVAL:
            return
        self.last = now
        fraction = max(0.0, min(1.0, float(fraction)))
        db.session.execute(
            db.update(Derivative).where(Derivative.id == self.derivative_id)
            .values(progress=fraction, heartbeat_at=utcnow())
        )
        db.session.commit()
        emit("media.progress", {"asset": self.asset_id, "profile": self.profile, "progress": round(fraction, 3)},
             room=user_room(self.owner_id))


def derive(asset_id, profile_name):
    """Make one derivative. Returns True when it is done (now or before).

    :raise TransientError: worth retrying (the task retries with backoff).
    """
    started = _start_derivative(asset_id, profile_name)
    if not isinstance(started, dict):
        return started
    profile = PROFILES[profile_name]
    scratch = Path(current_app.config["SCRATCH_DIR"])
    scratch.mkdir(parents=True, exist_ok=True)
    out = scratch / f"{asset_id}-{profile_name}-{uuid.uuid4().hex}.{profile.ext}"
    storage = get_storage()
    progress = _Progress(started["derivative_id"], asset_id, started["owner_id"], profile_name)
    try:
        with storage.local_copy(started["original_key"]) as src:
            meta = profile.make(src, started["probe"], out, on_progress=progress, limits=limits())
        if meta.get("use_source"):
            result = {"use_source": True, "key": started["original_key"], "size": None, "sha256": None}
        else:
            sha256, size = hash_file(out)
            storage.put_file(started["key"], out, profile.content_type)
            result = {"use_source": False, "key": started["key"], "size": size, "sha256": sha256}
    except MediaRejected as rejected:
        _finish_failed(started["derivative_id"], rejected.code, rejected.message, retryable=False)
        return False
    finally:
        out.unlink(missing_ok=True)
    _finish_done(started["derivative_id"], profile, meta, result)
    finalize(asset_id)
    return True


def _start_derivative(asset_id, profile_name):
    """Mark the derivative running and commit. Returns what the work needs, as plain values, or
    True (already done) / False (nothing to do)."""
    derivative = db.session.execute(
        db.select(Derivative).where(Derivative.asset_id == asset_id, Derivative.profile == profile_name)
        .with_for_update()
    ).scalar_one_or_none()
    if derivative is None:
        return False
    if derivative.state == DerivativeState.DONE:
        return True
    asset = derivative.asset
    if asset.state == AssetState.FAILED and derivative.state == DerivativeState.FAILED:
        return False
    now = utcnow()
    derivative.state = DerivativeState.RUNNING
    derivative.attempts += 1
    derivative.started_at = derivative.heartbeat_at = now
    derivative.error = None
    derivative.progress = 0.0
    started = {
        "derivative_id": derivative.id, "owner_id": asset.owner_id, "original_key": asset.original_key,
        "probe": asset.probe, "key": derived_key(asset, PROFILES[profile_name]),
    }
    db.session.commit()
    announce(asset)
    return started


def _finish_done(derivative_id, profile, meta, result):
    """Record the made derivative (or that the original serves as it) and commit."""
    derivative = db.session.get(Derivative, derivative_id, with_for_update=True, populate_existing=True)
    asset = derivative.asset
    derivative.state = DerivativeState.DONE
    derivative.use_source = result["use_source"]
    derivative.key = result["key"]
    derivative.size = result["size"] if result["size"] is not None else asset.size
    derivative.sha256 = result["sha256"] or asset.sha256
    derivative.content_type = profile.content_type if not result["use_source"] else asset.mime
    derivative.meta = meta
    derivative.progress = 1.0
    derivative.finished_at = utcnow()
    derivative.error = None
    note(asset, profile.name, "kept the original as it is" if result["use_source"] else "done")
    db.session.commit()


def _finish_failed(derivative_id, code, message, retryable):
    derivative = db.session.get(Derivative, derivative_id, with_for_update=True, populate_existing=True)
    derivative.state = DerivativeState.FAILED
    derivative.error = message[:500]
    derivative.retryable = retryable
    derivative.finished_at = utcnow()
    asset = _lock(derivative.asset_id)
    fail(asset, derivative.profile, code, message, retryable)
    db.session.commit()
    announce(asset)


def transient_failure(asset_id, profile_name, message, final):
    """Record a temporary failure: back to pending for the retry, or failed (retryable) at the end."""
    derivative = db.session.execute(
        db.select(Derivative).where(Derivative.asset_id == asset_id, Derivative.profile == profile_name)
    ).scalar_one_or_none()
    if derivative is None:
        return
    if final:
        _finish_failed(derivative.id, "transient", message, retryable=True)
    else:
        derivative.state = DerivativeState.PENDING
        derivative.error = message[:500]
        db.session.commit()


# 4. finalize -------------------------------------------------------------------------------

def _refresh(asset):
    """Derive the asset's state from its derivatives (failures recorded on the asset stay)."""
    if asset.state == AssetState.FAILED:
        return asset.state
    states = {d.state for d in asset.derivatives}
    if not asset.original_key:
        asset.state = AssetState.PROCESSING if asset.state != AssetState.UPLOADED else asset.state
    elif asset.probe is not None and states <= {DerivativeState.DONE}:
        if asset.state != AssetState.READY:
            asset.state = AssetState.READY
            note(asset, "ready", "every derivative is ready")
    else:
        asset.state = AssetState.PROCESSING
    return asset.state


def finalize(asset_id):
    asset = _lock(asset_id)
    if asset is None:
        return None
    state = _refresh(asset)
    db.session.commit()
    announce(asset)
    return state


def restart(asset):
    """Clear a failure; return the jobs that take processing up again where it failed.

    The jobs are ``(step, args)`` pairs (steps: ``ingest``, ``probe``, ``derive``) for the caller
    to queue after its commit (:func:`residency.media.tasks.queue_after_commit`).
    """
    step = asset.failed_step
    asset.state = AssetState.PROCESSING
    asset.failed_step = asset.failure_code = asset.failure_reason = None
    asset.failure_retryable = False
    note(asset, "retry", f"retrying from {step}")
    if not asset.original_key:
        return [("ingest", (asset.id,))]
    if asset.probe is None:
        return [("probe", (asset.id,))]
    jobs = []
    for derivative in asset.derivatives:
        if derivative.state != DerivativeState.DONE:
            derivative.state = DerivativeState.PENDING
            derivative.error = None
            jobs.append(("derive", (asset.id, derivative.profile)))
    return jobs
