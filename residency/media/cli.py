"""``flask residency`` commands of the media feature."""

import click

from residency.media.tasks import sweep_now


@click.command("sweep-media")
def sweep_media_command():
    """Re-queue stuck media processing and expire abandoned uploads now (beat does it every minute)."""
    counts = sweep_now()
    click.echo(", ".join(f"{key}: {value}" for key, value in counts.items()))


COMMANDS = [sweep_media_command]
