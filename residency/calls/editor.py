"""The coordinators' editor under /manage/calls: details, translations, form builder, rubric,
timeline, preview, publishing and state moves. Thin: parse a form, call an operation, commit.

Every page checks the call it touches: a draft of another city is 404, a published one 403.
"""

from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from residency.calls import forms, operations
from residency.calls.models import Call, CallState
from residency.calls.states import STATE_LABELS, can_move
from residency.calls.blueprint import bp
from residency.calls.views import coordinated_cities
from residency.cities.models import City
from residency.core.errors import ActionRefused
from residency.core.ids import parse_id
from residency.core.forms import show_refusal
from residency.core.i18n import language_name
from residency.core.permissions import can, has_role, is_network_admin, require
from residency.core.types import utcnow
from residency.extensions import db

MOVE_LABELS = {
    CallState.CLOSED: _l("Close the call now"),
    CallState.IN_REVIEW: _l("Start the review"),
    CallState.DECIDED: _l("Mark the call as decided"),
    CallState.ARCHIVED: _l("Archive the call"),
}
MOVE_CONSEQUENCES = {
    CallState.CLOSED: _l("No application will be accepted any more, even before the planned deadline. This cannot be undone."),
    CallState.IN_REVIEW: _l("The jury starts scoring; the rubric can no longer change."),
    CallState.DECIDED: _l("The decision is recorded; the call stays visible as decided."),
    CallState.ARCHIVED: _l("The call leaves the public list and can no longer be changed."),
}


def _me():
    return current_user._get_current_object()


def _call(call_id):
    """The call to edit. :raise 404: unknown, or a draft the user does not run (exactly as if it did
    not exist); :raise 403: a call the user sees but does not run.

    A change locks the row, so two coordinators editing the form at once cannot overwrite each other.
    The lock is taken only once the user may edit: a refused request neither waits for it nor holds it.
    """
    call = db.session.get(Call, call_id)
    if call is None or not can(current_user, "call.view", call):
        abort(404)
    require("call.edit", call)
    if request.method == "POST":
        db.session.refresh(call, with_for_update=True)
    return call


def _refused(form, refusal):
    """Roll back and show each problem next to its field (or at the top when it has none)."""
    db.session.rollback()
    for field, message in getattr(refusal, "problems", [(refusal.field, refusal.message)]):
        show_refusal(form, ActionRefused(message, field=field))
    return refusal.status


def _status(form, status):
    """The page's status: the refusal's own (409 for a harmful change), else 400 when the form has errors."""
    return 400 if form.errors and status == 200 else status


def _done(message, endpoint, call, **values):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(endpoint, call_id=call.id, **values))


def _cities():
    return db.session.execute(db.select(City).order_by(City.name)).scalars().all()


# Lists and creation -------------------------------------------------------------------------

@bp.route("/manage/calls/")
@login_required
def my_calls():
    """The calls the user runs: their cities' calls; every call for network coordinators and admins."""
    user = _me()
    query = db.select(Call).options(joinedload(Call.city)).order_by(Call.created_at.desc())
    if not (is_network_admin(user) or has_role(user, "city_coordinator", "network")):
        city_ids = [g.scope_id for g in user.grants if g.role == "city_coordinator" and g.scope_type == "city"]
        query = query.where(Call.city_id.in_(city_ids))
    calls = [call for call in db.session.execute(query).scalars() if can(user, "call.edit", call)]
    return render_template("calls/manage/list.html", calls=calls, can_create=bool(_owner_choices(user)))


def _owner_choices(user):
    choices = [(str(city.id), city.name) for city in coordinated_cities(user)]
    if can(user, "call.create", None):
        choices.insert(0, ("network", _("The whole network (network-wide call)")))
    return choices


@bp.route("/manage/calls/new", methods=["GET", "POST"])
@login_required
def new_call():
    """:raise 403: the user may create calls for no city (nor for the network), or not for the chosen owner."""
    user = _me()
    owners = _owner_choices(user)
    if not owners:
        abort(403)
    form = forms.CallForm()
    form.fill_choices(_cities(), owners)
    if request.method == "GET":
        form.main_language.data = form.main_language.data or str(user.locale or "en")
        form.places.data = 1
    status = 200
    if form.validate_on_submit():
        city = None
        if form.owner.data != "network":
            city_id = parse_id(form.owner.data)
            city = db.session.get(City, city_id) if city_id else None
            if city is None:
                abort(400)
        require("call.create", city)
        try:
            call = operations.create_call(user, city, form.details())
        except ActionRefused as refusal:
            status = _refused(form, refusal)
        else:
            return _done(_("The call is saved as a draft. Now add its form, rubric and timeline."), "calls.overview", call)
    return render_template("calls/manage/details.html", form=form, call=None,
                           network_option=any(value == "network" for value, _label in owners)), \
        _status(form, status)


@bp.route("/manage/calls/<int:call_id>/")
@login_required
def overview(call_id):
    call = _call(call_id)
    moves = [target for target in operations.MANUAL_TARGETS if can_move(call, target)]
    return render_template("calls/manage/overview.html", call=call, moves=moves, move_labels=MOVE_LABELS,
                           confirm=forms.ConfirmForm(), languages=_other_languages(call))


def _other_languages(call):
    return [(code, language_name(code)) for code in current_app.config["LANGUAGES"] if code != call.main_language]


@bp.route("/manage/calls/<int:call_id>/details", methods=["GET", "POST"])
@login_required
def edit_details(call_id):
    call = _call(call_id)
    form = forms.CallForm()
    form.fill_choices(_cities())
    if request.method == "GET":
        form.load(call)
    if call.published_at is not None and request.method == "POST":
        form.main_language.data = call.main_language
    status = 200
    if form.validate_on_submit():
        try:
            operations.update_details(_me(), call, form.details())
        except ActionRefused as refusal:
            status = _refused(form, refusal)
        else:
            return _done(_("The details are saved."), "calls.overview", call)
    return render_template("calls/manage/details.html", form=form, call=call), _status(form, status)


@bp.route("/manage/calls/<int:call_id>/translations/<lang>", methods=["GET", "POST"])
@login_required
def translations(call_id, lang):
    call = _call(call_id)
    if lang not in current_app.config["LANGUAGES"] or lang == call.main_language:
        abort(404)
    form, sections = forms.translation_form(call, lang)
    status = 200
    if form.validate_on_submit():
        texts, labels = forms.translation_values(form)
        try:
            operations.update_translation(_me(), call, lang, texts, labels)
        except ActionRefused as refusal:
            status = _refused(form, refusal)
            form, sections = _keep_input(call, lang, form)
        else:
            return _done(_("The %(language)s texts are saved.", language=language_name(lang)), "calls.overview", call)
    return render_template("calls/manage/translations.html", call=call, form=form, sections=sections, lang=lang,
                           language=language_name(lang), languages=_other_languages(call)), status


def _keep_input(call, lang, submitted):
    """A fresh translation form (the rollback reloaded the call) holding what the user typed, with its errors."""
    form, sections = forms.translation_form(call, lang)
    for name, field in form._fields.items():
        if name in submitted._fields:
            field.data, field.errors = submitted[name].data, list(submitted[name].errors)
    return form, sections


# Form builder -------------------------------------------------------------------------------

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
    return _builder(_call(call_id))


@bp.route("/manage/calls/<int:call_id>/form/questions", methods=["POST"])
@login_required
def add_question(call_id):
    call = _call(call_id)
    form = forms.QuestionForm()
    form.fill_choices()
    if form.validate_on_submit():
        try:
            question = operations.add_question(_me(), call, form.spec())
        except ActionRefused as refusal:
            return _builder(call, question_form=form, status=_refused(form, refusal))
        return _done(_("The question “%(label)s” is added.", label=form.label.data), "calls.form_builder", call,
                     _anchor=question["id"])
    return _builder(call, question_form=form, status=400)


@bp.route("/manage/calls/<int:call_id>/form/questions/<question_id>", methods=["GET", "POST"])
@login_required
def edit_question(call_id, question_id):
    call = _call(call_id)
    question = call.question(question_id) or abort(404)
    form = forms.QuestionForm()
    form.fill_choices()
    if request.method == "GET":
        form.load(question, call.main_language)
    status = 200
    if form.validate_on_submit():
        try:
            operations.edit_question(_me(), call, question_id, form.spec())
        except ActionRefused as refusal:
            status = _refused(form, refusal)
        else:
            return _done(_("The question is saved."), "calls.form_builder", call, _anchor=question_id)
    return render_template("calls/manage/question.html", call=call, question=question, form=form), \
        _status(form, status)


def _list_action(call, action, message, endpoint):
    """A remove or move button: ``action(direction)``, then back to the list (errors flashed there)."""
    form = forms.MoveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        action(form.direction.data)
    except ActionRefused as refusal:
        db.session.rollback()
        for _field, text in getattr(refusal, "problems", [(None, refusal.message)]):
            flash(str(text), "error")
        return redirect(url_for(endpoint, call_id=call.id))
    return _done(message, endpoint, call)


@bp.route("/manage/calls/<int:call_id>/form/questions/<question_id>/remove", methods=["POST"])
@login_required
def remove_question(call_id, question_id):
    call = _call(call_id)
    return _list_action(call, lambda _direction: operations.remove_question(_me(), call, question_id),
                        _("The question is removed."), "calls.form_builder")


@bp.route("/manage/calls/<int:call_id>/form/questions/<question_id>/move", methods=["POST"])
@login_required
def move_question(call_id, question_id):
    call = _call(call_id)
    return _list_action(call, lambda direction: operations.move_question(_me(), call, question_id, direction),
                        _("The question has moved."), "calls.form_builder")


@bp.route("/manage/calls/<int:call_id>/form/conditions", methods=["POST"])
@login_required
def add_condition(call_id):
    call = _call(call_id)
    form = forms.ConditionForm(prefix="condition")  # its fields share the page with the question form's
    if form.validate_on_submit():
        try:
            operations.add_condition(_me(), call, form.spec())
        except ActionRefused as refusal:
            return _builder(call, condition_form=form, status=_refused(form, refusal))
        return _done(_("The eligibility question is added."), "calls.form_builder", call, _anchor="eligibility")
    return _builder(call, condition_form=form, status=400)


@bp.route("/manage/calls/<int:call_id>/form/conditions/<condition_id>/remove", methods=["POST"])
@login_required
def remove_condition(call_id, condition_id):
    call = _call(call_id)
    return _list_action(call, lambda _direction: operations.remove_condition(_me(), call, condition_id),
                        _("The eligibility question is removed."), "calls.form_builder")


@bp.route("/manage/calls/<int:call_id>/preview")
@login_required
def preview(call_id):
    """The application form as an artist will see it, read-only, in a chosen language."""
    call = _call(call_id)
    lang = request.args.get("lang")
    if lang not in current_app.config["LANGUAGES"]:
        lang = call.main_language
    return render_template("calls/manage/preview.html", call=call, lang=lang,
                           languages=[(code, language_name(code)) for code in current_app.config["LANGUAGES"]])


# Rubric -------------------------------------------------------------------------------------

def _rubric(call, form=None, status=200):
    return render_template("calls/manage/rubric.html", call=call, form=form or forms.CriterionForm(formdata=None),
                           move=forms.MoveForm(formdata=None)), status


@bp.route("/manage/calls/<int:call_id>/rubric", methods=["GET", "POST"])
@login_required
def rubric(call_id):
    """The scoring criteria; POST adds one."""
    call = _call(call_id)
    if request.method == "GET":
        return _rubric(call)
    form = forms.CriterionForm()
    if form.validate_on_submit():
        try:
            operations.add_criterion(_me(), call, form.spec())
        except ActionRefused as refusal:
            return _rubric(call, form, _refused(form, refusal))
        return _done(_("The criterion is added."), "calls.rubric", call)
    return _rubric(call, form, 400)


@bp.route("/manage/calls/<int:call_id>/rubric/<criterion_id>", methods=["GET", "POST"])
@login_required
def edit_criterion(call_id, criterion_id):
    call = _call(call_id)
    criterion = next((c for c in call.rubric or [] if c["id"] == criterion_id), None) or abort(404)
    form = forms.CriterionForm()
    if request.method == "GET":
        form.load(criterion, call.main_language)
    status = 200
    if form.validate_on_submit():
        try:
            operations.edit_criterion(_me(), call, criterion_id, form.spec())
        except ActionRefused as refusal:
            status = _refused(form, refusal)
        else:
            return _done(_("The criterion is saved."), "calls.rubric", call)
    return render_template("calls/manage/criterion.html", call=call, criterion=criterion, form=form), \
        _status(form, status)


@bp.route("/manage/calls/<int:call_id>/rubric/<criterion_id>/remove", methods=["POST"])
@login_required
def remove_criterion(call_id, criterion_id):
    call = _call(call_id)
    return _list_action(call, lambda _direction: operations.remove_criterion(_me(), call, criterion_id),
                        _("The criterion is removed."), "calls.rubric")


@bp.route("/manage/calls/<int:call_id>/rubric/<criterion_id>/move", methods=["POST"])
@login_required
def move_criterion(call_id, criterion_id):
    call = _call(call_id)
    return _list_action(call, lambda direction: operations.move_criterion(_me(), call, criterion_id, direction),
                        _("The criterion has moved."), "calls.rubric")


# Timeline, publishing, moves ----------------------------------------------------------------

@bp.route("/manage/calls/<int:call_id>/timeline", methods=["GET", "POST"])
@login_required
def timeline(call_id):
    """Opening and closing entered in the call's timezone; shown there, in UTC and in the viewer's zone."""
    call = _call(call_id)
    form = forms.TimelineForm()
    form.fill_choices()
    if request.method == "GET":
        zone = ZoneInfo(call.timezone)
        form.timezone.data = call.timezone
        for field, instant in ((form.opens_at, call.opens_at), (form.closes_at, call.closes_at)):
            field.data = instant.astimezone(zone).replace(tzinfo=None) if instant else None
    status = 200
    if form.validate_on_submit():
        try:
            notes = operations.set_timeline(_me(), call, form.opens_at.data, form.closes_at.data, form.timezone.data)
        except ActionRefused as refusal:
            status = _refused(form, refusal)
        else:
            for note in notes:
                flash(str(note), "info")
            return _done(_("The timeline is saved."), "calls.timeline", call)
    return render_template("calls/manage/timeline.html", call=call, form=form), \
        _status(form, status)


@bp.route("/manage/calls/<int:call_id>/publish", methods=["GET", "POST"])
@login_required
def publish(call_id):
    """A confirmation page, then publishing (opening at once when the opening time has passed)."""
    call = _call(call_id)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        try:
            operations.publish(_me(), call)
        except ActionRefused as refusal:
            db.session.rollback()
            for _field, message in getattr(refusal, "problems", [(None, refusal.message)]):
                flash(str(message), "error")
            return render_template("calls/manage/confirm.html", call=call, form=form, target=None), refusal.status
        return _done(_("The call is published and open.") if call.state == CallState.OPEN
                     else _("The call is published; it opens by itself at its opening time."), "calls.overview", call)
    return render_template("calls/manage/confirm.html", call=call, form=form, target=None, now=utcnow())


@bp.route("/manage/calls/<int:call_id>/move/<target>", methods=["GET", "POST"])
@login_required
def move(call_id, target):
    """A confirmation page, then the move (close early, start review, decided, archived)."""
    call = _call(call_id)
    if target not in operations.MANUAL_TARGETS:
        abort(404)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        try:
            operations.move_call(_me(), call, target)
        except ActionRefused as refusal:
            db.session.rollback()
            flash(str(refusal.message), "error")
            return redirect(url_for("calls.overview", call_id=call.id))
        return _done(_("The call is now “%(state)s”.", state=STATE_LABELS[target]), "calls.overview", call)
    return render_template("calls/manage/confirm.html", call=call, form=form, target=target,
                           label=MOVE_LABELS[target], consequence=MOVE_CONSEQUENCES[target])
