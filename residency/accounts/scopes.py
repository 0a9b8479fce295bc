"""The objects a role can be held in: the network, or an object of a feature (a city, a call…).

Accounts knows no feature above it: each feature that owns a kind of scope provides, through the
``role_scopes`` hook, a mapping from its scope type to a function returning the object of an id
(or None). The network is the one scope accounts owns itself.
"""

from residency.core.hooks import providers

NETWORK = "network"


def scope_object(scope_type, scope_id):
    """The object a grant in (``scope_type``, ``scope_id``) is held in; ``True`` for the network;
    None when it does not exist or no enabled feature owns that scope type."""
    scope_type = str(scope_type)
    if scope_type == NETWORK:
        return True
    for loaders in providers("role_scopes"):
        if scope_type in loaders:
            return loaders[scope_type](int(scope_id))
    return None


def scope_exists(scope_type, scope_id):
    return scope_object(scope_type, scope_id) is not None
