"""Audit: an append-only log of every security- or decision-relevant action."""


def init_app(app):
    """Audit has no page of its own (the admin pages show the log) and no task, one command
    (``verify-audit``): features call
    :func:`residency.audit.operations.record`. Importing the operations connects the listener
    that links entries to the chain when their transaction commits."""
    from residency.audit import operations  # noqa: F401
    from residency.audit.commands import verify_audit_command
    from residency.core.cli import add_command

    add_command(app, verify_audit_command)
