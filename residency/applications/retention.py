"""Retention periods of applications: nothing is kept longer than its purpose needs.

- A **draft** never submitted and untouched (``updated_at``) for ``DRAFT_RETENTION_DAYS`` is
  deleted with the files in its upload slots. ``DRAFT_RETENTION_WARNING_DAYS`` before, its owner
  is told by e-mail once (again only if they touch it and let it go stale again); 0 sends none.
- A **declined** or **withdrawn** application whose last change (submission, withdrawal or the
  jury's decision) is older than ``REJECTED_RETENTION_DAYS`` loses its content
  (:mod:`residency.applications.erasure`): withdrawn ones nobody else has a record of are deleted;
  the others are stripped to their state, keeping the jury's records whole.

A daily Celery beat task (``applications.purge_expired``) runs the three steps, each in batches
of :data:`BATCH` committed one by one, skipping rows another transaction holds. Every step is
idempotent: a run that crashes half-way is finished by the next one. Each purge is audited.
"""

import logging
from datetime import timedelta

from flask import current_app, has_request_context, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import Text, cast

from residency.applications import erasure
from residency.applications.models import Application, ApplicationState
from residency.applications.operations.submission import local_time
from residency.audit.models import AuditEntry
from residency.audit.operations import record
from residency.core.types import utcnow
from residency.extensions import db
from residency.notifications.operations import queue_email

log = logging.getLogger(__name__)

BATCH = 200
WARNED = "application.draft_expiry_warned"
REJECTED_STATES = (ApplicationState.DECLINED, ApplicationState.WITHDRAWN)


def _days(name):
    return timedelta(days=current_app.config[name])


def _drafts(before, since=None):
    query = db.select(Application).where(
        Application.state == ApplicationState.DRAFT, Application.current_version == 0, Application.updated_at < before,
    )
    if since is not None:
        query = query.where(Application.updated_at >= since)
    return query.order_by(Application.id)


def _site_url(endpoint, **values):
    """The full address of ``endpoint`` (``BASE_URL``), in a request or in a worker."""
    if has_request_context():
        return current_app.config["BASE_URL"] + url_for(endpoint, **values)
    with current_app.test_request_context("/"):
        return current_app.config["BASE_URL"] + url_for(endpoint, **values)


def _warned_since(application):
    return db.session.scalar(db.select(AuditEntry.id).where(
        AuditEntry.action == WARNED, AuditEntry.object_type == Application.__tablename__,
        AuditEntry.object_id == application.id, AuditEntry.at >= application.updated_at,
    ).limit(1)) is not None


def warn_stale_drafts(now=None, limit=BATCH):
    """E-mail the owner of each draft that will be purged within the warning period, once.

    :return: the ids of the drafts whose owners were told now. The caller commits.
    """
    now = now or utcnow()
    warning, period = _days("DRAFT_RETENTION_WARNING_DAYS"), _days("DRAFT_RETENTION_DAYS")
    if not warning or warning >= period:
        return []
    told = []
    drafts = db.session.execute(_drafts(now - period + warning, since=now - period)).scalars()
    for application in drafts:
        if len(told) >= limit:
            break
        if _warned_since(application) or not application.owner.is_active:
            continue
        owner, purge_on = application.owner, application.updated_at + period
        queue_email(
            owner.email, "draft_expiring", _l("Your draft application will be deleted"), user=owner,
            call_title=application.call.text("title", owner.locale), when=local_time(purge_on, owner),
            days=period.days, link=_site_url("applications.edit", application_id=application.id),
        )
        record(WARNED, obj=application, purge_on=purge_on.isoformat())
        told.append(application.id)
    return told


def purge_stale_drafts(now=None, limit=BATCH):
    """Delete up to ``limit`` drafts untouched for the retention period, with their files.

    :return: their ids. The caller commits.
    """
    now = now or utcnow()
    drafts = db.session.execute(
        _drafts(now - _days("DRAFT_RETENTION_DAYS")).limit(limit).with_for_update(skip_locked=True)
    ).scalars().all()
    ids = []
    for application in drafts:
        record("application.purged", obj=application, reason="draft_retention")
        ids.append(application.id)
        erasure.delete_application(application)
    return ids


def purge_rejected(now=None, limit=BATCH):
    """Delete or strip up to ``limit`` declined or withdrawn applications past their period.

    :return: ``(deleted ids, stripped ids)``. The caller commits.
    """
    now = now or utcnow()
    not_stripped = cast(Application.answers, Text).not_like(f'%"{erasure.ERASED_KEY.replace("_", "!_")}"%', escape="!")
    candidates = db.session.execute(
        db.select(Application).where(
            Application.state.in_(REJECTED_STATES), Application.updated_at < now - _days("REJECTED_RETENTION_DAYS"),
            not_stripped,
        ).order_by(Application.id).limit(limit).with_for_update(skip_locked=True)
    ).scalars().all()
    relied = erasure.relied_upon(candidates)
    deleted, stripped = [], []
    for application in candidates:
        if application.state == ApplicationState.WITHDRAWN and application.id not in relied:
            record("application.purged", obj=application, reason="rejected_retention")
            deleted.append(application.id)
            erasure.delete_application(application)
        else:
            record("application.content_purged", obj=application, reason="rejected_retention")
            stripped.append(application.id)
            erasure.strip_application(application, now)
    return deleted, stripped


def run(now=None, limit=BATCH):
    """Every step until nothing is left, committing each batch. Returns counts."""
    now = now or utcnow()
    counts = {"warned": 0, "drafts_deleted": 0, "rejected_deleted": 0, "rejected_stripped": 0}
    while True:
        told = warn_stale_drafts(now, limit)
        db.session.commit()
        counts["warned"] += len(told)
        if len(told) < limit:
            break
    while True:
        ids = purge_stale_drafts(now, limit)
        db.session.commit()
        counts["drafts_deleted"] += len(ids)
        if len(ids) < limit:
            break
    while True:
        deleted, stripped = purge_rejected(now, limit)
        db.session.commit()
        counts["rejected_deleted"] += len(deleted)
        counts["rejected_stripped"] += len(stripped)
        if len(deleted) + len(stripped) < limit:
            break
    log.info("application retention: %s", counts)
    return counts
