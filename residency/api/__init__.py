"""The JSON API under ``/api/v1`` for festivals and integrations.

Each feature serves its own part of the API from its own package: it defines a blueprint of its
endpoints (paths relative to ``/api/v1``) and registers it with :func:`register` from its
``init_app``. Errors under ``/api/`` are JSON (``residency.core.errors``).
"""

PREFIX = "/api/v1"


def register(app, blueprint):
    """Serve ``blueprint``'s endpoints under ``/api/v1``."""
    app.register_blueprint(blueprint, url_prefix=PREFIX + (blueprint.url_prefix or ""))


def init_app(app):
    """The API has no endpoint of its own yet: each feature registers its part with :func:`register`."""
