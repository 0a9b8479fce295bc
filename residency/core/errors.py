"""Errors: the refusal raised by operations, and error pages without tracebacks."""

import logging

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from residency.extensions import db

log = logging.getLogger(__name__)


class ActionRefused(Exception):
    """An operation refused bad input or an illegal move; ``message`` is shown to the user.

    ``field`` names the form field the message belongs to, when there is one.
    """

    def __init__(self, message, field=None, status=400):
        # Keep a lazy message lazy: it is translated where it is shown (a request, the CLI…).
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


MESSAGES = {
    400: _l("The request could not be understood. Please check what you sent and try again."),
    403: _l("You do not have permission to see this page."),
    404: _l("We could not find this page."),
    405: _l("This action is not allowed here."),
    413: _l("What you sent is too large."),
    429: _l("Too many attempts. Please wait a little and try again."),
    500: _l("Something went wrong on our side. It has been logged; please try again later."),
    503: _l("The service is temporarily unavailable. Please try again in a moment."),
}

TITLES = {
    400: _l("Bad request"),
    403: _l("Not allowed"),
    404: _l("Page not found"),
    405: _l("Not allowed"),
    413: _l("Too large"),
    429: _l("Too many attempts"),
    500: _l("Server error"),
    503: _l("Unavailable"),
}


def wants_json():
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def render_error(code, message=None):
    message = message or MESSAGES.get(code, MESSAGES[500])
    if wants_json():
        return {"error": {"status": code, "message": str(message)}}, code
    return render_template("errors/error.html", code=code, title=TITLES.get(code, TITLES[500]), message=message), code


#: Headers of an HTTP error that the page must keep: what is allowed (405), when to retry (429,
#: 503), how to authenticate (401).
KEPT_HEADERS = ("allow", "retry-after", "www-authenticate")


def _kept_headers(error):
    headers = error.get_response().headers
    return [(name, value) for name, value in headers.items() if name.lower() in KEPT_HEADERS]


def init_app(app):
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, _l("Your form expired or was sent from another site. Please reload the page and try again; nothing was changed."))

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code and error.code < 400:
            return error
        body, code = render_error(error.code or 500)
        return body, code, _kept_headers(error)

    @app.errorhandler(Exception)
    def unhandled(error):
        if isinstance(error, HTTPException):
            return http_error(error)
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return render_error(500)

    @app.errorhandler(InternalServerError)
    def internal(error):
        db.session.rollback()
        return render_error(500)
