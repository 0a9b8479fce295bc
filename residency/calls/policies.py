"""Who may do what with calls."""

from residency.calls.models import CallState
from residency.core.permissions import has_role, rule


def _network_coordinator(user):
    return has_role(user, "city_coordinator", "network")


def coordinates(user, call):
    """True when ``user`` runs this call: its city's coordinator, or a network coordinator.

    A network-wide call (no owner city) is run by network coordinators only.
    """
    if call is None or not user.is_authenticated:
        return False
    if _network_coordinator(user):
        return True
    return call.city_id is not None and has_role(user, "city_coordinator", "city", call.city_id)


@rule("call.create")
def create_call(user, city):
    """A coordinator of ``city`` (or of the network); network-wide calls (city None): the network's."""
    if not user.is_authenticated:
        return False
    if city is None:
        return _network_coordinator(user)
    return _network_coordinator(user) or has_role(user, "city_coordinator", "city", city.id)


@rule("call.edit")
def edit_call(user, call):
    return coordinates(user, call)


@rule("call.manage_applications")
def manage_applications(user, call):
    """See the submitted applications, flag, message and export them."""
    return coordinates(user, call)


@rule("call.view")
def view_call(user, call):
    """Published calls are public; drafts only for the people who run them."""
    if call is None:
        return False
    if call.published_at is not None or call.state != CallState.DRAFT:
        return True
    return coordinates(user, call)
