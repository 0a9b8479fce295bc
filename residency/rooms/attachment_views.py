"""A room's files: the plain upload form, the shelf, and each file (signed, expiring links)."""

import uuid

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from residency.core.errors import ActionRefused
from residency.extensions import csrf, db
from residency.media import operations as media
from residency.rooms import access, attachments
from residency.rooms.blueprint import bp
from residency.rooms.events import RoomError, message_in_room
from residency.rooms.forms import AttachmentForm
from residency.rooms.views import _room
from residency.storage import get_storage

#: Derived files shown in the page (previews, thumbnails); originals are always attachments.
INLINE_TYPES = {"video/mp4", "audio/mp4", "image/jpeg", "image/png"}


@bp.route("/rooms/<int:room_id>/attachments", methods=["POST"])
@csrf.exempt  # checked by the form below, once this route's larger body limit is set
@login_required
def upload(room_id):
    """Share a file without JavaScript (up to ``MEDIA_FORM_UPLOAD_MAX``), with an optional text."""
    room = _room(room_id)
    request.max_content_length = current_app.config["MEDIA_FORM_UPLOAD_MAX"] + 64 * 1024
    form = AttachmentForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash(_("Choose a file to share."), "error")
        return redirect(url_for("rooms.room", room_id=room.id))
    try:
        asset = media.accept_form_upload(current_user._get_current_object(), attachments.slot_ref(room),
                                         form.file.data, request.content_length)
        attachments.post_with_file(room, current_user, form.client_id.data or uuid.uuid4().hex,
                                   (form.text.data or "").strip(), asset.id)
    except (ActionRefused, RoomError) as refusal:
        db.session.rollback()
        flash(str(refusal.message), "error")
        return redirect(url_for("rooms.room", room_id=room.id))
    db.session.commit()
    flash(_("File received. It is being checked; the room's shelf shows when it is ready."), "success")
    return redirect(url_for("rooms.room", room_id=room.id) + "#latest")


@bp.route("/rooms/<int:room_id>/shelf")
@login_required
def shelf(room_id):
    """The files shared in the room."""
    room = _room(room_id)
    return render_template("rooms/shelf.html", room=room, items=attachments.shelf(room),
                           title=access.room_title(room, current_user))


@bp.route("/rooms/<int:room_id>/messages/<int:message_id>/attachment")
@login_required
def attachment(room_id, message_id):
    """Redirect to a signed, expiring link to the file (``?which=`` a derivative, e.g. ``thumbnail``
    or ``preview``, once processed; the original otherwise, always as a download)."""
    room = _room(room_id)
    message = message_in_room(room, message_id)
    if message is None or message.deleted or message.asset is None:
        abort(404)
    asset = message.asset
    expires = current_app.config["MEDIA_URL_SECONDS"]
    which = request.args.get("which")
    if which:
        derivative = asset.derivative(which)
        if derivative is None or derivative.state != "done" or not derivative.key:
            abort(404)
        content_type = derivative.content_type or "application/octet-stream"
        inline = content_type in INLINE_TYPES
        name = f"{asset.original_filename.rsplit('.', 1)[0]}-{which}.{derivative.key.rsplit('.', 1)[-1]}"
        return redirect(get_storage().download_url(derivative.key, name, expires, inline=inline,
                                                   content_type=content_type if inline else "application/octet-stream"))
    key = asset.original_key or None
    if not key:
        abort(404)  # still being checked (or refused): the shelf says which
    return redirect(get_storage().download_url(key, asset.original_filename, expires, inline=False,
                                               content_type="application/octet-stream"))
