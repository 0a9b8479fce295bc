"""``flask --app wsgi residency …``: the administration commands.

Core owns the group and the ``demo`` command; each feature adds its own commands from its
``init_app`` with :func:`add_command`.
"""

import click
from flask.cli import AppGroup

from residency.extensions import db

_KEY = "residency.cli"


def init_app(app):
    """Give ``app`` its own ``residency`` group (an application without a feature lacks its commands)."""
    group = AppGroup("residency", help="City to City Residency administration.")
    group.add_command(demo_command)
    app.cli.add_command(group)
    app.extensions[_KEY] = group


def add_command(app, command):
    """Add a click ``command`` under ``flask residency``."""
    group = app.extensions[_KEY]
    if command.name in group.commands:
        raise ValueError(f"command {command.name!r} added twice")
    group.add_command(command)


@click.command("demo")
def demo_command():
    """Load the demo network (one account per role, each feature's part) and print the credentials."""
    from residency.core.demo import load_demo

    for line in load_demo():
        click.echo(line)
    db.session.commit()
