"""The call editor's rubric: the criteria the jury scores applications on."""

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import login_required

from residency.calls import forms, operations
from residency.calls.blueprint import bp
from residency.calls.editor import call_to_edit, done, list_action, me, page_status, refused
from residency.core.errors import ActionRefused


def _rubric(call, form=None, status=200):
    return render_template("calls/manage/rubric.html", call=call, form=form or forms.CriterionForm(formdata=None),
                           move=forms.MoveForm(formdata=None)), status


@bp.route("/manage/calls/<int:call_id>/rubric", methods=["GET", "POST"])
@login_required
def rubric(call_id):
    """The scoring criteria; POST adds one."""
    call = call_to_edit(call_id)
    if request.method == "GET":
        return _rubric(call)
    form = forms.CriterionForm()
    if form.validate_on_submit():
        try:
            operations.add_criterion(me(), call, form.spec())
        except ActionRefused as refusal:
            return _rubric(call, form, refused(form, refusal))
        return done(_("The criterion is added."), "calls.rubric", call)
    return _rubric(call, form, 400)


@bp.route("/manage/calls/<int:call_id>/rubric/<criterion_id>", methods=["GET", "POST"])
@login_required
def edit_criterion(call_id, criterion_id):
    call = call_to_edit(call_id)
    criterion = next((c for c in call.rubric or [] if c["id"] == criterion_id), None) or abort(404)
    form = forms.CriterionForm()
    if request.method == "GET":
        form.load(criterion, call.main_language)
    status = 200
    if form.validate_on_submit():
        try:
            operations.edit_criterion(me(), call, criterion_id, form.spec())
        except ActionRefused as refusal:
            status = refused(form, refusal)
        else:
            return done(_("The criterion is saved."), "calls.rubric", call)
    return render_template("calls/manage/criterion.html", call=call, criterion=criterion, form=form), \
        page_status(form, status)


@bp.route("/manage/calls/<int:call_id>/rubric/<criterion_id>/remove", methods=["POST"])
@login_required
def remove_criterion(call_id, criterion_id):
    call = call_to_edit(call_id)
    return list_action(call, lambda _direction: operations.remove_criterion(me(), call, criterion_id),
                       _("The criterion is removed."), "calls.rubric")


@bp.route("/manage/calls/<int:call_id>/rubric/<criterion_id>/move", methods=["POST"])
@login_required
def move_criterion(call_id, criterion_id):
    call = call_to_edit(call_id)
    return list_action(call, lambda direction: operations.move_criterion(me(), call, criterion_id, direction),
                       _("The criterion has moved."), "calls.rubric")
