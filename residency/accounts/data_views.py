"""The "Your data" pages: download everything in one ZIP, delete the account. They work without
JavaScript; both ask for the password again (and CSRF, as every form)."""

from flask import Response, current_app, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from residency.accounts import data_rights, forms
from residency.accounts.sessions import end_current_session
from residency.accounts.throttle import DEVICE_COOKIE
from residency.accounts.views import bp
from residency.core.errors import ActionRefused
from residency.core.forms import show_refusal
from residency.core.permissions import require
from residency.core.types import utcnow
from residency.extensions import db, limiter


def _limit():
    return current_app.config["RATELIMIT_DATA_RIGHTS"]


def _user_key():
    return f"data-rights:{current_user.get_id() if current_user.is_authenticated else request.remote_addr}"


@bp.route("/account/data", methods=["GET"])
@login_required
def data():
    """What the platform holds about the user, the download form and the way to delete the account."""
    user = current_user._get_current_object()
    require("user.edit", user)
    return render_template("accounts/data.html", form=forms.DataExportForm(), user=user)


@bp.route("/account/data/export", methods=["POST"])
@login_required
@limiter.limit(_limit, key_func=_user_key)
def export_data():
    """Stream the user's archive once the password is right. :raise 400: wrong password or CSRF."""
    user = current_user._get_current_object()
    require("user.edit", user)
    form = forms.DataExportForm()
    if form.validate_on_submit():
        try:
            data_rights.check_password(user, form.password.data)
        except ActionRefused as refusal:
            db.session.rollback()
            show_refusal(form, refusal)
        else:
            body, files = data_rights.archive_contents(user)
            data_rights.record_export(user, files)
            db.session.commit()
            archive = data_rights.stream_archive(body, files)
            filename = f"residency-data-{user.id}-{utcnow():%Y%m%d}.zip"
            return Response(stream_with_context(iter(archive)), mimetype="application/zip", headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Content-Length": str(len(archive)),
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            })
    return render_template("accounts/data.html", form=form, user=user), 400


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
@limiter.limit(_limit, methods=["POST"], key_func=_user_key)
def delete_account():
    """Delete the account after the password and the e-mail address typed again; log out."""
    user = current_user._get_current_object()
    require("user.edit", user)
    form = forms.DeleteAccountForm()
    if form.validate_on_submit():
        try:
            data_rights.delete_account(user, form.password.data, form.confirmation.data)
        except ActionRefused as refusal:
            db.session.rollback()
            show_refusal(form, refusal)
        else:
            end_current_session()
            db.session.commit()
            logout_user()
            flash(_("Your account is deleted, with your personal data. Thank you for your time with us."), "success")
            response = redirect(url_for("core.home"))
            response.delete_cookie(DEVICE_COOKIE, path=url_for("accounts.login"))
            return response
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/delete.html", form=form, user=user), status
