"""Real services for the suite: PostgreSQL, Redis, SMTP, S3 (moto server), ffmpeg, Chromium.

Set ``TEST_DATABASE_URL`` (a PostgreSQL database the suite may create databases from) and
``TEST_REDIS_URL`` (a throw-away Redis database: the suite flushes it). Without them the suite
uses SQLite and skips what needs Redis, unless ``CI=true``: then a missing service fails the test.
"""

import os
import shutil
import socket
import uuid
from contextlib import closing

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

CI = os.environ.get("CI", "").lower() == "true"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or None
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL") or None


def service_missing(reason):
    """Skip, or fail under CI, because a service the test needs is not there."""
    if CI:
        pytest.fail(f"required service missing under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def free_port():
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_url(database=None):
    """The SQLAlchemy URL (psycopg 3 driver) of TEST_DATABASE_URL, or of another database there."""
    url = make_url(TEST_DATABASE_URL).set(drivername="postgresql+psycopg")
    return url.set(database=database) if database else url


def create_postgres_database(prefix="residency_test"):
    """Create an empty database on the test server and return its URL string."""
    if not TEST_DATABASE_URL:
        service_missing("TEST_DATABASE_URL is not set (PostgreSQL)")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine = create_engine(postgres_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        service_missing(f"PostgreSQL not reachable at TEST_DATABASE_URL: {exc}")
    finally:
        engine.dispose()
    return postgres_url(name).render_as_string(hide_password=False)


def drop_postgres_database(url):
    name = make_url(url).database
    engine = create_engine(postgres_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def redis_url():
    """TEST_REDIS_URL after checking that Redis answers; skips (fails under CI) otherwise."""
    if not TEST_REDIS_URL:
        service_missing("TEST_REDIS_URL is not set (Redis)")
    import redis

    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        service_missing(f"Redis not reachable at TEST_REDIS_URL: {exc}")
    return TEST_REDIS_URL


def flush_redis(url):
    import redis

    redis.Redis.from_url(url).flushdb()


def require_binary(name):
    path = shutil.which(name)
    if path is None:
        service_missing(f"{name} is not installed (apt-get install {name})")
    return path
