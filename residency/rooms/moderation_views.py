"""Coordinators mute and unmute a participant in the residency's rooms (audited). Removing a
message is the delete page of :mod:`residency.rooms.views`."""

from datetime import timedelta

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from residency.core.types import utcnow
from residency.extensions import db
from residency.residencies.access import participant_user_ids
from residency.rooms import access, moderation
from residency.rooms.blueprint import bp
from residency.rooms.events import RoomError
from residency.rooms.forms import MuteForm
from residency.rooms.views import _people, _room


@bp.route("/rooms/<int:room_id>/mutes", methods=["POST"])
@login_required
def mute(room_id):
    """Mute a participant of the room's residency for a while, or until lifted."""
    room = _room(room_id, "rooms.moderate")
    residency = access.residency_of(room)
    form = MuteForm()
    form.user.choices = [SelectChoice(user.id, user.display_name) for user in _people(residency, exclude=current_user.id)]
    if not form.validate_on_submit():
        flash(_("Choose a participant and how long."), "error")
        return redirect(url_for("rooms.room", room_id=room.id))
    until = utcnow() + timedelta(hours=form.hours.data) if form.hours.data else None
    try:
        moderation.mute(residency, form.user.data, current_user, until)
    except RoomError as refusal:
        flash(refusal.message, "error")
        return redirect(url_for("rooms.room", room_id=room.id))
    db.session.commit()
    flash(_("The participant is muted in this residency's rooms."), "success")
    return redirect(url_for("rooms.room", room_id=room.id))


@bp.route("/rooms/<int:room_id>/mutes/<int:user_id>/lift", methods=["POST"])
@login_required
def unmute(room_id, user_id):
    room = _room(room_id, "rooms.moderate")
    if user_id not in participant_user_ids(room.residency_id):
        abort(404)
    moderation.unmute(access.residency_of(room), user_id, current_user)
    db.session.commit()
    flash(_("The participant can write again."), "success")
    return redirect(url_for("rooms.room", room_id=room.id))
