"""Fixtures of the accounts tests: a second browser."""

import pytest

from tests.accounts.support import new_client


@pytest.fixture
def other_client(app):
    """A second browser."""
    return new_client(app)
