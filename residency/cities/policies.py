"""Who may do what with cities."""

from residency.core.permissions import has_role, rule


@rule("city.view")
def view_city(user, city):
    """City pages are public."""
    return True


@rule("city.edit")
def edit_city(user, city):
    """A city's coordinators, and network-wide coordinators."""
    if city is None:
        return False
    return has_role(user, "city_coordinator", "city", city.id) or has_role(
        user, "city_coordinator", "network"
    )
