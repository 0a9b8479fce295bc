"""What the embedded default's storage serves itself: signed file downloads and uploaded parts.

With S3 the browser talks to S3 directly with presigned URLs and these routes are not used.
"""

from flask import abort, current_app, jsonify, request, send_file
from itsdangerous import BadData

from residency.extensions import csrf, limiter, talisman
from residency.media.blueprint import bp
from residency.storage import LocalStorage, MultipartError, StorageError, get_storage
from residency.storage.base import MAX_PART_SIZE, content_disposition


#: Nothing a stored file contains may run or load anything, even if a browser renders it.
FILE_CSP = {"default-src": "'none'", "sandbox": ""}


def _local_storage():
    storage = get_storage()
    if not isinstance(storage, LocalStorage):
        abort(404)
    return storage


@bp.route("/media/files/<token>")
@limiter.exempt
@talisman(content_security_policy=FILE_CSP, frame_options="DENY")
def local_file(token):
    """Serve a stored file named by a signed, expiring token, with HTTP Range support."""
    storage = _local_storage()
    try:
        data = storage.read_file_token(token)
        path = storage.path(data["k"])
    except (BadData, KeyError, StorageError):
        abort(404)
    if not path.is_file():
        abort(404)
    inline = bool(data.get("i"))
    response = send_file(
        path, mimetype=data.get("t") or "application/octet-stream", conditional=True, etag=True, max_age=0,
    )
    response.headers["Content-Disposition"] = content_disposition(data["f"], inline=inline)
    response.headers["Cache-Control"] = "private, max-age=0"
    return response


@bp.route("/media/parts/<token>", methods=["PUT"])
@csrf.exempt  # the signed URL is the authority, as with S3's presigned URLs
@limiter.exempt
def local_part(token):
    """Receive one part of a multipart upload, streamed to disk; answers its ETag like S3."""
    storage = _local_storage()
    try:
        data = storage.read_part_token(token)
    except BadData:
        return jsonify(error="This upload link has expired. Resume the upload to get a new one."), 403
    request.max_content_length = MAX_PART_SIZE
    if request.content_length is None:
        return jsonify(error="Content-Length is required."), 411
    try:
        etag = storage.write_part(
            data["k"], data["u"], data["n"], request.stream, limit=MAX_PART_SIZE, expected=request.content_length
        )
    except MultipartError as exc:
        if "incomplete" in str(exc):
            return jsonify(error="The part arrived incomplete; send it again."), 400
        return jsonify(error="This upload no longer exists."), 404
    response = current_app.response_class(status=200)
    response.headers["ETag"] = f'"{etag}"'
    return response
