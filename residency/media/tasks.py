"""Media tasks. ``media.ingest``, the sweeper and the purge of replaced files run on the ``io``
queue, the rest on ``cpu``.

Tasks take ids, are idempotent, and run late-acknowledged: a worker killed mid-task leaves the
message to be delivered again, and the sweeper catches what is still missing.
"""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from residency.core.jobs import enqueue_after_commit
from residency.extensions import db
from residency.media import pipeline, retention, sweeper
from residency.media.processing import TransientError
from residency.media.processing.limits import Limits
from residency.storage import StorageError

TRANSIENT = (TransientError, StorageError, OSError)
SOFT_LIMIT = int(Limits().ffmpeg_timeout) + 600


@shared_task(name="media.ingest", bind=True, autoretry_for=TRANSIENT, retry_backoff=30, retry_backoff_max=900, max_retries=6)
def ingest(self, asset_id):
    """Verify and store the original, then queue the probe."""
    try:
        if pipeline.verify(asset_id) == "probe":
            probe.delay(asset_id)
    finally:
        db.session.rollback()


@shared_task(name="media.probe", bind=True, autoretry_for=TRANSIENT, retry_backoff=30, retry_backoff_max=900, max_retries=6)
def probe(self, asset_id):
    """Read the metadata and queue one task per derivative."""
    try:
        for profile in pipeline.probe(asset_id):
            derive.delay(asset_id, profile)
    finally:
        db.session.rollback()


@shared_task(name="media.derive", bind=True, max_retries=4, soft_time_limit=SOFT_LIMIT, time_limit=SOFT_LIMIT + 300)
def derive(self, asset_id, profile):
    """Make one derivative; temporary failures are retried with backoff, then reported."""
    try:
        pipeline.derive(asset_id, profile)
    except (*TRANSIENT, SoftTimeLimitExceeded) as exc:
        db.session.rollback()
        final = self.request.retries >= self.max_retries
        pipeline.transient_failure(asset_id, profile, f"{type(exc).__name__}: {exc}", final)
        if not final:
            raise self.retry(exc=exc, countdown=min(900, 30 * 2**self.request.retries))
    finally:
        db.session.rollback()


@shared_task(name="media.sweep")
def sweep():
    """Re-queue stuck steps, expire abandoned uploads, clean scratch files (beat, every minute)."""
    try:
        return sweep_now()
    finally:
        db.session.rollback()


def sweep_now():
    """What the sweeper does, run here and now; returns its counts."""
    counts, jobs = sweeper.sweep()
    for step, args in jobs:
        STEPS[step].delay(*args)
    counts["scratch_removed"] = sweeper.working_copy_cleanup()
    return counts


def queue_after_commit(jobs):
    """Queue ``(step, args)`` jobs of the pipeline once the current transaction commits."""
    for step, args in jobs:
        enqueue_after_commit(STEPS[step], *args)


STEPS = {"ingest": ingest, "probe": probe, "derive": derive}


@shared_task(name="media.purge_replaced")
def purge_replaced():
    """Delete the files of versions replaced more than MEDIA_REPLACED_GRACE_DAYS ago that nothing
    references any more (beat, hourly). Idempotent; returns the run's counts."""
    try:
        return retention.summary(*retention.purge())
    finally:
        db.session.rollback()
