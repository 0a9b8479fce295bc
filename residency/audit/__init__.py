"""Audit: an append-only log of every security- or decision-relevant action."""


def init_app(app):
    """Audit has no page of its own (the admin pages show the log) and no task: features call
    :func:`residency.audit.operations.record`."""
