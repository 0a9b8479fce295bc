"""``flask --app wsgi residency backup FOLDER`` and ``… restore FOLDER``."""

import click

from residency.admin.backup import BackupError, backup, restore
from residency.storage import get_storage


@click.command("backup")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--files/--no-files", default=True,
              help="Copy the stored files into the backup (default), or only list them with their hashes.")
def backup_command(folder, files):
    """Write a backup of the database and the stored files into FOLDER (a new folder)."""
    try:
        manifest = backup(folder, get_storage(), include_files=files)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    rows = sum(manifest["tables"].values())
    click.echo(f"Backup written to {folder}: {rows} rows in {len(manifest['tables'])} tables, "
               f"{len(manifest['files'])} files ({'copied' if files else 'listed'}), schema {manifest['revision']}.")


@click.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
def restore_command(folder):
    """Restore the backup in FOLDER into this empty, migrated installation."""
    try:
        summary = restore(folder, get_storage())
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Restored {summary['rows']} rows and {summary['files']} files from {folder}; "
               "the audit chain verifies.")
