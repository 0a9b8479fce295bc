"""Who may do what with residencies. Every residency page, feed, socket event (rooms) asks these.

The objects: a :class:`~residency.residencies.models.Residency`, or a
:class:`~residency.cities.models.City` for creating one.
"""

from residency.core.permissions import has_role, rule
from residency.residencies.access import is_participant_anywhere, participation
from residency.residencies.models import ParticipantRole


def coordinates_city(user, city_id):
    """A coordinator of the city ``city_id``, or of the whole network."""
    if user is None or not user.is_authenticated or city_id is None:
        return False
    return has_role(user, "city_coordinator", "network") or has_role(user, "city_coordinator", "city", city_id)


def is_any_coordinator(user):
    return user is not None and user.is_authenticated and has_role(user, "city_coordinator")


@rule("residencies.view")
def view_residency(user, residency):
    """See the residency, its participants, programme and sessions: its active participants and
    the coordinators of its city (and network admins). Anyone else is answered 404."""
    if residency is None or not user.is_authenticated:
        return False
    return coordinates_city(user, residency.city_id) or participation(user, residency.id) is not None


@rule("residencies.manage")
def manage_residency(user, residency):
    """Edit the residency, add and remove participants, archive it, moderate its rooms: the
    coordinators of its city (and network admins)."""
    return residency is not None and coordinates_city(user, residency.city_id)


@rule("residencies.schedule")
def schedule_sessions(user, residency):
    """Add, change and cancel sessions of a residency that is not archived: those who manage it,
    and its active participants taking part as coordinators."""
    if residency is None or residency.archived or not user.is_authenticated:
        return False
    if coordinates_city(user, residency.city_id):
        return True
    mine = participation(user, residency.id)
    return mine is not None and mine.role == ParticipantRole.COORDINATOR


@rule("residencies.create")
def create_residency(user, city=None):
    """Create a residency in ``city`` (any city, when None: whether to offer the form at all):
    that city's coordinators, or the network's."""
    if not user.is_authenticated:
        return False
    if city is None:
        return is_any_coordinator(user)
    return coordinates_city(user, city.id)


@rule("residencies.list")
def list_residencies(user, _obj=None):
    """The "Residencies" menu entry: people taking part in one, and coordinators."""
    return user.is_authenticated and (is_any_coordinator(user) or is_participant_anywhere(user))
