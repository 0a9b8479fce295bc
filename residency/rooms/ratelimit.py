"""Per-user limits on socket events, shared by every web process (the ``limits`` library on the
rate-limit storage: Redis when configured). If that storage cannot be reached, a limit kept in
this process's memory applies instead, so a Redis outage never lifts the limits."""

import logging

from flask import current_app
from limits import parse_many
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

log = logging.getLogger(__name__)
_KEY = "residency.rooms.ratelimit"


def _state(app):
    state = app.extensions.get(_KEY)
    if state is None:
        storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
        state = app.extensions[_KEY] = {
            "shared": FixedWindowRateLimiter(storage),
            "local": FixedWindowRateLimiter(MemoryStorage()),
            "limits": {},
        }
    return state


def _limits(state, spec):
    if spec not in state["limits"]:
        state["limits"][spec] = parse_many(spec)
    return state["limits"][spec]


def allow(bucket, user_id, spec=None):
    """Count one event of ``user_id`` in ``bucket``; False when a limit of ``spec`` (default
    ``ROOMS_RATE_LIMIT``) is exceeded."""
    app = current_app._get_current_object()
    if not app.config.get("RATELIMIT_ENABLED", True):
        return True
    state = _state(app)
    spec = spec or app.config["ROOMS_RATE_LIMIT"]
    identity = ("rooms", bucket, str(user_id))
    allowed = True
    for item in _limits(state, spec):
        try:
            ok = state["shared"].hit(item, *identity)
        except Exception:  # the shared storage is down: fall back to this process's count
            log.warning("rate-limit storage unreachable; counting in this process")
            ok = state["local"].hit(item, *identity)
        allowed = allowed and ok
    return allowed
