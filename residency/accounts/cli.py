"""``flask residency create-admin``."""

import sys

import click
from email_validator import EmailNotValidError, validate_email

from residency.accounts import operations
from residency.accounts.models import Role, ScopeType, User
from residency.accounts.passwords import hash_password, password_problem
from residency.core.errors import ActionRefused
from residency.core.permissions import is_network_admin
from residency.core.types import utcnow
from residency.extensions import db


@click.command("create-admin")
@click.option("--email", required=True, help="E-mail address of the network admin.")
@click.option("--name", default="Network admin", show_default=True, help="Name to show.")
def create_admin_command(email, name):
    """Create a network admin (or promote an existing account). Reads the password from standard input."""
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
        user = User(
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
