"""Logging in by a link sent by e-mail: the way in that no password throttle ever closes.

The link holds a single-use token (``TokenPurpose.LOGIN_LINK``) that expires after
``LOGIN_LINK_MINUTES``. Asking for one says the same whether the address has an account or not;
the view rate-limits the asking per client address and per e-mail address.
"""

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from residency.accounts.models import TokenPurpose
from residency.accounts.operations import consume_token, find_user_by_email, issue_token, void_tokens
from residency.audit.operations import record
from residency.core.errors import ActionRefused
from residency.core.types import utcnow
from residency.notifications.operations import queue_email


def request_login_link(email):
    """E-mail a sign-in link when the address has an active account; say nothing either way.

    Earlier links stay valid until they expire or one of them is used: asking again (or someone
    else asking for the owner) never voids the link the owner is about to open.
    """
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        record("auth.login_link_requested", reason="unknown_email")
        return None
    minutes = current_app.config["LOGIN_LINK_MINUTES"]
    raw = issue_token(user, TokenPurpose.LOGIN_LINK, timedelta(minutes=minutes))
    queue_email(user.email, "login_link", _l("Your link to log in"), user=user, token=raw, minutes=minutes)
    record("auth.login_link_requested", obj=user)
    return user


def log_in_with_link(raw):
    """Use a sign-in link and return its user; the caller starts the login session.

    Every other sign-in link of the user stops working. The link proves the mailbox, so the
    address counts as verified.

    :raise ActionRefused: unknown, used or expired link, or a disabled account.
    """
    token = consume_token(raw, TokenPurpose.LOGIN_LINK)
    user = token.user
    if not user.is_active:
        raise ActionRefused(_l("This link is not valid. Check that you copied it whole, or ask for a new one."))
    void_tokens(user, TokenPurpose.LOGIN_LINK)
    now = utcnow()
    if user.email_verified_at is None:
        user.email_verified_at = now
    user.last_login_at = now
    record("auth.login", actor=user, obj=user, method="link")
    return user
