"""Festival tasks, on the ``io`` queue: preparing a package (reading each stored file once, and with
S3 assembling the ZIP in the bucket). Idempotent, late-acknowledged like the media tasks."""

from celery import shared_task

from residency.extensions import db
from residency.festivals import packages
from residency.media.processing import TransientError
from residency.storage import StorageError

TRANSIENT = (StorageError, ConnectionError, TransientError)


@shared_task(name="festivals.prepare_package", bind=True, acks_late=True, autoretry_for=TRANSIENT,
             retry_backoff=30, retry_backoff_max=900, max_retries=6)
def prepare_package(self, package_id):
    """Prepare the package ``package_id`` (nothing to do once it is ready or failed)."""
    try:
        return packages.prepare(package_id)
    finally:
        db.session.rollback()


@shared_task(name="festivals.prepare_pending")
def prepare_pending():
    """The sweeper: queue the packages still preparing (a lost message, a worker killed mid-way)."""
    from datetime import timedelta

    from residency.core.types import utcnow
    from residency.festivals.models import Package, PackageState

    try:
        # Ten minutes: a package being prepared now (a large one takes minutes) is left to its task.
        for package_id in db.session.execute(db.select(Package.id).where(
                Package.state == PackageState.PREPARING,
                Package.created_at < utcnow() - timedelta(minutes=10))).scalars():
            prepare_package.delay(package_id)
    finally:
        db.session.rollback()
