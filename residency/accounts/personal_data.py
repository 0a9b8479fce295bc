"""The account's share of a user's personal data (the ``personal_data`` hook), and the
anonymised row a deleted account leaves.

Export (``account``): the profile (e-mail, name, pronouns, city, language, timezone, dates), the
roles held, the login sessions open (when, which browser) and the e-mail links issued (purpose,
dates; never the tokens).

Erase: every login session (their sockets are cut once the deletion commits, as at logout),
e-mail token, role grant and the login throttle of the address are deleted, and the rate-limit
counters keyed by the address are dropped from the limiter's storage (Redis in production).
The ``users`` row itself stays, anonymised by :func:`anonymise_user` once every part has run:
the audit chain, jury decisions and festival logs point at its id.
"""

import logging
import secrets

from flask_babel import lazy_gettext as _l

from residency.accounts.models import AuthToken, LoginSession, LoginThrottle, RoleGrant, hash_token
from residency.accounts.sessions import end_other_sessions
from residency.core.jobs import call_after_commit
from residency.core.personal_data import DELETED_NAME, PersonalDataPart
from residency.extensions import db, limiter

log = logging.getLogger(__name__)

#: Addresses of deleted accounts end in a reserved top-level domain (RFC 2606): never deliverable.
DELETED_DOMAIN = "deleted.invalid"


def _iso(moment):
    return moment.isoformat() if moment is not None else None


def export(user):
    """``{"profile": {...}, "roles": [...], "login_sessions": [...], "email_links": [...]}``."""
    profile = {
        "email": user.email, "display_name": user.display_name, "pronouns": user.pronouns,
        "city": user.city.name if user.city is not None else None, "locale": user.locale,
        "timezone": user.timezone, "email_verified_at": _iso(user.email_verified_at),
        "created_at": _iso(user.created_at), "last_login_at": _iso(user.last_login_at),
    }
    roles = [{"role": grant.role, "scope_type": grant.scope_type, "scope_id": grant.scope_id,
              "granted_at": _iso(grant.granted_at)} for grant in user.grants]
    sessions = [{"created_at": _iso(login.created_at), "last_seen_at": _iso(login.last_seen_at),
                 "browser": login.user_agent} for login in db.session.execute(
        db.select(LoginSession).where(LoginSession.user_id == user.id).order_by(LoginSession.id)).scalars()]
    links = [{"purpose": token.purpose, "new_email": token.new_email, "created_at": _iso(token.created_at),
              "expires_at": _iso(token.expires_at), "used_at": _iso(token.used_at)}
             for token in db.session.execute(
        db.select(AuthToken).where(AuthToken.user_id == user.id).order_by(AuthToken.id)).scalars()]
    return {"profile": profile, "roles": roles, "login_sessions": sessions, "email_links": links}, []


def erase(user):
    """Delete the user's login sessions (sockets cut after commit), tokens, role grants, the
    login throttle of their address and the rate-limit counters keyed by it."""
    end_other_sessions(user)
    db.session.execute(db.delete(AuthToken).where(AuthToken.user_id == user.id))
    for grant in list(user.grants):
        user.grants.remove(grant)
    db.session.execute(db.delete(RoleGrant).where(RoleGrant.user_id == user.id))
    email = (user.email or "").strip().lower()
    db.session.execute(db.delete(LoginThrottle).where(LoginThrottle.key_hash == hash_token(f"email:{email}")))
    call_after_commit(forget_rate_limits, f"email:{email}")


def _glob_escape(text):
    return "".join("\\" + char if char in "*?[]\\" else char for char in text)


def forget_rate_limits(fragment, storage=None):
    """Drop every rate-limit counter whose key holds ``fragment`` (an e-mail key), in the
    limiter's storage (or ``storage``): Redis keys are scanned by pattern, the in-memory storage
    by name. Returns how many keys were dropped."""
    storage = storage if storage is not None else limiter.storage
    if storage is None:
        return 0
    dropped = 0
    if hasattr(storage, "get_connection") and hasattr(storage, "prefixed_key"):
        connection = storage.get_connection()
        for key in connection.scan_iter(match=storage.prefixed_key(f"*{_glob_escape(fragment)}*"), count=500):
            dropped += connection.delete(key)
    else:
        names = set(getattr(storage, "storage", {})) | set(getattr(storage, "events", {}))
        for name in names:
            if fragment in name:
                storage.clear(name)
                dropped += 1
    return dropped


def deleted_address(user):
    """A unique address that can never receive mail, for an anonymised account."""
    return f"deleted-{user.id}-{secrets.token_hex(6)}@{DELETED_DOMAIN}"


def anonymise_user(user):
    """Leave only an anonymous, unusable row: a non-deliverable unique address, the name
    "Deleted user", no pronouns, city or preferences, a password nothing matches, inactive."""
    user.email = deleted_address(user)
    user.display_name = DELETED_NAME
    user.pronouns = None
    user.city_id = None
    user.locale = "en"
    user.timezone = "UTC"
    user.password_hash = "!"  # not an argon2 hash: every password is refused
    user.email_verified_at = None
    user.last_login_at = None
    user.is_active = False
    db.session.flush()


def is_deleted(user):
    return user.email.endswith("@" + DELETED_DOMAIN) and not user.is_active


PART = PersonalDataPart(
    name="account",
    export=export,
    erase=erase,
    description=_l("Your account: profile (e-mail address, name, pronouns, city, language, timezone), roles, "
                   "open login sessions (date, browser) and e-mail links issued (purpose and dates, never the links)."),
)
