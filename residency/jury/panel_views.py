"""The panel's pages: the coordinators' list, invitation form, member page and settings under
``/manage/calls/<id>/jury``; the invitee's page ``/jury/invitations/<token>``; a member's own page
and stepping down under ``/jury/calls/<id>``.

Thin views: load and check, call an operation of :mod:`residency.jury.panels`, commit once. The
jury of a call is hidden from whoever may not see it (``jury.view``: an artist, a coordinator of
another city): 404, exactly as a missing id; a member of the panel who does not run it gets 403.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from residency.accounts.models import User
from residency.calls.models import Call
from residency.core.errors import ActionRefused
from residency.core.forms import show_refusal
from residency.core.i18n import language_name
from residency.core.permissions import can, require
from residency.core.types import utcnow
from residency.extensions import db
from residency.jury import invitations, panels
from residency.jury.blueprint import bp
from residency.jury.models import MemberRole, MemberStatus
from residency.jury.policies import active_member


class InviteForm(FlaskForm):
    email = StringField(_l("E-mail address"), validators=[DataRequired(_l("Enter an e-mail address.")), Length(max=254)])
    role = RadioField(_l("Role"), choices=[SelectChoice(MemberRole.JUROR, _l("Juror")),
                                           SelectChoice(MemberRole.CHAIR, _l("Jury chair"))],
                      default=MemberRole.JUROR, validators=[DataRequired(_l("Choose juror or chair."))])
    language = SelectField(_l("Language of the invitation"), validate_choice=False)

    def fill_choices(self, languages, default):
        self.language.choices = [SelectChoice(code, language_name(code)) for code in languages]
        if not self.language.data:
            self.language.data = default


class MemberForm(FlaskForm):
    max_load = IntegerField(_l("Most applications per round (cap)"), validators=[
        Optional(), NumberRange(min=1, max=panels.MAX_LOAD_LIMIT, message=_l("Enter a whole number from 1 to %(max)d.",
                                                                           max=panels.MAX_LOAD_LIMIT))])
    expertise = StringField(_l("Expertise"), validators=[Length(max=1000)])


class AnswerForm(FlaskForm):
    message = TextAreaField(_l("Message to the coordinator (optional)"),
                            validators=[Optional(), Length(max=panels.MESSAGE_MAX_LENGTH)])
    answer = StringField()  # the pressed button: "accept" or "decline"


class StepDownForm(FlaskForm):
    message = TextAreaField(_l("Message to the coordinator (optional)"),
                            validators=[Optional(), Length(max=panels.MESSAGE_MAX_LENGTH)])


class SettingsForm(FlaskForm):
    same_city_conflicts = BooleanField(_l("A juror living in the applicant's city is in conflict with the application"))
    applicant_feedback = BooleanField(_l("Send applicants the feedback jurors wrote for them with the decision"))


class ConfirmForm(FlaskForm):
    """A confirmation button and its CSRF token."""


def me():
    return current_user._get_current_object()


def managed_call(call_id):
    """The call whose jury the viewer runs.

    :raise 404: no such call, or one whose jury the viewer may not see (exactly as if it did not exist).
    :raise 403: a member of the panel, who sees the jury but does not run it.
    """
    call = db.session.get(Call, call_id)
    if call is None or not can(current_user, "jury.view", call):
        abort(404)
    require("jury.manage", call)
    return call


def _member_or_404(call, member_id):
    member = panels.get_member(call, member_id)
    if member is None:
        abort(404)
    return member


def _panel_page(call, form, status=200):
    members = panels.members_of(call)
    return render_template(
        "jury/panel.html", call=call, form=form, members=members, now=utcnow(), confirm=ConfirmForm(),
        active=[m for m in members if m.status == MemberStatus.ACTIVE], chair=panels.chair_of(call),
        role_labels=panels.ROLE_LABELS, status_labels=panels.STATUS_LABELS, display_name=panels.display_name,
    ), status


def _invite_form():
    from flask import current_app
    from flask_babel import get_locale

    form = InviteForm()
    form.fill_choices(current_app.config["LANGUAGES"], str(get_locale()))
    return form


@bp.route("/manage/calls/<int:call_id>/jury/")
@login_required
def panel(call_id):
    """The call's panel with each member's status, and the invitation form."""
    call = managed_call(call_id)
    return _panel_page(call, _invite_form())


@bp.route("/manage/calls/<int:call_id>/jury/invite", methods=["POST"])
@login_required
def invite(call_id):
    """Invite a juror or the chair by e-mail (an account's own language, else the one chosen)."""
    call = managed_call(call_id)
    form = _invite_form()
    if not form.validate_on_submit():
        return _panel_page(call, form, 400)
    try:
        member, _token = invitations.invite_member(me(), call, form.email.data, form.role.data, form.language.data)
    except ActionRefused as refusal:
        db.session.rollback()
        show_refusal(form, refusal)
        return _panel_page(call, form, refusal.status)
    db.session.commit()
    flash(_("We sent an invitation to %(email)s. They appear on the panel once they accept.", email=member.email),
          "success")
    return redirect(url_for("jury.panel", call_id=call.id))


@bp.route("/manage/calls/<int:call_id>/jury/members/<int:member_id>", methods=["GET", "POST"])
@login_required
def member(call_id, member_id):
    """A member's status, answer and message; their cap and expertise tags."""
    call = managed_call(call_id)
    member = _member_or_404(call, member_id)
    form = MemberForm()
    status = 200
    if request.method == "GET":
        form.max_load.data = member.max_load
        form.expertise.data = ", ".join(member.expertise or [])
    elif form.validate_on_submit():
        try:
            panels.update_member(me(), member, form.max_load.data, form.expertise.data or "")
        except ActionRefused as refusal:
            db.session.rollback()
            show_refusal(form, refusal)
            status = refusal.status
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("jury.panel", call_id=call.id))
    else:
        status = 400
    return render_template("jury/panel_member.html", call=call, member=member, form=form, now=utcnow(),
                           role_labels=panels.ROLE_LABELS, status_labels=panels.STATUS_LABELS,
                           display_name=panels.display_name), status


@bp.route("/manage/calls/<int:call_id>/jury/members/<int:member_id>/resend", methods=["POST"])
@login_required
def resend_invitation(call_id, member_id):
    """A new invitation link (the previous one stops working)."""
    call = managed_call(call_id)
    member = _member_or_404(call, member_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        invitations.resend_invitation(me(), member)
    except ActionRefused as refusal:
        db.session.rollback()
        flash(str(refusal.message), "error")
        return redirect(url_for("jury.panel", call_id=call.id), 303)
    db.session.commit()
    flash(_("We sent the invitation to %(email)s again, with a new link.", email=member.email), "success")
    return redirect(url_for("jury.panel", call_id=call.id))


@bp.route("/manage/calls/<int:call_id>/jury/members/<int:member_id>/remove", methods=["GET", "POST"])
@login_required
def remove_member(call_id, member_id):
    """A confirmation page, then the removal (or the invitation withdrawn)."""
    call = managed_call(call_id)
    member = _member_or_404(call, member_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            panels.remove_member(me(), member)
        except ActionRefused as refusal:
            db.session.rollback()
            flash(str(refusal.message), "error")
            return redirect(url_for("jury.panel", call_id=call.id), 303)
        db.session.commit()
        flash(_("%(name)s is no longer on the panel.", name=panels.display_name(member)), "success")
        return redirect(url_for("jury.panel", call_id=call.id))
    return render_template("jury/panel_remove.html", call=call, member=member, form=form,
                           role_labels=panels.ROLE_LABELS, display_name=panels.display_name)


@bp.route("/manage/calls/<int:call_id>/jury/settings", methods=["GET", "POST"])
@login_required
def settings(call_id):
    """The jury's settings of the call (same-city conflicts, feedback sent to applicants)."""
    call = managed_call(call_id)
    current = panels.jury_settings(call)
    form = SettingsForm()
    if request.method == "GET":
        form.same_city_conflicts.data = current.same_city_conflicts
        form.applicant_feedback.data = current.applicant_feedback
    elif form.validate_on_submit():
        panels.update_settings(me(), call, form.same_city_conflicts.data,
                               applicant_feedback=form.applicant_feedback.data)
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("jury.settings", call_id=call.id))
    else:
        return render_template("jury/panel_settings.html", call=call, form=form), 400
    return render_template("jury/panel_settings.html", call=call, form=form)


# --- The invitee ---------------------------------------------------------------------------------

@bp.route("/jury/invitations/<token>", methods=["GET", "POST"])
def invitation(token):
    """The invitation: accept (logged in with the invited address) or decline (the link is enough)."""
    try:
        member = invitations.open_invitation(token)
    except ActionRefused as refusal:
        return render_template("jury/panel_invitation.html", member=None, error=refusal.message), refusal.status
    form = AnswerForm()
    user = me() if current_user.is_authenticated else None
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            status = 400
        else:
            try:
                if form.answer.data == "accept":
                    if user is None:
                        raise ActionRefused(_l("Log in with the invited address to accept."), status=403)
                    invitations.accept_invitation(user, token)
                elif form.answer.data == "decline":
                    invitations.decline_invitation(user, token, form.message.data)
                else:
                    abort(400)
            except ActionRefused as refusal:
                db.session.rollback()
                show_refusal(form, refusal)
                status = refusal.status
            else:
                db.session.commit()
                call_id = member.call_id
                if form.answer.data == "accept":
                    flash(_("Welcome to the jury. Thank you for accepting."), "success")
                    return redirect(url_for("jury.membership", call_id=call_id))
                flash(_("Your answer was sent. Thank you for letting us know."), "success")
                return redirect(url_for("core.home"))
    return render_template(
        "jury/panel_invitation.html", member=member, call=member.call, form=form, token=token,
        inviter=db.session.get(User, member.invited_by_id) if member.invited_by_id else None,
        is_invitee=invitations.is_invitee(member, user), role_labels=panels.ROLE_LABELS,
    ), status


# --- A member's own page -------------------------------------------------------------------------

def _own_membership(call_id):
    """The viewer's active membership of the call's panel. :raise 404: none (as if no such page)."""
    call = db.session.get(Call, call_id)
    if call is None or not can(current_user, "jury.sit", call):
        abort(404)
    return call, active_member(current_user, call)


@bp.route("/jury/calls/<int:call_id>/membership")
@login_required
def membership(call_id):
    """The member's place on the panel: role, cap, expertise, and the way to step down."""
    call, member = _own_membership(call_id)
    return render_template("jury/panel_membership.html", call=call, member=member,
                           role_labels=panels.ROLE_LABELS, display_name=panels.display_name)


@bp.route("/jury/calls/<int:call_id>/step-down", methods=["GET", "POST"])
@login_required
def step_down(call_id):
    """A confirmation page with an optional message, then the member leaves the panel."""
    call, member = _own_membership(call_id)
    form = StepDownForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                panels.step_down(me(), call, form.message.data)
            except ActionRefused as refusal:
                db.session.rollback()
                show_refusal(form, refusal)
                status = refusal.status
            else:
                db.session.commit()
                flash(_("You have left the jury of this call. Thank you for your time."), "success")
                return redirect(url_for("core.home"))
        else:
            status = 400
    return render_template("jury/panel_step_down.html", call=call, member=member, form=form,
                           role_labels=panels.ROLE_LABELS), status
