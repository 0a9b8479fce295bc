"""Login sessions stored on the server, so that logout and password changes end them for real.

The signed Flask cookie only carries a random token naming a ``LoginSession`` row; deleting the
row (logout, password change, an admin disabling the account) makes every copy of the cookie
worthless.
"""

from datetime import timedelta
from functools import cache

from flask import g, request, session
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user
from sqlalchemy.orm import joinedload

from residency.accounts.models import LoginSession, User, hash_token, new_token
from residency.accounts.sockets import disconnect_logins_after_commit
from residency.core.types import utcnow
from residency.extensions import db, login_manager

LAST_SEEN_RESOLUTION = timedelta(minutes=5)


def init_app(app):
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.needs_refresh_message = _l("Please log in again to continue.")


@cache
def _login_query():
    """The login session with its user, the user's city and role grants: one query on every
    request, which every permission check then answers from memory. Built once, on first use
    (the mappers are complete by then); ``token_hash`` is bound at each execution."""
    return (
        db.select(LoginSession)
        .where(LoginSession.token_hash == db.bindparam("token_hash"))
        .options(joinedload(LoginSession.user).joinedload(User.grants))
    )


@login_manager.user_loader
def load_user(token):
    """Return the user of a live login session, or None (which logs the browser out)."""
    login = db.session.execute(_login_query(), {"token_hash": hash_token(token)}).unique().scalar_one_or_none()
    if login is None or not login.user.is_active:
        return None
    now = utcnow()
    if now - login.last_seen_at > LAST_SEEN_RESOLUTION:
        _touch(login.id, now)
    user = login.user
    user.get_id = lambda: token
    g.login_session_id = login.id
    return user


def _touch(login_id, now):
    """Record that the session was seen, in its own short transaction: a GET commits nothing."""
    with db.engine.begin() as connection:
        connection.execute(db.update(LoginSession).where(LoginSession.id == login_id).values(last_seen_at=now))


def start_session(user):
    """Create a login session for ``user`` and log this browser in with it.

    The caller commits.
    """
    token = new_token()
    login = LoginSession(
        token_hash=hash_token(token),
        user=user,
        user_agent=(request.user_agent.string or "")[:255],
    )
    db.session.add(login)
    db.session.flush()
    user.get_id = lambda: token
    session.clear()  # a fresh session on login: no fixation
    session.permanent = True
    login_user(user)
    g.login_session_id = login.id
    return login


def end_current_session():
    """Delete this browser's login session and log it out. The caller commits."""
    login_id = g.pop("login_session_id", None)
    if login_id is not None:
        db.session.execute(db.delete(LoginSession).where(LoginSession.id == login_id))
        disconnect_logins_after_commit([login_id])
    logout_user()
    session.clear()
    return login_id


def end_other_sessions(user, keep_id=None):
    """Delete every login session of ``user`` except ``keep_id``. Returns the deleted ids."""
    query = db.select(LoginSession.id).where(LoginSession.user_id == user.id)
    if keep_id is not None:
        query = query.where(LoginSession.id != keep_id)
    ids = list(db.session.execute(query).scalars())
    if ids:
        db.session.execute(db.delete(LoginSession).where(LoginSession.id.in_(ids)))
        disconnect_logins_after_commit(ids)
    return ids


def current_login_session_id():
    return g.get("login_session_id")
