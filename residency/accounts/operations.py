"""Account operations: registration, e-mail verification, login, passwords, e-mail change, roles.

Each operation takes plain arguments, flushes, records an audit entry and sends a signal; none
commits (the request does, once).
"""

import logging
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from residency import signals
from residency.accounts import passwords
from residency.accounts.models import (
    ROLE_SCOPES,
    AuthToken,
    RoleGrant,
    TokenPurpose,
    User,
    hash_token,
    new_token,
)
from residency.accounts.scopes import scope_exists
from residency.accounts.sessions import end_other_sessions
from residency.audit.operations import record
from residency.core.errors import ActionRefused
from residency.core.types import utcnow
from residency.extensions import db
from residency.notifications.operations import queue_email

log = logging.getLogger(__name__)

# A real hash to compare against when the e-mail is unknown, so timing does not tell.
_DUMMY_HASH = passwords.hash_password("not-a-real-password-just-for-timing")


def normalize_email(email):
    return email.strip().lower()


def find_user_by_email(email):
    return db.session.execute(
        db.select(User).where(func.lower(User.email) == normalize_email(email))
    ).scalar_one_or_none()


def register_user(email, password, display_name, city_id=None, locale="en", timezone="UTC", pronouns=None):
    """Create an unverified account and e-mail the verification link.

    :raise ActionRefused: the e-mail is taken or the password is refused.
    """
    email = normalize_email(email)
    if find_user_by_email(email) is not None:
        raise ActionRefused(_l("An account with this e-mail address already exists. Log in or reset your password."), field="email")
    problem = passwords.password_problem(password, email, display_name)
    if problem:
        raise ActionRefused(problem, field="password")
    user = User(
        email=email,
        password_hash=passwords.hash_password(password),
        display_name=display_name.strip(),
        pronouns=(pronouns or "").strip() or None,
        city_id=city_id,
        locale=locale,
        timezone=timezone,
    )
    db.session.add(user)
    db.session.flush()
    send_verification(user)
    record("user.registered", actor=user, obj=user)
    signals.user_registered.send(current_app._get_current_object(), user=user)
    return user


def issue_token(user, purpose, lifetime, new_email=None):
    """Store a new single-use token's hash and return the raw token (to be e-mailed)."""
    raw = new_token()
    db.session.add(
        AuthToken(
            token_hash=hash_token(raw),
            user=user,
            purpose=str(purpose),
            new_email=new_email,
            expires_at=utcnow() + lifetime,
        )
    )
    db.session.flush()
    return raw


def consume_token(raw, purpose):
    """Mark the token used and return it.

    :raise ActionRefused: unknown, expired or already used.
    """
    token = db.session.execute(
        db.select(AuthToken)
        .where(AuthToken.token_hash == hash_token(raw or ""), AuthToken.purpose == str(purpose))
        .with_for_update()
    ).scalar_one_or_none()
    if token is None:
        raise ActionRefused(_l("This link is not valid. Check that you copied it whole, or ask for a new one."))
    if token.used_at is not None:
        raise ActionRefused(_l("This link has already been used. Ask for a new one if you need it."))
    if token.expires_at <= utcnow():
        raise ActionRefused(_l("This link has expired. Ask for a new one."))
    token.used_at = utcnow()
    return token


def void_tokens(user, *purposes):
    """Mark every unused token of ``user`` for ``purposes`` as used (a newer event supersedes them)."""
    db.session.execute(
        db.update(AuthToken)
        .where(
            AuthToken.user_id == user.id,
            AuthToken.purpose.in_([str(purpose) for purpose in purposes]),
            AuthToken.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def send_verification(user):
    hours = current_app.config["EMAIL_TOKEN_HOURS"]
    raw = issue_token(user, TokenPurpose.VERIFY_EMAIL, timedelta(hours=hours))
    queue_email(
        user.email, "verify_email", _l("Confirm your e-mail address"),
        user=user, token=raw, hours=hours,
    )


def verify_email(raw):
    """Confirm the address the token was sent to. :raise ActionRefused: bad token."""
    token = consume_token(raw, TokenPurpose.VERIFY_EMAIL)
    user = token.user
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        record("user.email_verified", actor=user, obj=user)
        signals.email_verified.send(current_app._get_current_object(), user=user)
    return user


def authenticate(email, password):
    """Return the user for these credentials, or None. Rehashes when argon2 parameters changed."""
    user = find_user_by_email(email or "")
    if user is None:
        passwords.verify_password(_DUMMY_HASH, password or "")
        record("auth.login_failed", reason="unknown_email")
        return None
    if not passwords.verify_password(user.password_hash, password or ""):
        record("auth.login_failed", obj=user, reason="wrong_password")
        return None
    if not user.is_active:
        record("auth.login_failed", obj=user, reason="disabled")
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        record("auth.password_rehashed", actor=user, obj=user)
    user.last_login_at = utcnow()
    record("auth.login", actor=user, obj=user)
    return user


def record_logout(user):
    record("auth.logout", actor=user, obj=user)


def request_password_reset(email):
    """E-mail a reset link when the address has an account; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        record("auth.reset_requested", reason="unknown_email")
        return None
    minutes = current_app.config["RESET_TOKEN_MINUTES"]
    raw = issue_token(user, TokenPurpose.RESET_PASSWORD, timedelta(minutes=minutes))
    queue_email(
        user.email, "reset_password", _l("Reset your password"),
        user=user, token=raw, minutes=minutes,
    )
    record("auth.reset_requested", actor=user, obj=user)
    return user


def check_reset_token(raw):
    """Return the token if it could be used now, without using it. :raise ActionRefused:"""
    token = db.session.execute(
        db.select(AuthToken).where(
            AuthToken.token_hash == hash_token(raw or ""),
            AuthToken.purpose == str(TokenPurpose.RESET_PASSWORD),
        )
    ).scalar_one_or_none()
    if token is None or token.used_at is not None or token.expires_at <= utcnow():
        raise ActionRefused(_l("This reset link is not valid any more. Ask for a new one."))
    return token


def reset_password(raw, new_password):
    """Set a new password from a reset link; every login session of the user ends."""
    token = check_reset_token(raw)
    user = token.user
    problem = passwords.password_problem(new_password, user.email, user.display_name)
    if problem:
        raise ActionRefused(problem, field="password")
    consume_token(raw, TokenPurpose.RESET_PASSWORD)
    _set_password(user, new_password)
    void_tokens(user, TokenPurpose.RESET_PASSWORD)
    # The reset link proves the mailbox: the address is verified too.
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    end_other_sessions(user)
    record("auth.password_reset", actor=user, obj=user)
    return user


def change_password(user, current_password, new_password, keep_session_id=None):
    """Change the password; every other login session of the user ends."""
    if not passwords.verify_password(user.password_hash, current_password or ""):
        raise ActionRefused(_l("Your current password is not correct."), field="current_password")
    problem = passwords.password_problem(new_password, user.email, user.display_name)
    if problem:
        raise ActionRefused(problem, field="new_password")
    _set_password(user, new_password)
    void_tokens(user, TokenPurpose.RESET_PASSWORD)
    end_other_sessions(user, keep_id=keep_session_id)
    record("auth.password_changed", actor=user, obj=user)
    return user


def _set_password(user, new_password):
    user.password_hash = passwords.hash_password(new_password)
    signals.password_changed.send(current_app._get_current_object(), user=user)


def request_email_change(user, password, new_email):
    """Send a confirmation link to the new address; the old one is told. Nothing changes yet."""
    new_email = normalize_email(new_email)
    if not passwords.verify_password(user.password_hash, password or ""):
        raise ActionRefused(_l("Your password is not correct."), field="password")
    if new_email == user.email:
        raise ActionRefused(_l("This is already your e-mail address."), field="new_email")
    if find_user_by_email(new_email) is not None:
        raise ActionRefused(_l("Another account uses this e-mail address."), field="new_email")
    hours = current_app.config["EMAIL_TOKEN_HOURS"]
    raw = issue_token(user, TokenPurpose.CHANGE_EMAIL, timedelta(hours=hours), new_email=new_email)
    queue_email(new_email, "change_email", _l("Confirm your new e-mail address"), user=user, token=raw, hours=hours)
    queue_email(user.email, "email_change_notice", _l("Your e-mail address is being changed"), user=user, new_email=new_email)
    record("user.email_change_requested", actor=user, obj=user)


def confirm_email_change(raw):
    """Switch to the new address the token was sent to. :raise ActionRefused:"""
    token = consume_token(raw, TokenPurpose.CHANGE_EMAIL)
    user = token.user
    if find_user_by_email(token.new_email) is not None:
        raise ActionRefused(_l("Another account uses this e-mail address."))
    old = user.email
    user.email = token.new_email
    user.email_verified_at = utcnow()
    # Links mailed to the old address (or for another new one) must not outlive the change.
    void_tokens(user, *TokenPurpose)
    record("user.email_changed", actor=user, obj=user, old_domain=old.split("@")[-1])
    return user


def update_profile(user, display_name, pronouns, city_id, locale, timezone):
    user.display_name = display_name.strip()
    user.pronouns = (pronouns or "").strip() or None
    user.city_id = city_id
    user.locale = locale
    user.timezone = timezone
    record("user.profile_updated", actor=user, obj=user)
    return user


def grant_role(actor, user, role, scope_type, scope_id=0):
    """Give ``user`` ``role`` in a scope. :raise ActionRefused: unknown role, scope or duplicate."""
    from residency.accounts.models import Role, ScopeType

    try:
        role = Role(role)
        scope_type = ScopeType(scope_type)
    except ValueError:
        raise ActionRefused(_l("Unknown role or scope.")) from None
    if scope_type not in ROLE_SCOPES[role]:
        raise ActionRefused(_l("This role cannot be held in that scope."))
    scope_id = 0 if scope_type == ScopeType.NETWORK else int(scope_id or 0)
    if scope_type != ScopeType.NETWORK and not scope_exists(scope_type, scope_id):
        raise ActionRefused(_l("That scope does not exist."))
    duplicate = db.session.execute(
        db.select(RoleGrant).where(
            RoleGrant.user_id == user.id,
            RoleGrant.role == str(role),
            RoleGrant.scope_type == str(scope_type),
            RoleGrant.scope_id == scope_id,
        )
    ).scalar_one_or_none()
    if duplicate is not None:
        raise ActionRefused(_l("This person already holds this role."))
    grant = RoleGrant(user=user, role=str(role), scope_type=str(scope_type), scope_id=scope_id, granted_by_id=getattr(actor, "id", None))
    db.session.add(grant)
    db.session.flush()
    record("role.granted", actor=actor, obj=user, role=str(role), scope_type=str(scope_type), scope_id=scope_id)
    signals.role_granted.send(current_app._get_current_object(), grant=grant)
    return grant


def revoke_role(actor, grant):
    user = grant.user
    record("role.revoked", actor=actor, obj=user, role=grant.role, scope_type=grant.scope_type, scope_id=grant.scope_id)
    if grant in user.grants:
        user.grants.remove(grant)
    db.session.delete(grant)
    db.session.flush()
    signals.role_revoked.send(current_app._get_current_object(), user=user)


def purge_expired_tokens():
    """Delete tokens expired more than a week ago. Returns how many."""
    cutoff = utcnow() - timedelta(days=7)
    result = db.session.execute(db.delete(AuthToken).where(AuthToken.expires_at < cutoff))
    return result.rowcount
