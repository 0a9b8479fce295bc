"""Works pages, downloads, and the plain form upload. Thin: parse, call an operation, render."""

import json
from contextlib import closing

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from residency.core.errors import ActionRefused
from residency.core.permissions import can, require
from residency.extensions import csrf, db
from residency.media import operations
from residency.media.blueprint import bp
from residency.media.forms import FileUploadForm, WorkForm
from residency.media.models import MediaAsset, Work
from residency.media.operations import human_size
from residency.media.qc_warnings import asset_warnings, localized_report
from residency.storage import StorageError, get_storage
from residency.storage.base import content_disposition

#: Derived files a browser may show in the page (players, images, captions). Everything else,
#: and every original, is served as an attachment.
INLINE_TYPES = {"video/mp4", "audio/mp4", "image/jpeg", "image/png", "text/vtt"}


def _work(work_id, action="work.view"):
    """The work, if the current user may see it, and do ``action`` to it.

    :raise 404: no such work, or one the user may not see (answered exactly as if it did not
        exist, on every route and method, so that ids reveal nothing).
    :raise 403: the user sees the work but may not do ``action``.
    """
    work = db.session.get(Work, work_id)
    if work is None or not can(current_user, "work.view", work):
        abort(404)
    if action != "work.view":
        require(action, work)
    return work


def _asset(work, asset_id):
    """An asset of ``work`` (already checked visible). :raise 404: not this work's, or one the
    user may not see (as if it did not exist)."""
    asset = db.session.get(MediaAsset, asset_id)
    if asset is None or asset.work_id != work.id or not can(current_user, "asset.view", asset):
        abort(404)
    return asset


@bp.route("/works/")
@login_required
def works():
    items = db.session.execute(
        db.select(Work).where(Work.owner_id == current_user.id).order_by(Work.updated_at.desc())
    ).scalars().all()
    return render_template("media/works.html", works=items)


def _save_work_form(form, work=None):
    fields = {
        "title": form.title.data.strip(),
        "year": form.year.data,
        "duration_seconds": form.duration_minutes.data * 60 if form.duration_minutes.data is not None else None,
        "medium": (form.medium.data or "").strip(),
        "main_language": form.main_language.data,
        "credits": form.credits.data or "",
        "technical_rider": form.technical_rider.data or "",
        "rights_holder": (form.rights_holder.data or "").strip(),
        "licence": form.licence.data,
    }
    synopsis = dict(work.synopsis or {}) if work else {}
    if form.synopsis.data:
        synopsis[form.main_language.data] = form.synopsis.data.strip()
    else:
        synopsis.pop(form.main_language.data, None)
    fields["synopsis"] = synopsis
    if work is None:
        return operations.create_work(current_user._get_current_object(), **fields)
    return operations.update_work(current_user._get_current_object(), work, **fields)


@bp.route("/works/new", methods=["GET", "POST"])
@login_required
def new_work():
    require("work.create")
    form = WorkForm()
    form.fill_choices()
    if request.method == "GET":
        form.main_language.data = current_user.locale
    if form.validate_on_submit():
        work = _save_work_form(form)
        db.session.commit()
        flash(_("Your work is saved. Now add its files."), "success")
        return redirect(url_for("media.work", work_id=work.id))
    return render_template("media/work_form.html", form=form, work=None), 400 if form.errors else 200


@bp.route("/works/<int:work_id>/edit", methods=["GET", "POST"])
@login_required
def edit_work(work_id):
    work = _work(work_id, "work.edit")
    form = WorkForm(obj=None if request.method == "POST" else work)
    form.fill_choices()
    if request.method == "GET":
        form.duration_minutes.data = work.duration_seconds // 60 if work.duration_seconds is not None else None
        form.synopsis.data = (work.synopsis or {}).get(work.main_language, "")
    if form.validate_on_submit():
        _save_work_form(form, work)
        db.session.commit()
        flash(_("Your changes are saved."), "success")
        return redirect(url_for("media.work", work_id=work.id))
    return render_template("media/work_form.html", form=form, work=work), 400 if form.errors else 200


@bp.route("/works/<int:work_id>")
@login_required
def work(work_id):
    work = _work(work_id)
    return render_template(
        "media/work.html", work=work, upload_form=FileUploadForm(), synopsis=work.synopsis_in(get_locale()),
        form_max=human_size(current_app.config["MEDIA_FORM_UPLOAD_MAX"]),
        file_max=human_size(current_app.config["MEDIA_MAX_FILE_SIZE"]),
    )


@bp.route("/works/<int:work_id>/upload", methods=["POST"])
@csrf.exempt  # checked below by the form, once the larger body limit of this route is set
@login_required
def form_upload(work_id):
    """The plain HTML upload, for browsers without JavaScript; larger files use the resumable uploader."""
    work = _work(work_id, "work.edit")
    request.max_content_length = current_app.config["MEDIA_FORM_UPLOAD_MAX"] + 64 * 1024
    form = FileUploadForm()
    if not form.validate_on_submit() and "csrf_token" in form.errors:
        abort(400)
    if not form.file.data:
        flash(_("Choose a file to upload."), "error")
        return redirect(url_for("media.work", work_id=work.id)), 303
    try:
        operations.accept_form_upload(
            current_user._get_current_object(), f"work:{work.id}", form.file.data, request.content_length,
            replaces_asset_id=form.replaces.data,
        )
    except ActionRefused as refusal:
        db.session.rollback()
        flash(str(refusal.message), "error")
        return render_template("media/work.html", work=work, upload_form=form, synopsis=work.synopsis_in(get_locale()),
                               form_max=human_size(current_app.config["MEDIA_FORM_UPLOAD_MAX"]),
                               file_max=human_size(current_app.config["MEDIA_MAX_FILE_SIZE"])), refusal.status
    db.session.commit()
    flash(_("File received. It is being checked and processed; this page shows its progress."), "success")
    return redirect(url_for("media.work", work_id=work.id))


@bp.route("/works/<int:work_id>/assets/<int:asset_id>")
@login_required
def asset(work_id, asset_id):
    work = _work(work_id)
    item = _asset(work, asset_id)
    return render_template("media/asset.html", work=work, asset=item, qc_warnings=asset_warnings(item))


@bp.route("/works/<int:work_id>/assets/<int:asset_id>/retry", methods=["POST"])
@login_required
def retry(work_id, asset_id):
    work = _work(work_id)
    item = _asset(work, asset_id)  # CSRFProtect has checked the token of this POST
    require("work.edit", work)
    try:
        operations.retry_asset(current_user._get_current_object(), item)
    except ActionRefused as refusal:
        db.session.rollback()
        flash(str(refusal.message), "error")
        return redirect(url_for("media.asset", work_id=work.id, asset_id=item.id)), 303
    db.session.commit()
    flash(_("Processing starts again."), "success")
    return redirect(url_for("media.asset", work_id=work.id, asset_id=item.id))


@bp.route("/works/<int:work_id>/assets/<int:asset_id>/files/<which>")
@login_required
def download(work_id, asset_id, which):
    """Redirect to a signed, expiring URL for the original or one of its derivatives."""
    work = _work(work_id)
    item = _asset(work, asset_id)
    expires = current_app.config["MEDIA_URL_SECONDS"]
    base = item.original_filename.rsplit(".", 1)[0]
    if which == "original":
        require("asset.download_original", item)
        if not item.original_key:
            abort(404)
        url = get_storage().download_url(item.original_key, item.original_filename, expires, inline=False,
                                         content_type="application/octet-stream")
        return redirect(url)
    derivative = item.derivative(which)
    if derivative is None or derivative.state != "done" or not derivative.key:
        abort(404)
    if which == "qc":
        return _qc_report(derivative, f"{base}-qc.json")
    ext = derivative.key.rsplit(".", 1)[-1]
    content_type = derivative.content_type or "application/octet-stream"
    inline = content_type in INLINE_TYPES and request.args.get("download") is None
    url = get_storage().download_url(derivative.key, f"{base}-{which}.{ext}", expires, inline=inline,
                                     content_type=content_type if inline else "application/octet-stream")
    return redirect(url)


def _qc_report(derivative, filename):
    """The stored QC report with its warnings worded in the viewer's language, as an attachment
    (the same words as the asset page)."""
    try:
        with closing(get_storage().open(derivative.key)) as stream:
            report = json.loads(stream.read())
    except StorageError:
        abort(404)
    body = json.dumps(localized_report(report), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = "private, max-age=0"
    return response
