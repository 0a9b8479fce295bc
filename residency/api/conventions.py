"""What every API response shares: authentication first, then ETags, caching, CORS and the
OpenAPI document's common parts."""

import hashlib
import http

import flask_smorest
from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_smorest.utils import prepare_response

from residency.api import auth, registry
from residency.api.blueprint import SECURITY_SCHEME
from residency.api.problems import CONTENT_TYPE, ApiError, ProblemSchema, is_api_request


class Api(flask_smorest.Api):
    """flask-smorest's Api with problem details as every error's schema, and without its own
    error handler (:mod:`residency.api.problems` answers errors)."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        pass

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error, as RFC 9457 problem details.", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, CONTENT_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def make_api(app):
    description = (
        "Cities, calls, applications and jury assignments of the City to City Residency network. Authenticate with a "
        "personal access token (`Authorization: Bearer …`), created in your account's settings. "
        "Lists are paged by cursor (`limit`, `cursor`, `Link: rel=\"next\"`); errors are RFC 9457 "
        "problem details; dates are RFC 3339 in UTC."
    )
    api = Api(spec_kwargs={
        "info": {"description": description},
        "servers": [{"url": "/"}],
    })
    api.init_app(app)
    api.spec.components.security_scheme(SECURITY_SCHEME, {
        "type": "http", "scheme": "bearer",
        "description": "A personal access token. Scopes: " + "; ".join(
            f"`{name}`: {scope.description}" for name, scope in auth.SCOPES.items()),
    })
    return api


def is_operation(app=None):
    """True when the request is for one of the API's operations (not the document or an unknown path)."""
    return request.blueprint in registry.blueprints(app)


def rate_limit():
    return current_app.config["API_RATELIMIT"]


def rate_limit_key():
    """Per token (its hash; the database is not asked), else per address."""
    header = request.headers.get("Authorization", "")
    if header:
        return "api-token:" + hashlib.sha256(header.encode("utf-8", "replace")).hexdigest()[:32]
    return "api-address:" + (get_remote_address() or "")


def before_request():
    """Authenticate every API operation; refuse bodies over ``API_MAX_BODY`` or not JSON."""
    if not is_operation():
        return
    auth.authenticate()
    if request.method in ("POST", "PUT", "PATCH"):
        request.max_content_length = current_app.config["API_MAX_BODY"]  # also for chunked bodies
        length = request.content_length
        if length is not None and length > current_app.config["API_MAX_BODY"]:
            raise ApiError(413, "too_large", _l("The body is larger than %(n)d bytes.", n=current_app.config["API_MAX_BODY"]))
        if length and not request.is_json:
            raise ApiError(415, "unsupported_media_type", _l("Send the body as application/json."))


def after_request(response):
    """ETag and 304 on successful GETs; responses vary with the token and are not cached shared."""
    if not is_api_request():
        return response
    response.headers.add("Vary", "Authorization")
    if request.method in ("GET", "HEAD") and response.status_code == 200 and not response.is_streamed:
        response.headers.setdefault("Cache-Control", "private, no-cache")
        response.add_etag()
        response.make_conditional(request)
    return response


def install(app):
    app.before_request(before_request)
    app.after_request(after_request)
    origins = app.config["API_CORS_ORIGINS"]
    if origins:
        from flask_cors import CORS

        CORS(app, resources={r"/api/v1/*": {"origins": origins}}, allow_headers=["Authorization", "Content-Type",
             "If-None-Match"], expose_headers=["ETag", "Link", "X-RateLimit-Limit", "X-RateLimit-Remaining",
             "X-RateLimit-Reset", "Retry-After"], supports_credentials=False, max_age=600)
