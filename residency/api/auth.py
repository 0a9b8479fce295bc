"""Who is asking the API, and with which scopes.

The API never reads the browser's login cookie: a request is anonymous, or carries
``Authorization: Bearer <personal access token>``. The feature that keeps tokens (integrations)
checks them through the ``api_token_loaders`` hook; the API only knows the scopes.

A token's scopes never exceed its user's roles: :func:`allowed_scopes` says which scopes the
user's *current* grants allow, and a request gets the scopes the token was given that its user
still may hold (a coordinator whose role was removed loses ``coordinator:*`` at once). Then the
same permission rules as the pages (:func:`residency.core.permissions.can`) decide on each object:
the token's user is ``current_user`` for the request.
"""

from dataclasses import dataclass, field

from flask import current_app, g, request
from flask_babel import lazy_gettext as _l

from residency.api.problems import ApiError
from residency.core.hooks import providers
from residency.core.permissions import has_role, is_network_admin
from residency.extensions import login_manager

PUBLIC = "public:read"


@dataclass(frozen=True)
class Scope:
    name: str
    description: object
    #: Roles (any scope) of which one must be held; empty: every account may hold it.
    roles: tuple = ()


SCOPES = {scope.name: scope for scope in (
    Scope(PUBLIC, _l("Read public data: cities and published calls")),
    Scope("applications:read", _l("Read your own applications, their versions and receipts")),
    Scope("jury:read", _l("Read your jury assignments and scores"), ("juror", "jury_chair")),
    Scope("festivals:read", _l("Read the festival catalogue, requests and packages"), ("festival_programmer",)),
    Scope("festivals:write", _l("Request works and record screenings for your festivals"), ("festival_programmer",)),
    Scope("coordinator:read", _l("Read the calls you coordinate and their applications, and export them"),
          ("city_coordinator",)),
    Scope("coordinator:write", _l("Create call drafts for the cities you coordinate"), ("city_coordinator",)),
)}


def allowed_scopes(user):
    """The scopes ``user`` may hold today, from their current role grants (admins: all)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return {PUBLIC}
    if is_network_admin(user):
        return set(SCOPES)
    return {name for name, scope in SCOPES.items() if not scope.roles or any(has_role(user, r) for r in scope.roles)}


@dataclass
class Principal:
    """The request's caller: ``user`` (None when anonymous), the scopes in force, the token's id."""

    user: object = None
    scopes: set = field(default_factory=lambda: {PUBLIC})
    token_id: int = None


def principal():
    """The caller of the current API request."""
    return g.get("api_principal") or Principal()


def bearer_token():
    """The token of ``Authorization: Bearer …``; None when the header is absent.

    :raise 401: a header that is not a bearer token.
    """
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200 or not token.isascii():
        raise unauthorized("invalid_token", _l("The Authorization header must be 'Bearer' and a personal access token."))
    return token


def unauthorized(code, detail):
    return ApiError(401, code, detail, headers={"WWW-Authenticate": f'Bearer realm="api", error="{code}"'})


def authenticate():
    """Set the request's principal and ``current_user`` from the bearer token (or none).

    :raise 401: a malformed, unknown, revoked or expired token, or its user disabled.
    """
    token = bearer_token()
    if token is None:
        g.api_principal = Principal()
        login_manager._update_request_context_with_user(None)
        return
    found = None
    for loader in providers("api_token_loaders", current_app):
        found = loader(token)
        if found is not None:
            break
    if found is None:
        raise unauthorized("invalid_token", _l("The token is unknown, revoked or expired."))
    user, scopes, token_id = found
    if not user.is_active:
        raise unauthorized("invalid_token", _l("The token's account is disabled."))
    g.api_principal = Principal(user, ({PUBLIC} | set(scopes)) & allowed_scopes(user), token_id)
    login_manager._update_request_context_with_user(user)


def require_scope(scope):
    """:raise 401: anonymous caller; :raise 403: the token lacks ``scope`` (or its user lost the role)."""
    caller = principal()
    if scope in caller.scopes:
        return
    if caller.user is None:
        raise unauthorized("missing_token", _l("This operation needs a personal access token."))
    raise ApiError(403, "insufficient_scope",
                   _l("The token does not hold the scope '%(scope)s', or its account no longer has the role it needs.",
                      scope=scope),
                   headers={"WWW-Authenticate": f'Bearer realm="api", error="insufficient_scope", scope="{scope}"'})
