"""Personal access tokens: created and revoked by their owner, checked on each API request.

A token is ``c2c_`` followed by 40 random URL-safe characters; it is shown once, when created,
and only its SHA-256 is stored. Its scopes are those its owner chose among the ones their roles
allow (:func:`residency.api.auth.allowed_scopes`), and on each request the API keeps only those
the owner's roles still allow. A token expires (at most ``MAX_DAYS`` days), can be revoked, and
records when it was last used (to the minute, in its own short transaction: a GET writes no row
of the request's transaction).
"""

import hashlib
import secrets
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from residency.accounts.models import User
from residency.api.auth import SCOPES, allowed_scopes
from residency.audit.operations import record
from residency.core.errors import ActionRefused
from residency.core.types import utcnow
from residency.extensions import db
from residency.integrations.models import ApiToken

PREFIX = "c2c_"
MAX_DAYS = 366
EXPIRY_CHOICES = (7, 30, 90, 365)
MAX_ACTIVE = 20
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(user, name, scopes, days):
    """A new token of ``user``; returns ``(token, raw secret)``. The caller commits.

    :raise ActionRefused: an empty name, a scope the user's roles do not allow, an expiry out of
        range, or too many active tokens.
    """
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ActionRefused(_l("Give the token a name of at most 100 characters."), field="name")
    scopes = sorted(set(scopes or ()))
    if not scopes:
        raise ActionRefused(_l("Choose at least one scope."), field="scopes")
    unknown = [scope for scope in scopes if scope not in SCOPES]
    beyond = [scope for scope in scopes if scope in SCOPES and scope not in allowed_scopes(user)]
    if unknown or beyond:
        raise ActionRefused(_l("Your roles do not allow the scope %(scope)s.", scope=(unknown or beyond)[0]), field="scopes")
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ActionRefused(_l("Choose an expiry between 1 and %(n)d days.", n=MAX_DAYS), field="days")
    if len(active_tokens(user)) >= MAX_ACTIVE:
        raise ActionRefused(_l("You have %(n)d active tokens: revoke one first.", n=MAX_ACTIVE))
    raw = PREFIX + secrets.token_urlsafe(30)
    token = ApiToken(user_id=user.id, name=name, prefix=raw[:10], token_hash=hash_token(raw), scopes=scopes,
                     expires_at=utcnow() + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    record("api_token.created", actor=user, obj=token, scopes=scopes, days=days)
    return token, raw


def revoke_token(user, token):
    """Revoke ``token`` (its owner's); revoking twice changes nothing. The caller commits."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record("api_token.revoked", actor=user, obj=token)


def tokens_of(user):
    """The user's tokens, newest first (revoked and expired ones included)."""
    return db.session.execute(
        db.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    ).scalars().all()


def active_tokens(user):
    return [token for token in tokens_of(user) if token.active()]


def load_token(raw):
    """``(user, scopes, token id)`` of an active token, or None. One query (with the user's
    grants, for the permission checks that follow)."""
    if not raw.startswith(PREFIX) or len(raw) > 100:
        return None
    token = db.session.execute(
        db.select(ApiToken).where(ApiToken.token_hash == hash_token(raw))
        .options(joinedload(ApiToken.user).joinedload(User.grants))
    ).unique().scalar_one_or_none()
    now = utcnow()
    if token is None or not token.active(now):
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        with db.engine.begin() as connection:
            connection.execute(db.update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
        set_committed_value(token, "last_used_at", now)  # seen, without dirtying the request's session
    return token.user, list(token.scopes or ()), token.id
