"""The coordinators' call editor under /manage/calls: what its pages share.

Its pages hang from the calls blueprint by job: the calls one runs, creating a call, its details
and translations (:mod:`.editor_details`); its application form and preview (:mod:`.editor_form`);
its rubric (:mod:`.editor_rubric`); its overview, timeline, publishing and state moves
(:mod:`.editor_timeline`). Each is thin: parse a form, call an operation, commit.

Every page checks the call it touches (:func:`call_to_edit`): a draft of another city is 404, a
published one 403.
"""

from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from residency.calls import forms
from residency.calls.models import Call
from residency.cities.models import City
from residency.core.errors import ActionRefused
from residency.core.forms import show_refusal
from residency.core.i18n import language_name
from residency.core.permissions import can, require
from residency.extensions import db


def me():
    """The signed-in user (the object, not the proxy)."""
    return current_user._get_current_object()


def call_to_edit(call_id):
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


def refused(form, refusal):
    """Roll back and show each problem next to its field (or at the top when it has none)."""
    db.session.rollback()
    for field, message in getattr(refusal, "problems", [(refusal.field, refusal.message)]):
        show_refusal(form, ActionRefused(message, field=field))
    return refusal.status


def page_status(form, status):
    """The page's status: the refusal's own (409 for a harmful change), else 400 when the form has errors."""
    return 400 if form.errors and status == 200 else status


def done(message, endpoint, call, **values):
    """Commit, say ``message`` and go to ``endpoint`` of the call."""
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(endpoint, call_id=call.id, **values))


def cities():
    """The network's cities, by name (the choices of a call's owner and eligible cities)."""
    return db.session.execute(db.select(City).order_by(City.name)).scalars().all()


def other_languages(call):
    """``[(code, name)]`` of the languages the call can be translated into."""
    return [(code, language_name(code)) for code in current_app.config["LANGUAGES"] if code != call.main_language]


def list_action(call, action, message, endpoint):
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
    return done(message, endpoint, call)
