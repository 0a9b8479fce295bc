"""The files of a file question: list, resumable upload (uploader.js), plain upload, removal.

One page per file question, because the resumable uploader drives one upload place per page.
"""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from residency.applications import operations
from residency.applications.forms import question_views
from residency.applications.policies import is_member
from residency.applications.blueprint import bp
from residency.applications.views import load_application
from residency.core.errors import ActionRefused
from residency.core.types import utcnow
from residency.extensions import csrf, db
from residency.media import operations as media
from residency.media.forms import FileUploadForm
from residency.media.operations import human_size


def _question(application, question_id):
    question = application.call.question(question_id)
    if question is None or question.get("type") != "file":
        abort(404)
    return question


def _files_page(application, question_id, upload_form=None, status=200):
    now = utcnow()
    files = operations.attached_files(application)
    view = next(q for q in question_views(application.call, get_locale(), {}, None, files) if q.id == question_id)
    writable = is_member(current_user, application) and application.state in operations.EDITABLE_STATES \
        and application.call.accepting(now)
    return render_template(
        "applications/files.html", application=application, call=application.call, question=view,
        slot=operations.slot_ref(application, question_id), writable=writable,
        closed=operations.closed_reason(application.call, now), upload_form=upload_form or FileUploadForm(),
        form_max=human_size(current_app.config["MEDIA_FORM_UPLOAD_MAX"]),
    ), status


@bp.route("/applications/<int:application_id>/files/<question_id>")
@login_required
def files(application_id, question_id):
    application = load_application(application_id, "application.edit")
    _question(application, question_id)
    return _files_page(application, question_id)


@bp.route("/applications/<int:application_id>/files/<question_id>/upload", methods=["POST"])
@csrf.exempt  # checked below by the form, once the larger body limit of this route is set
@login_required
def form_upload(application_id, question_id):
    """The plain HTML upload, for browsers without JavaScript (up to MEDIA_FORM_UPLOAD_MAX)."""
    application = load_application(application_id, "application.edit")
    _question(application, question_id)
    request.max_content_length = current_app.config["MEDIA_FORM_UPLOAD_MAX"] + 64 * 1024
    form = FileUploadForm()
    if not form.validate_on_submit() and "csrf_token" in form.errors:
        abort(400)
    if not form.file.data:
        flash(_("Choose a file to upload."), "error")
        return _files_page(application, question_id, form, 400)
    try:
        media.accept_form_upload(current_user._get_current_object(), operations.slot_ref(application, question_id),
                                 form.file.data, request.content_length)
    except ActionRefused as refusal:
        db.session.rollback()
        flash(str(refusal.message), "error")
        return _files_page(application, question_id, form, refusal.status)
    db.session.commit()
    flash(_("File received. It is being checked; you can submit once it shows as ready."), "success")
    return redirect(url_for("applications.files", application_id=application.id, question_id=question_id))


@bp.route("/applications/<int:application_id>/files/<question_id>/<int:asset_id>/remove", methods=["POST"])
@login_required
def remove_file(application_id, question_id, asset_id):
    """Take a file out of the answer (CSRF checked by CSRFProtect)."""
    application = load_application(application_id, "application.edit")
    _question(application, question_id)
    try:
        asset = operations.detach_file(current_user._get_current_object(), application, question_id, asset_id, utcnow())
    except ActionRefused as refusal:
        db.session.rollback()
        flash(str(refusal.message), "error")
        return redirect(url_for("applications.files", application_id=application.id, question_id=question_id), 303)
    db.session.commit()
    flash(_("%(name)s is removed from your answer.", name=asset.original_filename), "success")
    return redirect(url_for("applications.files", application_id=application.id, question_id=question_id), 303)
