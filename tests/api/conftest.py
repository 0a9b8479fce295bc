"""Fixtures of the API tests: tokens of each kind of user, and the coordinators' view's calls and
applications (``tests/review/conftest.py``)."""

import pytest

from residency.extensions import db as _db
from tests.review.conftest import (  # noqa: F401  (fixtures shared with the coordinators' view)
    FORM, T0, coordinator, make_application, make_asset, make_call, snapshot_of,
)


@pytest.fixture
def make_token(app):
    """``make_token(user, scopes=[…], days=30)`` → the raw token (created as the settings page does)."""
    from residency.integrations.tokens import create_token

    def make(user, scopes=("public:read",), days=30, name="test"):
        _token, raw = create_token(user, name, list(scopes), days)
        _db.session.commit()
        return raw

    return make


def bearer(raw):
    return {"Authorization": f"Bearer {raw}"}


def is_problem(response, status, code=None):
    """The response is an RFC 9457 problem with ``status`` (and ``code``)."""
    body = response.get_json(force=True, silent=True) or {}
    return (response.status_code == status and response.mimetype == "application/problem+json"
            and body.get("status") == status and body.get("type") and body.get("title") and body.get("detail")
            and (code is None or body.get("code") == code))
