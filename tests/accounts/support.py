"""Helpers shared by the accounts and admin tests."""

import html
import re

from flask import g

from residency.accounts.models import User
from residency.audit.models import AuditEntry
from residency.extensions import db
from tests.conftest import DEFAULT_PASSWORD, Client, create_user, log_in_without_form  # noqa: F401

SESSION_COOKIE = "residency_session"

REGISTRATION = {
    "email": "ada@example.org",
    "display_name": "Ada",
    "pronouns": "she/her",
    "city": "0",
    "locale": "en",
    "timezone": "Europe/Paris",
    "password": DEFAULT_PASSWORD,
}


def new_client(app):
    return Client(app, app.response_class, use_cookies=True)


def page_text(response):
    """The response body with HTML entities decoded, for looking for a message."""
    return html.unescape(response.get_data(as_text=True))


def without_csrf(text):
    """``text`` with every CSRF token blanked (they carry a timestamp)."""
    text = re.sub(r'(<input[^>]*name="csrf_token"[^>]*value=")[^"]*"', r'\1"', text)
    return re.sub(r'(<meta name="csrf-token" content=")[^"]*"', r'\1"', text)


def is_logged_in(client):
    """True when this browser's session still opens the account page."""
    status = client.get("/account").status_code
    assert status in (200, 302), status
    return status == 200


def register(client, **fields):
    data = dict(REGISTRATION, **fields)
    return client.post_form("/register", data)


def user_by_email(email):
    return db.session.execute(db.select(User).where(User.email == email)).scalar_one_or_none()


def count(model, *where):
    return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where))


def audit_actions(**where):
    """Action names of the audit entries, oldest first, optionally filtered by column values."""
    query = db.select(AuditEntry.action).order_by(AuditEntry.id)
    for column, value in where.items():
        query = query.where(getattr(AuditEntry, column) == value)
    return list(db.session.execute(query).scalars())


def log_in_fast(client, user):
    """Log ``client`` in as ``user`` without the login form."""
    return log_in_without_form(client, user)


def quick_user(email, roles=(), is_active=True, name=None):
    """A committed user who never logs in (no costly password hash), holding ``roles``."""
    return create_user(email, password=None, name=name or email.split("@")[0], verified=False, roles=roles, is_active=is_active)
