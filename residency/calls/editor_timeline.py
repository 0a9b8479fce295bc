"""The call editor's overview of a call, its timeline, publishing and the state moves."""

from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from residency.calls import forms, operations
from residency.calls.blueprint import bp
from residency.calls.editor import call_to_edit, done, me, other_languages, page_status, refused
from residency.calls.models import CallState
from residency.calls.states import STATE_LABELS, can_move
from residency.core.errors import ActionRefused
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


@bp.route("/manage/calls/<int:call_id>/")
@login_required
def overview(call_id):
    call = call_to_edit(call_id)
    moves = [target for target in operations.MANUAL_TARGETS if can_move(call, target)]
    return render_template("calls/manage/overview.html", call=call, moves=moves, move_labels=MOVE_LABELS,
                           confirm=forms.ConfirmForm(), languages=other_languages(call))


@bp.route("/manage/calls/<int:call_id>/timeline", methods=["GET", "POST"])
@login_required
def timeline(call_id):
    """Opening and closing entered in the call's timezone; shown there, in UTC and in the viewer's zone."""
    call = call_to_edit(call_id)
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
            notes = operations.set_timeline(me(), call, form.opens_at.data, form.closes_at.data, form.timezone.data)
        except ActionRefused as refusal:
            status = refused(form, refusal)
        else:
            for note in notes:
                flash(str(note), "info")
            return done(_("The timeline is saved."), "calls.timeline", call)
    return render_template("calls/manage/timeline.html", call=call, form=form), \
        page_status(form, status)


@bp.route("/manage/calls/<int:call_id>/publish", methods=["GET", "POST"])
@login_required
def publish(call_id):
    """A confirmation page, then publishing (opening at once when the opening time has passed)."""
    call = call_to_edit(call_id)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        try:
            operations.publish(me(), call)
        except ActionRefused as refusal:
            db.session.rollback()
            for _field, message in getattr(refusal, "problems", [(None, refusal.message)]):
                flash(str(message), "error")
            return render_template("calls/manage/confirm.html", call=call, form=form, target=None), refusal.status
        return done(_("The call is published and open.") if call.state == CallState.OPEN
                    else _("The call is published; it opens by itself at its opening time."), "calls.overview", call)
    return render_template("calls/manage/confirm.html", call=call, form=form, target=None, now=utcnow())


@bp.route("/manage/calls/<int:call_id>/move/<target>", methods=["GET", "POST"])
@login_required
def move(call_id, target):
    """A confirmation page, then the move (close early, start review, decided, archived)."""
    call = call_to_edit(call_id)
    if target not in operations.MANUAL_TARGETS:
        abort(404)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        try:
            operations.move_call(me(), call, target)
        except ActionRefused as refusal:
            db.session.rollback()
            flash(str(refusal.message), "error")
            return redirect(url_for("calls.overview", call_id=call.id))
        return done(_("The call is now “%(state)s”.", state=STATE_LABELS[target]), "calls.overview", call)
    return render_template("calls/manage/confirm.html", call=call, form=form, target=target,
                           label=MOVE_LABELS[target], consequence=MOVE_CONSEQUENCES[target])
