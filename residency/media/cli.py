"""``flask residency`` commands of the media feature."""

import click

from residency.extensions import db
from residency.media import retention
from residency.media.repair import repair_upload_keys_command
from residency.media.tasks import sweep_now


@click.command("sweep-media")
def sweep_media_command():
    """Re-queue stuck media processing and expire abandoned uploads now (beat does it every minute)."""
    counts = sweep_now()
    click.echo(", ".join(f"{key}: {value}" for key, value in counts.items()))


@click.command("purge-replaced-media")
@click.option("--dry-run", is_flag=True, help="List what would be deleted; delete nothing.")
def purge_replaced_media_command(dry_run):
    """Delete now the files of versions replaced more than MEDIA_REPLACED_GRACE_DAYS ago that
    nothing references (beat does it every hour)."""
    if dry_run:
        purges, referenced = retention.plan()
        db.session.rollback()
    else:
        purges, referenced = retention.purge()
    for item in purges:
        click.echo(item.describe(dry_run))
    counts = retention.summary(purges, referenced)
    click.echo(("dry run, nothing deleted: " if dry_run else "") + ", ".join(f"{key}: {value}" for key, value in counts.items()))


COMMANDS = [sweep_media_command, purge_replaced_media_command, repair_upload_keys_command]
