"""``flask residency create-admin``: the first network admin, password from standard input."""


from residency.accounts import passwords
from residency.accounts.models import User
from residency.core.permissions import is_network_admin
from tests.accounts.support import count, user_by_email

GOOD_PASSWORD = "a long and quiet river 42"


def _create_admin(app, email, stdin):
    return app.test_cli_runner().invoke(args=["residency", "create-admin", "--email", email], input=stdin)


def test_create_admin_makes_a_verified_network_admin(app):
    """create-admin reads the password from stdin and creates a verified network admin who can log in."""
    result = _create_admin(app, "Root@Example.org", GOOD_PASSWORD + "\n")

    assert result.exit_code == 0, result.output
    assert "network admin: root@example.org" in result.output
    user = user_by_email("root@example.org")
    assert user.email_verified_at is not None
    assert is_network_admin(user)
    assert passwords.verify_password(user.password_hash, GOOD_PASSWORD)


def test_create_admin_refuses_a_weak_password(app):
    """A weak password is refused with an error exit code; no account is made."""
    result = _create_admin(app, "root@example.org", "password1\n")

    assert result.exit_code != 0
    assert count(User) == 0


def test_create_admin_says_why_a_password_is_refused(app):
    """The refusal of a weak password says why."""
    result = _create_admin(app, "root@example.org", "password1\n")

    assert "This password is among the most common ones" in result.output


def test_create_admin_promotes_an_existing_account(app, make_user):
    """create-admin on an existing address makes that account a network admin, keeping its password."""
    user = make_user(email="ada@example.org")

    result = _create_admin(app, "ada@example.org", "")

    assert result.exit_code == 0, result.output
    assert is_network_admin(user_by_email("ada@example.org"))
    assert count(User) == 1
    assert user_by_email("ada@example.org").password_hash == user.password_hash
