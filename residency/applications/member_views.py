"""Co-applicants: the owner invites by e-mail and removes; the invitee accepts after logging in."""

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from residency.applications import operations
from residency.accounts.forms import ConfirmForm
from residency.applications.forms import InviteForm
from residency.applications.blueprint import bp
from residency.applications.views import PENDING_INVITATION, load_application
from residency.core.errors import ActionRefused
from residency.core.forms import show_refusal
from residency.core.permissions import can
from residency.core.types import utcnow
from residency.extensions import db


@bp.route("/applications/<int:application_id>/members", methods=["GET", "POST"])
@login_required
def members(application_id):
    """Everyone in the application; the owner's invitation form."""
    application = load_application(application_id, "application.edit")
    form = InviteForm()
    status = 200
    if request.method == "POST":
        if not can(current_user, "application.manage_members", application):
            flash(_("Only the person who started the application invites co-applicants."), "error")
            status = 403
        elif form.validate_on_submit():
            try:
                member, _token = operations.invite_member(current_user._get_current_object(), application, form.email.data, utcnow())
            except ActionRefused as refusal:
                db.session.rollback()
                show_refusal(form, refusal)
                status = refusal.status
            else:
                db.session.commit()
                flash(_("We sent an invitation to %(email)s.", email=member.email), "success")
                return redirect(url_for("applications.members", application_id=application.id))
        else:
            status = 400
    return render_template(
        "applications/members.html", application=application, call=application.call, form=form, confirm=ConfirmForm(),
        can_manage=can(current_user, "application.manage_members", application),
        closed=operations.closed_reason(application.call, utcnow()),
    ), status


@bp.route("/applications/<int:application_id>/members/<int:member_id>/remove", methods=["POST"])
@login_required
def remove_member(application_id, member_id):
    application = load_application(application_id, "application.manage_members")
    try:
        member = operations.remove_member(current_user._get_current_object(), application, member_id, utcnow())
    except ActionRefused as refusal:
        db.session.rollback()
        flash(str(refusal.message), "error")
        return redirect(url_for("applications.members", application_id=application.id), 303)
    db.session.commit()
    flash(_("%(email)s is no longer part of this application.", email=member.email), "success")
    return redirect(url_for("applications.members", application_id=application.id))


@bp.route("/applications/invitations/<token>", methods=["GET", "POST"])
def invitation(token):
    """Show the invitation; a visitor logs in (or creates an account) first, then accepts."""
    try:
        member = operations.find_invitation(token)
    except ActionRefused as refusal:
        response = make_response(render_template("applications/invitation.html", member=None, error=refusal.message), refusal.status)
        response.delete_cookie(PENDING_INVITATION)
        return response
    application = member.application
    form = ConfirmForm()
    if not current_user.is_authenticated:
        # Logging in or registering starts a fresh session: a cookie remembers the invitation,
        # so "My applications" offers it afterwards.
        response = make_response(render_template("applications/invitation.html", member=member, application=application,
                                                 call=application.call, form=None, token=token))
        response.set_cookie(PENDING_INVITATION, token, max_age=7 * 24 * 3600, httponly=True, samesite="Lax",
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
        return response
    if request.method == "POST" and form.validate_on_submit():
        try:
            operations.accept_invitation(current_user._get_current_object(), token, utcnow())
        except ActionRefused as refusal:
            db.session.rollback()
            flash(str(refusal.message), "error")
            return render_template("applications/invitation.html", member=member, application=application,
                                   call=application.call, form=form, token=token), refusal.status
        db.session.commit()
        flash(_("You joined the application. You can now edit and submit it together."), "success")
        response = redirect(url_for("applications.edit", application_id=application.id))
        response.delete_cookie(PENDING_INVITATION)
        return response
    return render_template("applications/invitation.html", member=member, application=application,
                           call=application.call, form=form, token=token)
