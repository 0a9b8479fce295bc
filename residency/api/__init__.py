"""The JSON API under ``/api/v1`` for festivals, cities and integrations.

Each feature serves its own part of the API from its own package: an ``api.py`` with a
:class:`~residency.api.blueprint.Blueprint` (flask-smorest, marshmallow schemas) registered with
:func:`register` from the feature's ``init_app``. The OpenAPI 3.1 document
(``/api/v1/openapi.json``) is generated from those blueprints, and the reference page
(``/api/v1/``) from the document.

Conventions, held here for every part (see the README's "API" section):

* authentication by personal access token (``Authorization: Bearer …``), scopes per operation,
  the pages' permission rules per object (:mod:`residency.api.auth`); the login cookie is ignored;
* cursor pagination with ``Link`` headers (:mod:`residency.api.pagination`);
* ``ETag`` on every successful GET, ``If-None-Match`` answered with 304;
* errors as RFC 9457 problem details (:mod:`residency.api.problems`);
* a rate limit per token (or per address without one) with ``X-RateLimit-*`` headers;
* dates in RFC 3339 UTC (:mod:`residency.api.fields`);
* CORS off unless ``API_CORS_ORIGINS`` lists origins.
"""

import os

from residency.api.blueprint import Blueprint  # noqa: F401  (the features' API blueprints)

PREFIX = "/api/v1"


def register(app, blueprint):
    """Serve ``blueprint``'s endpoints under ``/api/v1``, documented in the OpenAPI document,
    with the API's authentication, rate limit and CSRF exemption (no cookie is read)."""
    from residency.api import conventions, registry
    from residency.extensions import csrf, limiter

    state = registry.state(app)
    limiter.limit(conventions.rate_limit, key_func=conventions.rate_limit_key)(blueprint)
    csrf.exempt(blueprint)
    state["api"].register_blueprint(blueprint, url_prefix=PREFIX + (blueprint.url_prefix or ""))
    state["blueprints"].add(blueprint.name)


def _settings(app):
    """The API's settings, from the environment unless the config gives them."""
    origins = os.environ.get("API_CORS_ORIGINS", "")
    app.config.setdefault("API_CORS_ORIGINS", [o.strip() for o in origins.split(",") if o.strip()])
    app.config.setdefault("API_RATELIMIT", os.environ.get("API_RATELIMIT", "600 per minute"))
    app.config.setdefault("API_MAX_BODY", int(os.environ.get("API_MAX_BODY", str(64 * 1024))))
    app.config.setdefault("API_TITLE", "City to City Residency API")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")


def init_app(app):
    """The OpenAPI document, the reference page, the conventions. Features add the operations."""
    from residency.api import conventions, docs, problems, registry

    _settings(app)
    api = conventions.make_api(app)
    app.extensions[registry.KEY] = {"api": api, "blueprints": set()}
    problems.install(app)
    conventions.install(app)
    app.register_blueprint(docs.bp, url_prefix=PREFIX)
