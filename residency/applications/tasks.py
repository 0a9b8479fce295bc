"""Applications' housekeeping tasks (queue ``io``)."""

from celery import shared_task

from residency.applications import retention


@shared_task(name="applications.purge_expired")
def purge_expired():
    """Apply the retention periods (warn, purge stale drafts, purge declined and withdrawn
    applications); idempotent, committed batch by batch. Returns the counts."""
    return retention.run()
