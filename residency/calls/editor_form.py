"""The call editor's form builder: the questions of the application form, its eligibility
questions, and a preview of the form as an artist will see it."""

from flask import abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import login_required

from residency.calls import forms, operations
from residency.calls.blueprint import bp
from residency.calls.editor import call_to_edit, done, list_action, me, page_status, refused
from residency.core.errors import ActionRefused
from residency.core.i18n import language_name


def _builder(call, question_form=None, condition_form=None, status=200):
    question_form = question_form or forms.QuestionForm(formdata=None)
    question_form.fill_choices()
    return render_template(
        "calls/manage/form.html", call=call, question_form=question_form,
        condition_form=condition_form or forms.ConditionForm(formdata=None, prefix="condition"), move=forms.MoveForm(formdata=None),
        confirm=forms.ConfirmForm(formdata=None), live=operations.is_live(call),
    ), status


@bp.route("/manage/calls/<int:call_id>/form")
@login_required
def form_builder(call_id):
    return _builder(call_to_edit(call_id))


@bp.route("/manage/calls/<int:call_id>/form/questions", methods=["POST"])
@login_required
def add_question(call_id):
    call = call_to_edit(call_id)
    form = forms.QuestionForm()
    form.fill_choices()
    if form.validate_on_submit():
        try:
            question = operations.add_question(me(), call, form.spec())
        except ActionRefused as refusal:
            return _builder(call, question_form=form, status=refused(form, refusal))
        return done(_("The question “%(label)s” is added.", label=form.label.data), "calls.form_builder", call,
                    _anchor=question["id"])
    return _builder(call, question_form=form, status=400)


@bp.route("/manage/calls/<int:call_id>/form/questions/<question_id>", methods=["GET", "POST"])
@login_required
def edit_question(call_id, question_id):
    call = call_to_edit(call_id)
    question = call.question(question_id) or abort(404)
    form = forms.QuestionForm()
    form.fill_choices()
    if request.method == "GET":
        form.load(question, call.main_language)
    status = 200
    if form.validate_on_submit():
        try:
            operations.edit_question(me(), call, question_id, form.spec())
        except ActionRefused as refusal:
            status = refused(form, refusal)
        else:
            return done(_("The question is saved."), "calls.form_builder", call, _anchor=question_id)
    return render_template("calls/manage/question.html", call=call, question=question, form=form), \
        page_status(form, status)


@bp.route("/manage/calls/<int:call_id>/form/questions/<question_id>/remove", methods=["POST"])
@login_required
def remove_question(call_id, question_id):
    call = call_to_edit(call_id)
    return list_action(call, lambda _direction: operations.remove_question(me(), call, question_id),
                       _("The question is removed."), "calls.form_builder")


@bp.route("/manage/calls/<int:call_id>/form/questions/<question_id>/move", methods=["POST"])
@login_required
def move_question(call_id, question_id):
    call = call_to_edit(call_id)
    return list_action(call, lambda direction: operations.move_question(me(), call, question_id, direction),
                       _("The question has moved."), "calls.form_builder")


@bp.route("/manage/calls/<int:call_id>/form/conditions", methods=["POST"])
@login_required
def add_condition(call_id):
    call = call_to_edit(call_id)
    form = forms.ConditionForm(prefix="condition")  # its fields share the page with the question form's
    if form.validate_on_submit():
        try:
            operations.add_condition(me(), call, form.spec())
        except ActionRefused as refusal:
            return _builder(call, condition_form=form, status=refused(form, refusal))
        return done(_("The eligibility question is added."), "calls.form_builder", call, _anchor="eligibility")
    return _builder(call, condition_form=form, status=400)


@bp.route("/manage/calls/<int:call_id>/form/conditions/<condition_id>/remove", methods=["POST"])
@login_required
def remove_condition(call_id, condition_id):
    call = call_to_edit(call_id)
    return list_action(call, lambda _direction: operations.remove_condition(me(), call, condition_id),
                       _("The eligibility question is removed."), "calls.form_builder")


@bp.route("/manage/calls/<int:call_id>/preview")
@login_required
def preview(call_id):
    """The application form as an artist will see it, read-only, in a chosen language."""
    call = call_to_edit(call_id)
    lang = request.args.get("lang")
    if lang not in current_app.config["LANGUAGES"]:
        lang = call.main_language
    return render_template("calls/manage/preview.html", call=call, lang=lang,
                           languages=[(code, language_name(code)) for code in current_app.config["LANGUAGES"]])
