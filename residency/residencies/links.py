"""Full addresses of the residencies' pages, for e-mails and calendar files."""

from flask import current_app, has_request_context, url_for


def site_url(endpoint, **values):
    """The full address of ``endpoint`` on this site (``BASE_URL``), in a request or outside one
    (a command, a worker)."""
    base = current_app.config["BASE_URL"]
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context("/"):
        return base + url_for(endpoint, **values)
