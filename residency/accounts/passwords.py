"""Password hashing (argon2id) and the password rules.

Rules after NIST SP 800-63B: at least 8 characters, long passphrases and pasting allowed, no
composition rules, the most common passwords refused (zxcvbn's list of 30,000). Passwords are
NFKC-normalised before hashing, so the same characters typed on another system (composed or
decomposed accents) still match.
"""

import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from flask_babel import lazy_gettext as _l
from zxcvbn.frequency_lists import FREQUENCY_LISTS

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile
_COMMON = frozenset(FREQUENCY_LISTS["passwords"])


def _normalize(password):
    return unicodedata.normalize("NFKC", password)


def hash_password(password):
    return _hasher.hash(_normalize(password))


def verify_password(password_hash, password):
    """True when ``password`` matches; never raises for a wrong or malformed hash."""
    try:
        return _hasher.verify(password_hash, _normalize(password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    """True when the hash was made with other parameters than today's (rehash at next login)."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def password_problem(password, email=None, display_name=None):
    """The reason ``password`` is refused, or None when it is acceptable."""
    password = _normalize(password)
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    maximum = current_app.config["PASSWORD_MAX_LENGTH"]
    if len(password) < minimum:
        return _l("Use at least %(n)d characters.", n=minimum)
    if len(password) > maximum:
        return _l("Use at most %(n)d characters.", n=maximum)
    lowered = password.lower()
    if lowered in _COMMON or len(set(lowered)) <= 2:
        return _l("This password is among the most common ones; choose another.")
    for personal in (email, (email or "").split("@")[0], display_name):
        if personal and len(personal) >= 4 and lowered == personal.lower():
            return _l("Do not use your e-mail address or name as a password.")
    return None
