"""The call editor's pages for the calls one runs, creating a call, its details and translations."""

from flask import abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy.orm import joinedload

from residency.calls import forms, operations
from residency.calls.blueprint import bp
from residency.calls.editor import call_to_edit, cities, done, me, other_languages, page_status, refused
from residency.calls.models import Call
from residency.calls.views import coordinated_cities
from residency.cities.models import City
from residency.core.errors import ActionRefused
from residency.core.i18n import language_name
from residency.core.ids import parse_id
from residency.core.permissions import can, has_role, is_network_admin, require
from residency.extensions import db


@bp.route("/manage/calls/")
@login_required
def my_calls():
    """The calls the user runs: their cities' calls; every call for network coordinators and admins."""
    user = me()
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
    user = me()
    owners = _owner_choices(user)
    if not owners:
        abort(403)
    form = forms.CallForm()
    form.fill_choices(cities(), owners)
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
            status = refused(form, refusal)
        else:
            return done(_("The call is saved as a draft. Now add its form, rubric and timeline."), "calls.overview", call)
    return render_template("calls/manage/details.html", form=form, call=None,
                           network_option=any(value == "network" for value, _label in owners)), \
        page_status(form, status)


@bp.route("/manage/calls/<int:call_id>/details", methods=["GET", "POST"])
@login_required
def edit_details(call_id):
    call = call_to_edit(call_id)
    form = forms.CallForm()
    form.fill_choices(cities())
    if request.method == "GET":
        form.load(call)
    if call.published_at is not None and request.method == "POST":
        form.main_language.data = call.main_language
    status = 200
    if form.validate_on_submit():
        try:
            operations.update_details(me(), call, form.details())
        except ActionRefused as refusal:
            status = refused(form, refusal)
        else:
            return done(_("The details are saved."), "calls.overview", call)
    return render_template("calls/manage/details.html", form=form, call=call), page_status(form, status)


@bp.route("/manage/calls/<int:call_id>/translations/<lang>", methods=["GET", "POST"])
@login_required
def translations(call_id, lang):
    call = call_to_edit(call_id)
    if lang not in current_app.config["LANGUAGES"] or lang == call.main_language:
        abort(404)
    form, sections = forms.translation_form(call, lang)
    status = 200
    if form.validate_on_submit():
        texts, labels = forms.translation_values(form)
        try:
            operations.update_translation(me(), call, lang, texts, labels)
        except ActionRefused as refusal:
            status = refused(form, refusal)
            form, sections = _keep_input(call, lang, form)
        else:
            return done(_("The %(language)s texts are saved.", language=language_name(lang)), "calls.overview", call)
    return render_template("calls/manage/translations.html", call=call, form=form, sections=sections, lang=lang,
                           language=language_name(lang), languages=other_languages(call)), status


def _keep_input(call, lang, submitted):
    """A fresh translation form (the rollback reloaded the call) holding what the user typed, with its errors."""
    form, sections = forms.translation_form(call, lang)
    for name, field in form._fields.items():
        if name in submitted._fields:
            field.data, field.errors = submitted[name].data, list(submitted[name].errors)
    return form, sections
