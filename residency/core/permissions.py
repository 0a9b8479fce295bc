"""The one place that answers "may this user do this action to this object?".

Each feature declares its rules with :func:`rule` in its ``policies.py``; views, the JSON API
and Socket.IO handlers all ask :func:`can` (or :func:`require`). A network admin may do every
action whose rule does not say otherwise. An action nobody declared is refused.
"""

from flask import abort
from flask_login import current_user

_RULES = {}


class Rule:
    def __init__(self, action, check, admin=True):
        self.action = action
        self.check = check
        self.admin = admin


def rule(action, admin=True):
    """Declare the check for ``action``: a function ``(user, obj) -> bool``.

    ``user`` is authenticated unless the rule is for anonymous visitors too (it then receives
    Flask-Login's anonymous user). ``admin=False`` means network admins get no automatic pass.
    """

    def decorator(check):
        if action in _RULES:
            raise ValueError(f"rule {action!r} declared twice")
        _RULES[action] = Rule(action, check, admin)
        return check

    return decorator


def actions():
    return sorted(_RULES)


def has_role(user, role, scope_type=None, scope_id=None):
    """True when ``user`` holds ``role`` (in that scope, when one is given)."""
    if user is None or not user.is_authenticated:
        return False
    for grant in user.grants:
        if grant.role != role:
            continue
        if scope_type is None:
            return True
        if grant.scope_type == scope_type and (scope_id is None or grant.scope_id == scope_id):
            return True
    return False


def is_network_admin(user):
    return has_role(user, "network_admin", "network")


def can(user, action, obj=None):
    """True when ``user`` may do ``action`` to ``obj``."""
    rule_ = _RULES.get(action)
    if rule_ is None:
        raise LookupError(f"no permission rule for {action!r}")
    if user is None:
        user = current_user
    if user.is_authenticated and not user.is_active:
        return False
    if rule_.admin and is_network_admin(user):
        return True
    return bool(rule_.check(user, obj))


def require(action, obj=None, user=None, status=403):
    """Abort with ``status`` (403, or 404 to hide the object's existence) unless allowed."""
    if not can(user or current_user, action, obj):
        abort(status)


def init_app(app):
    """Templates get ``can(action, obj)``. The rules themselves are declared by each feature's
    ``policies`` module, which the feature's ``init_app`` imports."""

    @app.context_processor
    def inject_can():
        return {"can": lambda action, obj=None: can(current_user, action, obj)}
