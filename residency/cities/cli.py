"""``flask residency load-cities``."""

import click

from residency.cities.operations import load_cities
from residency.extensions import db


@click.command("load-cities")
def load_cities_command():
    """Insert or update the 22 cities from the reference list."""
    created, updated = load_cities()
    db.session.commit()
    click.echo(f"cities: {created} created, {updated} updated")
