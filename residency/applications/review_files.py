"""Coordinators download the files of a submitted application, exactly as frozen in its version.

The route lives on the ``review`` blueprint (login required; the application must be visible to
the viewer, then ``call.manage_applications`` on the call). A file is served only while the
stored asset is still the one the version froze: listed in the version's snapshot, still in the
application's upload slot, with the same SHA-256. The bytes come from the storage backend's
signed, expiring URL (S3 presigned, or ``media.local_file``).
"""

from dataclasses import dataclass

from flask import current_app, redirect
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from residency.applications import listing
from residency.applications.operations.drafts import slot_ref
from residency.applications.blueprint import review_bp as bp
from residency.applications.review import _listed_application
from residency.audit.operations import record
from residency.core.errors import ActionRefused, render_error
from residency.extensions import db
from residency.media.models import MediaAsset
from residency.storage import get_storage

NOT_SUBMITTED = _l("This file is not part of the submitted version of this application.")
CHANGED = _l("This file has been replaced or removed since the application was submitted: it is no longer "
             "the file that was submitted, so it cannot be downloaded here.")


@dataclass(frozen=True)
class SubmittedFile:
    """One file as a version froze it (``question_id`` is the file question it answered)."""

    id: int
    question_id: str
    filename: str
    sha256: str
    size: int | None = None


def submitted_files(snapshot):
    """The files of a frozen version (format 1: the ``value`` of its file answers), in form order,
    each once. Malformed records are skipped."""
    files = []
    for question_id, item in listing.frozen_files(snapshot if isinstance(snapshot, dict) else None):
        try:
            asset_id = int(item["id"])
        except (TypeError, ValueError):
            continue
        files.append(SubmittedFile(id=asset_id, question_id=question_id, filename=item.get("filename") or "",
                                   sha256=item.get("sha256") or "", size=item.get("size")))
    return files


def release_submitted_file(actor, application, version, asset_id):
    """Check that ``asset_id`` is a file of ``version`` still stored as submitted, and audit its
    download by ``actor`` (the caller commits).

    :return: ``(asset, submitted file)``.
    :raise ActionRefused 404: not a file of this version, or the stored asset is no longer the one
        submitted (gone, moved out of the application's slot, different SHA-256, no stored original).
    """
    submitted = next((f for f in submitted_files(version.snapshot) if f.id == asset_id), None)
    if submitted is None:
        raise ActionRefused(NOT_SUBMITTED, status=404)
    asset = db.session.get(MediaAsset, asset_id)
    if (asset is None or not asset.original_key or not submitted.sha256 or asset.sha256 != submitted.sha256
            or asset.slot != slot_ref(application, submitted.question_id)):
        raise ActionRefused(CHANGED, status=404)
    # The file holds the applicant's personal data: who fetched which file is kept.
    record("application.file_downloaded", actor=actor, obj=application, asset_id=asset.id,
           question=submitted.question_id, version=version.number, sha256=asset.sha256)
    db.session.flush()
    return asset, submitted


@bp.route("/manage/calls/<int:call_id>/applications/<int:application_id>/files/<int:asset_id>")
def application_file(call_id, application_id, asset_id):
    """Redirect to a signed, expiring URL serving a file of the application's last submitted
    version as an attachment under its submitted name; the download is audited.

    :raise 403: the viewer sees the application (its applicant) but does not manage the call's
        applications.
    :raise 404: no such call or application, or one the viewer may not see (as if it did not
        exist); not a submitted application of this call; not a file of the version shown, or
        the file changed since it was submitted (with a message saying so).
    """
    _call, application, version = _listed_application(call_id, application_id)
    try:
        asset, submitted = release_submitted_file(current_user._get_current_object(), application, version, asset_id)
    except ActionRefused as refusal:
        db.session.rollback()
        return render_error(refusal.status, refusal.message)
    url = get_storage().download_url(asset.original_key, submitted.filename or asset.original_filename,
                                     current_app.config["MEDIA_URL_SECONDS"], inline=False,
                                     content_type="application/octet-stream")
    db.session.commit()
    response = redirect(url)
    response.headers["Cache-Control"] = "no-store"  # the signed URL must not outlive the check in a cache
    return response


@bp.context_processor
def _file_helpers():
    """``submitted_files(snapshot)`` for the application page, which links each file by its id."""
    return {"submitted_files": submitted_files}
