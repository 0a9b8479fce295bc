"""The one ordered list of features, which is also the order of the layers.

``core`` (mechanisms: database, permissions, jobs, hooks, live events, dates, errors) sits under
everything and knows no feature. Above it, each feature may import ``core`` and the features
listed *before* it, never one listed after it: a lower feature that needs something from a higher
one offers a hook (:mod:`residency.core.hooks`) or a signal (:mod:`residency.signals`).
``tests/core/test_layers.py`` holds the rule.

Adding a feature: create ``residency/<name>/`` with an ``init_app(app)`` that registers what
it brings (blueprints, permission rules, tasks with their queues and beat entries, CLI commands,
socket handlers, demo data, template helpers, hooks), then add its name here, above the features
that will build on it.
"""

import importlib

#: Bottom to top. The first six are the foundation (DESIGN.md's second layer), in the order
#: their imports need.
FEATURES = (
    "storage",        # one interface to local files or S3
    "api",            # the /api/v1 conventions; each feature adds its own endpoints
    "audit",          # the append-only log of security- and decision-relevant actions
    "notifications",  # e-mail through an outbox
    "cities",         # the 22 cities
    "accounts",       # users, login sessions, roles held in a scope
    "admin",          # the network admins' pages over users, roles, audit and health
    "media",          # works, uploads, processing
    "calls",          # open calls: editor, public pages, the clock
    "applications",   # artists' applications and the coordinators' review
    "jury",           # panels, conflicts of interest, assignment, scoring
    "residencies",    # cohorts, their programme, sessions, calendar feeds, notices
    "rooms",          # live rooms of residencies: chat, presence, replay on reconnect
    "festivals",      # catalogue, distribution rights, delivery packages, downloads, screenings
    "integrations",   # personal access tokens for the API, webhooks
)


def enabled(app):
    """The features this application runs: ``FEATURES``, or the config's ``FEATURES`` subset."""
    wanted = app.config.get("FEATURES")
    if wanted is None:
        return FEATURES
    unknown = set(wanted) - set(FEATURES)
    if unknown:
        raise ValueError(f"unknown features in FEATURES: {', '.join(sorted(unknown))}")
    return tuple(name for name in FEATURES if name in wanted)


def init_features(app):
    """Initialise each enabled feature, bottom to top."""
    for name in enabled(app):
        importlib.import_module(f"residency.{name}").init_app(app)
    app.extensions["residency.features"] = enabled(app)
