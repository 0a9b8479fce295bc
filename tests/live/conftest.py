"""Fixtures for tests that run the platform as separate processes on real services."""

import pytest

from tests import services


@pytest.fixture
def postgres_database():
    url = services.create_postgres_database("residency_live")
    yield url
    services.drop_postgres_database(url)


@pytest.fixture
def redis_test_url():
    url = services.redis_url()
    services.flush_redis(url)
    yield url
    services.flush_redis(url)
