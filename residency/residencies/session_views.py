"""Scheduling a residency's sessions (times entered in the residency's timezone), changing and
cancelling them, and one session's calendar file."""

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from residency.core.errors import ActionRefused
from residency.core.forms import show_refusal
from residency.extensions import db, limiter
from residency.residencies import labels, scheduling
from residency.residencies.blueprint import bp
from residency.residencies.calendar import ics_document
from residency.residencies.forms import ConfirmForm, SessionForm
from residency.residencies.loading import found, me, visible_residency
from residency.residencies.zones import local


def _write_limit():
    return current_app.config.get("RATELIMIT_RESIDENCY_WRITES", "120 per hour")


def _session_page(residency, form, session=None, status=200):
    return render_template("residencies/session_form.html", residency=residency, form=form, session=session,
                           kind_labels=labels.KIND_LABELS), status


def _show_notes(notes):
    for note in notes:
        flash(str(note), "info")


@bp.route("/residencies/<int:residency_id>/sessions/new", methods=["GET", "POST"])
@login_required
@limiter.limit(_write_limit, methods=["POST"])
def new_session(residency_id):
    """Schedule a talk, studio visit or critique; the other participants are told."""
    residency = visible_residency(residency_id, "residencies.schedule")
    form = SessionForm()
    if form.validate_on_submit():
        try:
            session, notes = scheduling.schedule_session(
                me(), residency, form.kind.data, form.title.data, form.description.data, form.location.data,
                form.starts_at.data, form.ends_at.data)
        except ActionRefused as refusal:
            db.session.rollback()
            show_refusal(form, refusal)
            return _session_page(residency, form, status=refusal.status)
        db.session.commit()
        _show_notes(notes)
        flash(_("The session “%(title)s” is scheduled and the participants are told.", title=session.title),
              "success")
        return redirect(url_for("residencies.residency", residency_id=residency.id, _anchor="sessions"))
    return _session_page(residency, form, status=400 if form.errors else 200)


@bp.route("/residencies/<int:residency_id>/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
@limiter.limit(_write_limit, methods=["POST"])
def edit_session(residency_id, session_id):
    """Change a session; the participants are told when its time, place, title or kind changed."""
    residency = visible_residency(residency_id, "residencies.schedule")
    session = found(scheduling.get_session(residency, session_id))
    form = SessionForm(obj=None if request.method == "POST" else session)
    if not form.is_submitted():
        form.starts_at.data = local(session.starts_at, residency.timezone).replace(tzinfo=None)
        form.ends_at.data = local(session.ends_at, residency.timezone).replace(tzinfo=None)
    if form.validate_on_submit():
        try:
            changed, notes = scheduling.change_session(
                me(), session, form.kind.data, form.title.data, form.description.data, form.location.data,
                form.starts_at.data, form.ends_at.data)
        except ActionRefused as refusal:
            db.session.rollback()
            show_refusal(form, refusal)
            return _session_page(residency, form, session, refusal.status)
        db.session.commit()
        _show_notes(notes)
        flash(_("The session is changed and the participants are told.") if changed else _("Nothing changed."),
              "success")
        return redirect(url_for("residencies.residency", residency_id=residency.id, _anchor="sessions"))
    return _session_page(residency, form, session, 400 if form.errors else 200)


@bp.route("/residencies/<int:residency_id>/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_session(residency_id, session_id):
    """Cancel a session (after confirming); it stays listed as cancelled and calendars drop it."""
    residency = visible_residency(residency_id, "residencies.schedule")
    session = found(scheduling.get_session(residency, session_id))
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            scheduling.cancel_session(me(), session)
        except ActionRefused as refusal:
            db.session.rollback()
            flash(str(refusal.message), "error")
        else:
            db.session.commit()
            flash(_("The session is cancelled and the participants are told."), "success")
        return redirect(url_for("residencies.residency", residency_id=residency.id, _anchor="sessions"))
    return render_template("residencies/cancel_session.html", residency=residency, session=session, form=form,
                           kind_labels=labels.KIND_LABELS), 400 if form.errors else 200


@bp.route("/residencies/<int:residency_id>/sessions/<int:session_id>.ics")
@login_required
def session_ics(residency_id, session_id):
    """One session as an iCalendar file to add to one's calendar (a download)."""
    residency = visible_residency(residency_id)
    session = found(scheduling.get_session(residency, session_id))
    body = ics_document(residency, [session])
    return ics_response(body, f"session-{session.id}.ics")


def ics_response(body, filename, attachment=True):
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    disposition = "attachment" if attachment else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response

