"""Slowing password guessing down without handing attackers a way to lock the owner out.

NIST SP 800-63B §5.2.2 asks to limit consecutive failed attempts on an account; a hard refusal
would let anyone who knows an address keep its owner out. So, following OWASP's "device cookies"
proposal:

- Per client address, Flask-Limiter counts every login POST (``RATELIMIT_LOGIN``, in the view).
- Per e-mail address, attempts from browsers the account does not know are counted together.
  After ``LOGIN_THROTTLE_FREE_ATTEMPTS`` consecutive failures, every further attempt must wait a
  delay that doubles at each failure, from ``LOGIN_THROTTLE_DELAY_SECONDS`` up to
  ``LOGIN_THROTTLE_MAX_DELAY_SECONDS``. While it runs every attempt, right or wrong, is told to
  wait and no password is checked. Addresses without an account are counted the same way.
- A browser that logged in to the account before carries a signed device cookie naming the
  account; its attempts are counted on that cookie alone, so guesses from elsewhere never slow it
  down, and a stolen cookie buys only its own few guesses before its own delays.
- A link by e-mail (``accounts.login_links``) logs in whatever the counts.
- When an account's address crosses the threshold, its owner is told by e-mail, at most once
  every ``LOGIN_ALERT_MINUTES``.

The counts live in ``login_throttles`` rows. An attempt locks its row (``SELECT … FOR UPDATE``)
until the request commits, so parallel guesses on one key are checked one after the other and
each sees the delay the previous one set.
"""

import logging
import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Optional
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import func

from residency.accounts.models import LoginThrottle, User, hash_token, new_token
from residency.accounts.operations import find_user_by_email, normalize_email
from residency.audit.models import AuditEntry
from residency.audit.operations import record
from residency.core.types import utcnow
from residency.extensions import db
from residency.notifications.operations import queue_email

log = logging.getLogger(__name__)

DEVICE_COOKIE = "residency_device"
_DEVICE_SALT = "residency.accounts.known-device"


def _config(name):
    return current_app.config[name]


def delay_after(failures):
    """The wait imposed after ``failures`` consecutive failures, or None while they are free."""
    free = _config("LOGIN_THROTTLE_FREE_ATTEMPTS")
    if failures < free:
        return None
    doublings = min(failures - free, 32)
    seconds = min(_config("LOGIN_THROTTLE_MAX_DELAY_SECONDS"), _config("LOGIN_THROTTLE_DELAY_SECONDS") * 2**doublings)
    return timedelta(seconds=seconds)


@dataclass
class Attempt:
    """One password attempt on an e-mail address, holding its throttle row locked.

    ``wait_seconds`` > 0: the attempt must be answered "please wait" without checking the
    password. Otherwise the caller checks it and reports with :meth:`failed` or :meth:`succeeded`.
    """

    row: LoginThrottle
    user: Optional[User]
    known_device: bool
    wait_seconds: int

    def failed(self):
        """Count a wrong password; start or lengthen the delay; tell the owner past the threshold."""
        now = utcnow()
        row = self.row
        if row.last_failure_at is None or now - row.last_failure_at > timedelta(hours=_config("LOGIN_THROTTLE_WINDOW_HOURS")):
            row.failures = 0
            row.first_failure_at = now
        row.failures += 1
        row.last_failure_at = now
        delay = delay_after(row.failures)
        if delay is None:
            return
        row.blocked_until = now + delay
        record("auth.login_slowed", obj=self.user, known_device=self.known_device, failures=row.failures,
               seconds=int(delay.total_seconds()))
        if self.user is not None and not self.known_device and _alert_due(row, now):
            _alert_owner(self.user, row, now)

    def succeeded(self):
        """The password was right: this key's failures are no longer consecutive.

        A known browser's success clears only its own count: the owner logging in at home does
        not hand an attacker a fresh set of free guesses from elsewhere.
        """
        self.row.failures = 0
        self.row.first_failure_at = self.row.last_failure_at = self.row.blocked_until = None


def begin_attempt(email, device_cookie=None):
    """Lock the throttle row this attempt counts on and say whether it must wait.

    :param device_cookie: the raw value of the browser's :data:`DEVICE_COOKIE`, if any.
    """
    email = normalize_email(email or "")
    user = find_user_by_email(email)
    device = read_device_cookie(device_cookie)
    known = user is not None and device is not None and device["u"] == user.id
    row = _locked_row(f"device:{device['n']}" if known else f"email:{email}")
    now = utcnow()
    wait = 0
    if row.blocked_until is not None and row.blocked_until > now:
        wait = max(1, math.ceil((row.blocked_until - now).total_seconds()))
        record("auth.login_throttled", obj=user, known_device=known, wait=wait)
    return Attempt(row=row, user=user, known_device=known, wait_seconds=wait)


def _locked_row(key):
    """The row of ``key``, created if missing (concurrent creations are harmless), locked."""
    key_hash = hash_token(key)
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    for _ in range(3):  # the purge may delete an idle row between the two statements
        db.session.execute(
            insert(LoginThrottle).values(key_hash=key_hash, failures=0).on_conflict_do_nothing(index_elements=["key_hash"])
        )
        row = db.session.execute(
            db.select(LoginThrottle)
            .where(LoginThrottle.key_hash == key_hash)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalar_one_or_none()
        if row is not None:
            return row
    raise RuntimeError("login throttle row vanished three times")


def _alert_due(row, now):
    return row.alerted_at is None or now - row.alerted_at >= timedelta(minutes=_config("LOGIN_ALERT_MINUTES"))


def _alert_owner(user, row, now):
    """E-mail the owner how many attempts failed since the streak began, from how many addresses."""
    failures, addresses = db.session.execute(
        db.select(func.count(AuditEntry.id), func.count(AuditEntry.ip.distinct())).where(
            AuditEntry.action == "auth.login_failed",
            AuditEntry.object_type == User.__tablename__,
            AuditEntry.object_id == user.id,
            AuditEntry.at >= row.first_failure_at,
        )
    ).one()
    row.alerted_at = now
    try:
        zone = ZoneInfo(user.timezone or "UTC")
    except Exception:
        zone = ZoneInfo("UTC")
    # The audit log also holds the known browsers' failures; the row never counts more.
    failures = max(failures, row.failures)
    queue_email(
        user.email, "failed_logins", _l("Failed attempts to log in to your account"), user=user,
        failures=failures, addresses=addresses, zone=str(zone),
        since=format_datetime(row.first_failure_at, "long", tzinfo=zone, locale=user.locale or "en"),
    )
    record("auth.failed_logins_alerted", obj=user, failures=failures, addresses=addresses)
    log.info("user %s told of %s failed logins", user.id, failures)


def _serializer():
    return URLSafeTimedSerializer(current_app.secret_key, salt=_DEVICE_SALT)


def read_device_cookie(value):
    """``{"u": user id, "n": nonce}`` from a device cookie this site signed and that has not
    expired, else None."""
    if not value:
        return None
    try:
        data = _serializer().loads(value, max_age=_config("LOGIN_DEVICE_DAYS") * 86400)
    except BadData:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("n"), str):
        return None
    return data


def remember_device(response, user):
    """Mark this browser as one ``user`` logged in with (a new nonce at each login).

    One account per browser: logging in to another account replaces the cookie.
    """
    days = _config("LOGIN_DEVICE_DAYS")
    response.set_cookie(
        DEVICE_COOKIE,
        _serializer().dumps({"u": user.id, "n": new_token()}),
        max_age=days * 86400,
        path=url_for("accounts.login"),  # only the login pages need it
        secure=_config("HTTPS"),
        httponly=True,
        samesite="Strict",
    )
    return response


def purge_stale_throttles():
    """Delete rows that no longer block, count or remember anything. Returns how many."""
    now = utcnow()
    window = now - timedelta(hours=_config("LOGIN_THROTTLE_WINDOW_HOURS"))
    alerts = now - timedelta(minutes=_config("LOGIN_ALERT_MINUTES"))
    result = db.session.execute(
        db.delete(LoginThrottle).where(
            (LoginThrottle.last_failure_at.is_(None)) | (LoginThrottle.last_failure_at < window),
            (LoginThrottle.blocked_until.is_(None)) | (LoginThrottle.blocked_until < now),
            (LoginThrottle.alerted_at.is_(None)) | (LoginThrottle.alerted_at < alerts),
        )
    )
    return result.rowcount
