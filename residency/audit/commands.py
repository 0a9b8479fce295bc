"""``flask --app wsgi residency verify-audit``: re-verify the audit log's hash chain."""

import click
from flask_babel import gettext as _

from residency.audit.operations import verify_log


def describe(broken, count):
    """A sentence for people about a verification's outcome."""
    if broken is None:
        return _("The audit chain verifies: %(count)d entries, none changed, removed or reordered.", count=count)
    if broken.reason == "truncated":
        return _("The audit chain is broken: entries after number %(count)d were removed.", count=count)
    if broken.reason == "link":
        return _("The audit chain is broken at entry %(id)s (number %(position)d): the entry before it was "
                 "changed, removed or moved.", id=broken.key, position=broken.position)
    return _("The audit chain is broken at entry %(id)s (number %(position)d): its content was changed.",
             id=broken.key, position=broken.position)


@click.command("verify-audit")
def verify_audit_command():
    """Re-verify the audit log's hash chain and name the first entry that does not hold (exit 1)."""
    broken, count = verify_log()
    click.echo(describe(broken, count))
    if broken is not None:
        raise SystemExit(1)
