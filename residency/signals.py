"""Signals between features (blinker), so features react to each other without importing insides."""

from blinker import Namespace

_signals = Namespace()

user_registered = _signals.signal("user-registered")
email_verified = _signals.signal("email-verified")
password_changed = _signals.signal("password-changed")
role_granted = _signals.signal("role-granted")
role_revoked = _signals.signal("role-revoked")
