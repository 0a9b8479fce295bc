"""The residency's people: the coordinators' page to add, re-role and remove participants, each
participant's page (profile and works, seen by the others), and leaving a residency."""

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required

from residency.applications.models import ArtistProfile
from residency.core.errors import ActionRefused
from residency.core.forms import show_refusal
from residency.core.permissions import can
from residency.extensions import db, limiter
from residency.media.models import Work
from residency.residencies import labels, operations
from residency.residencies.access import participation
from residency.residencies.blueprint import bp
from residency.residencies.forms import AddParticipantForm, ConfirmForm, RoleForm
from residency.residencies.loading import found, me, visible_residency

#: The most works shown on a participant's page.
MAX_WORKS = 24


def _participants_page(residency, form, status=200):
    return render_template(
        "residencies/participants.html", residency=residency, form=form,
        people=operations.participants_of(residency, include_left=True), role_form=RoleForm(),
        role_labels=labels.ROLE_LABELS,
    ), status


def _write_limit():
    return current_app.config.get("RATELIMIT_RESIDENCY_WRITES", "120 per hour")


@bp.route("/residencies/<int:residency_id>/participants", methods=["GET", "POST"])
@login_required
@limiter.limit(_write_limit, methods=["POST"])
def participants(residency_id):
    """Everyone who is or was in the residency, and the form adding someone by their account's
    e-mail address as artist, mentor or coordinator."""
    residency = visible_residency(residency_id, "residencies.manage")
    form = AddParticipantForm()
    if form.validate_on_submit():
        try:
            participant = operations.add_participant(me(), residency, form.email.data, form.role.data)
        except ActionRefused as refusal:
            db.session.rollback()
            show_refusal(form, refusal)
            return _participants_page(residency, form, refusal.status)
        db.session.commit()
        flash(_("%(name)s is added to the residency and told by e-mail.", name=participant.user.display_name),
              "success")
        return redirect(url_for("residencies.participants", residency_id=residency.id))
    return _participants_page(residency, form, 400 if form.errors else 200)


@bp.route("/residencies/<int:residency_id>/participants/<int:participant_id>/role", methods=["POST"])
@login_required
def change_role(residency_id, participant_id):
    """Make a participant an artist, a mentor or a coordinator of the residency."""
    residency = visible_residency(residency_id, "residencies.manage")
    participant = found(operations.get_participant(residency, participant_id))
    form = RoleForm()
    if not form.validate_on_submit():
        return _participants_page(residency, AddParticipantForm(formdata=None), 400)
    try:
        operations.change_role(me(), residency, participant, form.role.data)
    except ActionRefused as refusal:
        db.session.rollback()
        flash(str(refusal.message), "error")
        return _participants_page(residency, AddParticipantForm(formdata=None), refusal.status)
    db.session.commit()
    flash(_("%(name)s's role is saved.", name=participant.user.display_name), "success")
    return redirect(url_for("residencies.participants", residency_id=residency.id))


@bp.route("/residencies/<int:residency_id>/participants/<int:participant_id>/remove", methods=["GET", "POST"])
@login_required
def remove(residency_id, participant_id):
    """Remove a participant (after confirming): they lose access to the residency, its room and
    their calendar feed."""
    residency = visible_residency(residency_id, "residencies.manage")
    participant = found(operations.get_participant(residency, participant_id))
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            operations.remove_participant(me(), residency, participant)
        except ActionRefused as refusal:
            db.session.rollback()
            flash(str(refusal.message), "error")
        else:
            db.session.commit()
            operations.announce_left(residency, participant.user_id)
            flash(_("%(name)s no longer takes part in the residency.", name=participant.user.display_name), "success")
        return redirect(url_for("residencies.participants", residency_id=residency.id))
    return render_template("residencies/remove.html", residency=residency, participant=participant, form=form,
                           role_labels=labels.ROLE_LABELS), 400 if form.errors else 200


@bp.route("/residencies/<int:residency_id>/leave", methods=["GET", "POST"])
@login_required
def leave(residency_id):
    """A participant leaves the residency on their own (after confirming).

    :raise 404: the viewer does not take part in it (a coordinator who only runs it has nothing
        to leave).
    """
    residency = visible_residency(residency_id)
    participant = found(participation(me(), residency.id))
    form = ConfirmForm()
    if form.validate_on_submit():
        operations.remove_participant(me(), residency, participant)
        db.session.commit()
        operations.announce_left(residency, participant.user_id)
        flash(_("You left the residency “%(title)s”.", title=residency.title), "success")
        return redirect(url_for("residencies.index"))
    return render_template("residencies/leave.html", residency=residency, form=form), 400 if form.errors else 200


def portfolio_of(user):
    """The artist's profile (or None) and the works they chose for their portfolio, in their order."""
    profile = db.session.get(ArtistProfile, user.id)
    ids = [work_id for work_id in (profile.portfolio_work_ids or []) if isinstance(work_id, int)][:MAX_WORKS] \
        if profile else []
    works = {work.id: work for work in db.session.execute(
        db.select(Work).where(Work.id.in_(ids), Work.owner_id == user.id)).scalars()} if ids else {}
    return profile, [works[work_id] for work_id in ids if work_id in works]


@bp.route("/residencies/<int:residency_id>/participants/<int:participant_id>")
@login_required
def person(residency_id, participant_id):
    """A participant's page for the others in the residency: their profile and portfolio works.

    :raise 404: someone not (or no longer) in this residency, or a residency the viewer may not see.
    """
    residency = visible_residency(residency_id)
    participant = found(operations.get_participant(residency, participant_id))
    if participant.left_at is not None and not can(me(), "residencies.manage", residency):
        return found(None)
    profile, works = portfolio_of(participant.user)
    return render_template(
        "residencies/person.html", residency=residency, participant=participant, profile=profile, works=works,
        role_labels=labels.ROLE_LABELS, locale=str(get_locale()),
    )
