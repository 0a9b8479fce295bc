"""``flask --app wsgi residency …`` commands."""

import sys

import click
from flask.cli import AppGroup

from residency.extensions import db

residency_cli = AppGroup("residency", help="City to City Residency administration.")


@residency_cli.command("load-cities")
def load_cities_command():
    """Insert or update the 22 cities from the reference list."""
    from residency.cities.operations import load_cities

    created, updated = load_cities()
    db.session.commit()
    click.echo(f"cities: {created} created, {updated} updated")


@residency_cli.command("create-admin")
@click.option("--email", required=True, help="E-mail address of the network admin.")
@click.option("--name", default="Network admin", show_default=True, help="Name to show.")
def create_admin_command(email, name):
    """Create a network admin (or promote an existing account). Reads the password from standard input."""
    from residency.accounts import operations
    from residency.accounts.models import Role, ScopeType
    from residency.accounts.passwords import hash_password, password_problem
    from residency.core.errors import ActionRefused
    from residency.core.permissions import is_network_admin
    from residency.core.types import utcnow

    from email_validator import EmailNotValidError, validate_email

    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise click.ClickException(f"not a valid e-mail address: {exc}") from None
    user = operations.find_user_by_email(email)
    if user is None:
        if sys.stdin.isatty():
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        else:
            password = sys.stdin.readline().rstrip("\r\n")
        problem = password_problem(password, email, name)
        if problem:
            raise click.ClickException(str(problem))
        user = operations.User(
            email=operations.normalize_email(email), password_hash=hash_password(password),
            display_name=name, email_verified_at=utcnow(),
        )
        db.session.add(user)
        db.session.flush()
    if not is_network_admin(user):
        try:
            operations.grant_role(None, user, Role.NETWORK_ADMIN, ScopeType.NETWORK)
        except ActionRefused as refusal:
            raise click.ClickException(str(refusal.message)) from None
    db.session.commit()
    click.echo(f"network admin: {user.email}")


@residency_cli.command("demo")
def demo_command():
    """Load the demo network (one account per role) and print the credentials."""
    from residency.core.demo import load_demo

    for line in load_demo():
        click.echo(line)
    db.session.commit()


@residency_cli.command("sweep-media")
def sweep_media_command():
    """Re-queue stuck media processing and expire abandoned uploads now (beat does it every minute)."""
    from residency.media.pipeline import sweep

    counts = sweep()
    click.echo(", ".join(f"{key}: {value}" for key, value in counts.items()))
