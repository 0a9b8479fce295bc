"""Fixtures of the admin tests: the same as the accounts tests'."""

from tests.accounts.conftest import other_client  # noqa: F401
