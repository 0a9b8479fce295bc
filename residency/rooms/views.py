"""The rooms' pages. Everything works without JavaScript: a room's page shows its history a page
at a time and posts, edits and deletes with plain forms; with JavaScript the same page joins the
room live (static/js/rooms.js, docs/rooms-protocol.md).

A room or residency someone may not see answers 404 on every route and method, as a missing id.
"""

import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from residency.core.ids import parse_id
from residency.core.permissions import can
from residency.extensions import db
from residency.residencies.models import Residency
from residency.rooms import access, events, mentions, moderation, operations, rooms_ops
from residency.rooms.blueprint import bp
from residency.rooms.events import RoomError
from residency.rooms.forms import DirectForm, EditForm, GroupForm, MessageForm, MuteForm
from residency.rooms.models import RoomKind

PAGE = 50


def _residency(residency_id):
    """The residency if the user takes part in it; 404 otherwise (as a missing one)."""
    residency = db.session.get(Residency, residency_id)
    if residency is None or not can(current_user, "rooms.list", residency):
        abort(404)
    return residency


def _room(room_id, action="rooms.view"):
    """The room if the user is in it; 404 otherwise, for every route and method."""
    room = access.get_room(room_id)
    if room is None or not can(current_user, "rooms.view", room):
        abort(404)
    if action != "rooms.view" and not can(current_user, action, room):
        abort(403)
    return room


def _people(residency, exclude=None):
    from residency.residencies.models import Participant

    rows = db.session.execute(
        db.select(Participant).where(Participant.residency_id == residency.id, Participant.left_at.is_(None))
    ).scalars().all()
    people = [row.user for row in rows if row.user_id != exclude]
    return sorted(people, key=lambda user: user.display_name.casefold())


@bp.route("/residencies/<int:residency_id>/rooms")
@login_required
def rooms(residency_id):
    """The rooms of a residency the user is in, with unread counts; forms to start new ones."""
    residency = _residency(residency_id)
    rooms_ops.residency_room(residency)
    db.session.commit()
    mine = access.rooms_for(current_user, residency)
    unread = {room.id: operations.unread_count(room, current_user) for room in mine}
    mentioned = mentions.unread_mentions(current_user, [room.id for room in mine])
    people = _people(residency, exclude=current_user.id)
    group_form, direct_form = GroupForm(), DirectForm()
    group_form.members.choices = [SelectChoice(user.id, user.display_name) for user in people]
    direct_form.user.choices = [SelectChoice(user.id, user.display_name) for user in people]
    return render_template("rooms/rooms.html", residency=residency, rooms=mine, unread=unread, mentioned=mentioned,
                           title=lambda room: access.room_title(room, current_user),
                           group_form=group_form, direct_form=direct_form, people=people)


@bp.route("/residencies/<int:residency_id>/rooms", methods=["POST"])
@login_required
def create_group(residency_id):
    """Create a group room inside the residency."""
    residency = _residency(residency_id)
    if residency.archived:
        abort(403)
    form = GroupForm()
    form.members.choices = [SelectChoice(user.id, user.display_name) for user in _people(residency, exclude=current_user.id)]
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("rooms.rooms", residency_id=residency.id))
    try:
        room = rooms_ops.create_group(residency, current_user, form.name.data, form.members.data)
    except RoomError as refusal:
        flash(refusal.message, "error")
        return redirect(url_for("rooms.rooms", residency_id=residency.id))
    db.session.commit()
    return redirect(url_for("rooms.room", room_id=room.id))


@bp.route("/residencies/<int:residency_id>/rooms/direct", methods=["POST"])
@login_required
def direct(residency_id):
    """Open (or create) the direct conversation with another participant."""
    residency = _residency(residency_id)
    form = DirectForm()
    form.user.choices = [SelectChoice(user.id, user.display_name) for user in _people(residency, exclude=current_user.id)]
    if not form.validate_on_submit():
        flash(_("Choose another person taking part in the residency."), "error")
        return redirect(url_for("rooms.rooms", residency_id=residency.id))
    room = rooms_ops.direct_room(residency, current_user, form.user.data)
    db.session.commit()
    return redirect(url_for("rooms.room", room_id=room.id))


@bp.route("/rooms/<int:room_id>")
@login_required
def room(room_id):
    """A room's history, newest last, a page at a time (``?before=<number>`` for older ones)."""
    room = _room(room_id)
    before = parse_id(request.args.get("before"))
    messages, older = events.history(room, before, PAGE)
    top = events.head(room.id)
    if before is None:
        operations.mark_read(room, current_user, top)
        db.session.commit()
    form = MessageForm(client_id=uuid.uuid4().hex)
    reply_to = events.message_in_room(room, parse_id(request.args.get("reply")))
    if reply_to is not None and not reply_to.deleted:
        form.reply_to.data = reply_to.id
    else:
        reply_to = None
    residency = access.residency_of(room)
    return render_template(
        "rooms/room.html", room=room, residency=residency, title=access.room_title(room, current_user),
        messages=messages, older=older, before=before, head=top, form=form, reply_to=reply_to,
        may_post=can(current_user, "rooms.post", room), moderator=can(current_user, "rooms.moderate", room),
        muted=moderation.is_muted(room.residency_id, current_user.id), mute_form=_mute_form(room, residency),
        mutes=moderation.mutes_of(residency.id) if can(current_user, "rooms.moderate", room) else [],
        max_chars=_max_chars(), RoomKind=RoomKind)


def _max_chars():
    from flask import current_app

    return current_app.config["ROOMS_MESSAGE_MAX_CHARS"]


def _mute_form(room, residency):
    if not can(current_user, "rooms.moderate", room):
        return None
    form = MuteForm()
    form.user.choices = [SelectChoice(user.id, user.display_name) for user in _people(residency, exclude=current_user.id)]
    return form


@bp.route("/rooms/<int:room_id>/messages", methods=["POST"])
@login_required
def post(room_id):
    """Post a message from the plain form (its hidden client id makes a resubmission harmless)."""
    room = _room(room_id)
    form = MessageForm()
    if not form.validate_on_submit():
        flash(_("Write a message first."), "error")
        return redirect(url_for("rooms.room", room_id=room.id))
    try:
        operations.post(room, current_user, form.client_id.data or uuid.uuid4().hex, form.text.data,
                        reply_to_id=parse_id(form.reply_to.data))
    except RoomError as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
        return redirect(url_for("rooms.room", room_id=room.id))
    db.session.commit()
    return redirect(url_for("rooms.room", room_id=room.id) + "#latest")


def _own(room, message_id):
    message = events.message_in_room(room, message_id)
    if message is None or message.deleted:
        abort(404)
    return message


@bp.route("/rooms/<int:room_id>/messages/<int:message_id>/edit", methods=["GET", "POST"])
@login_required
def edit(room_id, message_id):
    """Change one's own message."""
    room = _room(room_id)
    message = _own(room, message_id)
    if message.author_id != current_user.id:
        abort(403)
    form = EditForm(text=message.body)
    if form.validate_on_submit():
        try:
            operations.edit(room, current_user, message.id, form.text.data)
        except RoomError as refusal:
            db.session.rollback()
            form.text.errors = [refusal.message]
        else:
            db.session.commit()
            return redirect(url_for("rooms.room", room_id=room.id) + f"#m{message.seq}")
    return render_template("rooms/edit.html", room=room, message=message, form=form,
                           title=access.room_title(room, current_user), max_chars=_max_chars())


@bp.route("/rooms/<int:room_id>/messages/<int:message_id>/delete", methods=["GET", "POST"])
@login_required
def delete(room_id, message_id):
    """Delete one's own message, or (coordinators) remove anyone's; asks for confirmation."""
    room = _room(room_id)
    message = _own(room, message_id)
    mine = message.author_id == current_user.id
    if not mine and not can(current_user, "rooms.moderate", room):
        abort(403)
    if request.method == "POST":  # CSRF checked by CSRFProtect, as every form
        operations.delete(room, current_user, message.id)
        db.session.commit()
        flash(_("The message was deleted.") if mine else _("The message was removed."), "success")
        return redirect(url_for("rooms.room", room_id=room.id))
    return render_template("rooms/delete.html", room=room, message=message, mine=mine,
                           title=access.room_title(room, current_user))

