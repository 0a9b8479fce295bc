"""Who may do what in a residency's rooms. Every room page and every socket event asks these.

The objects: a :class:`~residency.rooms.models.Room`, or a
:class:`~residency.residencies.models.Residency` (creating rooms, moderating). Nobody reads a
room they are not in, not even a network admin: conversations are private to their members.
"""

from residency.core.permissions import can, rule
from residency.residencies.models import ParticipantRole
from residency.rooms import access


def moderates(user, residency):
    """Coordinators of the residency: those who manage it, and its participants taking part as
    coordinators."""
    if residency is None or not user.is_authenticated:
        return False
    if can(user, "residencies.manage", residency):
        return True
    return access.active_role(user, residency.id) == ParticipantRole.COORDINATOR


@rule("rooms.view", admin=False)
def view_room(user, room):
    """Read a room, join it live, see who is there: the people in it (active participants)."""
    return access.in_room(user, room)


@rule("rooms.post", admin=False)
def post_in_room(user, room):
    """Write in a room: its people, unless the residency is archived or a coordinator muted them."""
    from residency.rooms.moderation import is_muted

    if not access.in_room(user, room):
        return False
    residency = access.residency_of(room)
    return not residency.archived and not is_muted(residency.id, user.id)


@rule("rooms.list", admin=False)
def list_rooms(user, residency):
    """See a residency's rooms and start group and direct conversations: its active participants."""
    return residency is not None and access.active_role(user, residency.id) is not None


@rule("rooms.moderate", admin=False)
def moderate_room(user, room):
    """Remove any message of a room and mute its people: the residency's coordinators who are in
    the room (a direct conversation has no moderator but its two people)."""
    from residency.rooms.models import RoomKind

    if room is None or room.kind == RoomKind.DIRECT or not access.in_room(user, room):
        return False
    return moderates(user, access.residency_of(room))
