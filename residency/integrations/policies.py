"""Who may do what with tokens and webhooks."""

from residency.core.permissions import has_role, rule


@rule("integrations.token", admin=False)
def own_token(user, token):
    """A personal access token is its owner's alone (admins included: they revoke by disabling the account)."""
    return token is not None and user.is_authenticated and token.user_id == user.id


def manages_scope(user, scope_type, scope_id):
    """Webhooks of a city: its coordinators and network coordinators; of a festival: its
    programmers; of the network: network coordinators."""
    if not user.is_authenticated:
        return False
    network = has_role(user, "city_coordinator", "network")
    if scope_type == "network":
        return network
    if scope_type == "city":
        return network or has_role(user, "city_coordinator", "city", scope_id)
    if scope_type == "festival":
        return has_role(user, "festival_programmer", "festival", scope_id)
    return False


@rule("integrations.webhooks")
def any_webhooks(user, _obj=None):
    """The webhooks page: anyone who manages webhooks of some scope."""
    return user.is_authenticated and any(
        grant.role in ("city_coordinator", "festival_programmer") for grant in user.grants)


@rule("integrations.webhook")
def manage_endpoint(user, endpoint):
    """An endpoint, its deliveries and replays: whoever manages its scope."""
    return endpoint is not None and manages_scope(user, endpoint.scope_type, endpoint.scope_id)
