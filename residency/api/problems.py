"""Errors of the JSON API as RFC 9457 problem details (``application/problem+json``).

Every error under ``/api/`` answers ``{"type", "title", "status", "detail"}``, plus ``code`` (a
stable machine-readable name such as ``invalid_token``, ``insufficient_scope``,
``invalid_cursor``) and, for a body or query that failed validation, ``errors`` (the fields and
their messages). HTML pages keep core's error pages: :func:`install` wraps the application's
handlers and only answers differently for paths under ``/api/``.
"""

import logging
from http import HTTPStatus

import marshmallow as ma
from flask import jsonify, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from residency.core.errors import MESSAGES, ActionRefused
from residency.extensions import db

log = logging.getLogger(__name__)

CONTENT_TYPE = "application/problem+json"
#: Headers of an HTTP error kept in the problem's response.
KEPT_HEADERS = ("allow", "retry-after", "www-authenticate", "x-ratelimit-limit", "x-ratelimit-remaining",
                "x-ratelimit-reset")


class ApiError(HTTPException):
    """An HTTP error of the API with a machine-readable ``code`` (and extra headers).

    ``ApiError(401, "invalid_token", "The token is revoked.")``."""

    def __init__(self, status, code, detail, headers=None, errors=None):
        super().__init__(description=str(detail))
        self.code = status
        self.problem_code = code
        self.extra_headers = dict(headers or {})
        self.errors = errors

    def get_headers(self, environ=None, scope=None):
        return [("Content-Type", CONTENT_TYPE), *self.extra_headers.items()]


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details."""

    type = ma.fields.String(required=True, metadata={"description": "A URI naming the kind of problem ('about:blank')."})
    title = ma.fields.String(required=True, metadata={"description": "The HTTP status phrase."})
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String(required=True, metadata={"description": "What went wrong, for a person."})
    code = ma.fields.String(required=True, metadata={"description": "A stable name for the problem, for programs."})
    errors = ma.fields.Dict(metadata={"description": "Validation errors: the fields (by location) and their messages."})


DEFAULT_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
                 406: "not_acceptable", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
                 422: "invalid_input", 429: "rate_limited", 500: "server_error", 503: "unavailable"}


def problem(status, detail=None, code=None, errors=None, headers=()):
    """The problem-details response for ``status``."""
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    body = {"type": "about:blank", "title": title, "status": status,
            "detail": str(detail or MESSAGES.get(status) or title), "code": code or DEFAULT_CODES.get(status, "error")}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = CONTENT_TYPE
    for name, value in headers:
        response.headers[name] = value
    return response


def is_api_request():
    return request.path.startswith("/api/")


def from_http_error(error):
    """A problem for a Werkzeug ``HTTPException`` (abort, routing, webargs validation)."""
    status = error.code or 500
    headers = [(name, value) for name, value in error.get_response().headers.items()
               if name.lower() in KEPT_HEADERS]
    if isinstance(error, ApiError):
        return problem(status, error.description, error.problem_code, error.errors, headers)
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    detail = data.get("message") or (MESSAGES.get(status) if status != 422 else None)
    if status == 422:
        detail = _l("The request's parameters or body do not match the operation's schema.")
    return problem(status, detail, errors=_plain(errors) if errors else None, headers=headers)


def _plain(errors):
    """Validation messages as JSON-ready dicts and lists of strings."""
    if isinstance(errors, dict):
        return {str(key): _plain(value) for key, value in errors.items()}
    if isinstance(errors, (list, tuple)):
        return [_plain(value) for value in errors]
    return str(errors)


def install(app):
    """Answer errors under ``/api/`` with problem details; leave every other path to the handlers
    core registered (the HTML error pages). Called after core registered its handlers."""
    spec = app.error_handler_spec.setdefault(None, {})
    previous = {key: dict(handlers) for key, handlers in spec.items()}

    def page_or_raise(error):
        handler = _find(previous, error)
        if handler is None:
            raise error
        return handler(error)

    def http_error(error):
        if not is_api_request():
            return page_or_raise(error)
        if error.code and error.code < 400:
            return error
        if (error.code or 500) >= 500:
            db.session.rollback()
        return from_http_error(error)

    def refused(error):
        if not is_api_request():
            return page_or_raise(error)
        db.session.rollback()
        # Well-formed input an operation refuses (a rule the schema cannot say) is a 422.
        status = error.status if error.status in (403, 404, 409, 422) else 422
        errors = {error.field: [str(error.message)]} if error.field else None
        return problem(status, str(error.message), code="refused", errors=errors)

    def unhandled(error):
        if isinstance(error, HTTPException):
            return http_error(error)
        if not is_api_request():
            return page_or_raise(error)
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return problem(500)

    for code, handlers in list(spec.items()):
        if code is not None:  # handlers by status code (core's 500 page)
            for kind, handler in list(handlers.items()):
                spec[code][kind] = _api_first(handler, http_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(ActionRefused, refused)
    app.register_error_handler(Exception, unhandled)


def _find(previous, error):
    """The handler core registered for ``error``'s class (or a base class), if any."""
    for kind in type(error).__mro__:
        if kind in previous.get(None, {}):
            return previous[None][kind]
    return None


def _api_first(handler, api_handler):
    def dispatch(error):
        if is_api_request():
            return api_handler(error)
        return handler(error)

    return dispatch
