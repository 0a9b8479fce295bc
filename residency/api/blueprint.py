"""The blueprint every feature's API part is made of.

:class:`Blueprint` is flask-smorest's (marshmallow schemas for arguments and responses, which
also write the OpenAPI document) with :meth:`Blueprint.requires`: the scope an operation needs,
checked before the view runs and written into the document as the operation's security.
"""

from functools import wraps

import flask_smorest

from residency.api.auth import SCOPES, require_scope

SECURITY_SCHEME = "personalAccessToken"


class Blueprint(flask_smorest.Blueprint):
    def requires(self, scope):
        """The operation needs a token holding ``scope`` (``public:read`` operations need none).

        :raise 401: no token; :raise 403: the token lacks the scope.
        """
        if scope not in SCOPES:
            raise LookupError(f"unknown API scope {scope!r}")

        def decorator(view):
            @wraps(view)
            def checked(*args, **kwargs):
                require_scope(scope)
                return view(*args, **kwargs)

            security = [{}, {SECURITY_SCHEME: [scope]}] if scope == "public:read" else [{SECURITY_SCHEME: [scope]}]
            checked._apidoc = dict(getattr(view, "_apidoc", {}))
            manual = dict(checked._apidoc.get("manual_doc", {}))
            manual["security"] = security
            checked._apidoc["manual_doc"] = manual
            checked.api_scope = scope
            return checked

        return decorator
