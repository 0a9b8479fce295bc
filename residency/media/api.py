"""The resumable upload API the browser's uploader (Uppy, S3 multipart mode) talks to.

``POST /media/uploads`` opens an upload into a slot; ``GET …/parts/<n>`` signs a part URL (S3
presigned, or the app's own on the embedded default); ``GET …/parts`` lists received parts, so
an upload resumes after a dropped connection or a reload; ``POST …/complete`` assembles them;
``DELETE`` aborts. JSON in and out; CSRF token in the ``X-CSRFToken`` header.
"""

from flask import jsonify, request, url_for
from flask_login import current_user, login_required

from residency.core.errors import ActionRefused
from residency.extensions import db
from residency.media import operations
from residency.media.blueprint import bp


def _refused(refusal):
    db.session.rollback()
    return jsonify(error=str(refusal.message)), refusal.status


def _json():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ActionRefused("Send a JSON object.")
    return data


@bp.route("/media/uploads", methods=["POST"])
@login_required
def create_upload():
    try:
        data = _json()
        size = data.get("size")
        upload = operations.start_upload(
            current_user._get_current_object(), str(data.get("slot", "")), str(data.get("filename", "")),
            size if isinstance(size, int) and not isinstance(size, bool) else -1,
            str(data.get("type") or ""),
            replaces_asset_id=data.get("replaces") if isinstance(data.get("replaces"), int) else None,
        )
    except ActionRefused as refusal:
        return _refused(refusal)
    db.session.commit()
    return jsonify(uploadId=upload.public_id, key=upload.key), 201


@bp.route("/media/uploads/<public_id>/parts/<int:number>", methods=["GET"])
@login_required
def sign_part(public_id, number):
    try:
        upload = operations.get_upload(public_id, current_user)
        url = operations.part_url(upload, number)
    except ActionRefused as refusal:
        return _refused(refusal)
    db.session.commit()
    return jsonify(url=url, headers={})


@bp.route("/media/uploads/<public_id>/parts", methods=["GET"])
@login_required
def list_parts(public_id):
    try:
        upload = operations.get_upload(public_id, current_user)
        parts = operations.list_parts(upload)
    except ActionRefused as refusal:
        return _refused(refusal)
    return jsonify(parts=[part.to_dict() for part in parts])


@bp.route("/media/uploads/<public_id>/complete", methods=["POST"])
@login_required
def complete(public_id):
    try:
        upload = operations.get_upload(public_id, current_user)
        raw = _json().get("parts")
        if not isinstance(raw, list) or not all(
            isinstance(p, dict) and isinstance(p.get("PartNumber"), int) and isinstance(p.get("ETag"), str) for p in raw
        ):
            raise ActionRefused("List the parts as [{PartNumber, ETag}].")
        asset = operations.complete_upload(upload, [(p["PartNumber"], p["ETag"]) for p in raw])
    except ActionRefused as refusal:
        return _refused(refusal)
    db.session.commit()
    location = url_for("media.asset", work_id=asset.work_id, asset_id=asset.id) if asset.work_id else None
    return jsonify(asset=asset.id, state=asset.state, location=location)


@bp.route("/media/uploads/<public_id>", methods=["DELETE"])
@login_required
def abort_upload(public_id):
    try:
        upload = operations.get_upload(public_id, current_user)
        operations.abort_upload(upload)
    except ActionRefused as refusal:
        return _refused(refusal)
    db.session.commit()
    return "", 204
