"""Fixtures: ``app``, ``client`` (CSRF-aware), a real transaction per test, users and roles,
a real SMTP server. See tests/services.py for the services the suite uses."""

import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3
import pytest
import requests
from flask.testing import FlaskClient
from sqlalchemy import event

from config import TestingConfig
from residency import create_app
from residency.extensions import db as _db
from residency.extensions import limiter
from tests import services

DEFAULT_PASSWORD = "a long and quiet river 42"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if services.TEST_DATABASE_URL:
        url = services.create_postgres_database()
        yield url
        services.drop_postgres_database(url)
    else:
        if services.CI:
            pytest.fail("CI=true needs TEST_DATABASE_URL (PostgreSQL)", pytrace=False)
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


class Client(FlaskClient):
    """A test client that fills in the CSRF token the way a browser's form would.

    Each request starts with an empty ``g``, as on a real server: the transaction fixture keeps
    one app context pushed for the whole test and requests reuse it, and Flask-Login caches the
    current user in ``g`` (a second browser would otherwise see the first one's login).
    """

    def open(self, *args, **kwargs):
        from flask import g, has_app_context

        if has_app_context():
            g._get_current_object().__dict__.clear()
        return super().open(*args, **kwargs)

    def csrf_token(self):
        html = self.get("/").get_data(as_text=True)
        match = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert match, "no CSRF token on the home page"
        return match.group(1)

    def post_form(self, url, data=None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory, monkeypatch_session):
    for name in ("DATABASE_URL", "REDIS_URL", "S3_BUCKET", "SMTP_HOST"):
        monkeypatch_session.delenv(name, raising=False)
    config = TestingConfig(tmp_path_factory.mktemp("data"))
    config.SQLALCHEMY_DATABASE_URI = database_url
    app = create_app(config)
    app.test_client_class = Client
    with app.app_context():
        if _db.engine.dialect.name == "sqlite":
            _enable_sqlite_savepoints(_db.engine)
        from flask_migrate import upgrade

        upgrade()
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture(scope="session")
def monkeypatch_session():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def _enable_sqlite_savepoints(engine):
    """pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN itself."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN")


def _bound_session_class():
    """Flask-SQLAlchemy's session, made to use the connection it was given.

    Flask-SQLAlchemy's ``Session.get_bind`` returns the engine for every mapped table and ignores
    the session's own ``bind``: without this, commits would land on a fresh pooled connection
    and nothing would be rolled back after the test.
    """
    from flask_sqlalchemy.session import Session

    class BoundSession(Session):
        def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
            if bind is None and self.bind is not None:
                return self.bind
            return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)

    return BoundSession


@pytest.fixture(autouse=True)
def _transaction(request):
    """A real transaction around each test that uses the app, rolled back at the end.

    The code under test commits as usual; with ``join_transaction_mode="create_savepoint"``
    its commits release savepoints inside the outer transaction.
    """
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        connection = _db.engine.connect()
        outer = connection.begin()
        original = _db.session
        _db.session = _db._make_scoped_session(
            {"bind": connection, "join_transaction_mode": "create_savepoint", "class_": _bound_session_class()}
        )
        limiter.reset()
        try:
            yield
        finally:
            _db.session.remove()
            _db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


_HASHES = {}


def cached_hash(password):
    """An argon2id hash of ``password``, computed once per run (hashing costs ~0.1 s)."""
    from residency.accounts.passwords import hash_password

    if password not in _HASHES:
        _HASHES[password] = hash_password(password)
    return _HASHES[password]


def create_user(email=None, password=DEFAULT_PASSWORD, name=None, verified=True, roles=(), **fields):
    """A committed user (verified by default) holding ``roles`` given as (role, scope_type, scope_id).

    Committed (inside the test's transaction) so that a view rolling back after a refusal does
    not take the test's users with it. ``password=None`` stores an unusable hash (no hashing cost).
    """
    from residency.accounts.models import RoleGrant, User
    from residency.core.types import utcnow

    n = _db.session.scalar(_db.select(_db.func.count(User.id))) + 1
    user = User(
        email=email or f"user{n}@example.org",
        password_hash=cached_hash(password) if password is not None else "!",
        display_name=name or (email.split("@")[0] if email else f"User {n}"),
        email_verified_at=utcnow() if verified else None,
        **fields,
    )
    _db.session.add(user)
    _db.session.flush()
    for role, scope_type, scope_id in roles:
        _db.session.add(RoleGrant(user_id=user.id, role=role, scope_type=scope_type, scope_id=scope_id))
    _db.session.commit()
    return user


@pytest.fixture
def make_user(app):
    """``make_user(email=…, password=…, verified=…, roles=[…], **columns)``: see :func:`create_user`."""
    return create_user


def log_in_without_form(client, user):
    """Log ``client`` in as ``user`` without the login form: a server-side login session and the
    session cookie naming it, as ``start_session`` makes them."""
    from flask_login.utils import _create_identifier

    from residency.accounts.models import LoginSession, hash_token, new_token

    token = new_token()
    _db.session.add(LoginSession(token_hash=hash_token(token), user_id=user.id, user_agent="test"))
    _db.session.commit()
    with client.application.test_request_context():
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session.permanent = True
        session["_user_id"] = token
        session["_fresh"] = True
        session["_id"] = identifier
    return user


@pytest.fixture
def login_as(client):
    """``login_as(user)`` logs the client in without the login form (for tests not about logging in)."""
    return lambda user: log_in_without_form(client, user)


def log_in(client, email, password=DEFAULT_PASSWORD):
    response = client.post_form("/login", {"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def login(client):
    """``login(user)`` logs the test client in through the real login form."""

    def do(user, password=DEFAULT_PASSWORD):
        return log_in(client, user.email, password)

    return do


@pytest.fixture
def city(app):
    from residency.cities.models import City

    return _db.session.execute(_db.select(City).where(City.slug == "lyon")).scalar_one()


@pytest.fixture
def other_city(app):
    from residency.cities.models import City

    return _db.session.execute(_db.select(City).where(City.slug == "linz")).scalar_one()


class Mailbox:
    """Messages received by the real SMTP server."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    def clear(self):
        with self.lock:
            self.messages.clear()

    def to(self, address):
        with self.lock:
            return [m for m in self.messages if address in m["To"]]


@pytest.fixture(scope="session")
def smtp_server():
    """An aiosmtpd server on a free port collecting every message it receives."""
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    mailbox = Mailbox()

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            with mailbox.lock:
                mailbox.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            return "250 OK"

    port = services.free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    yield controller, mailbox
    controller.stop()


@pytest.fixture
def mailbox(app, smtp_server):
    """Deliver e-mail of this test to the real SMTP server; ``deliver()`` sends the outbox."""
    controller, box = smtp_server
    box.clear()
    previous = {key: app.config[key] for key in ("SMTP_HOST", "SMTP_PORT")}
    app.config.update(SMTP_HOST=controller.hostname, SMTP_PORT=controller.port)
    yield box
    app.config.update(previous)


def deliver_outbox():
    """Run the delivery the worker would run for every unsent message (in this test's transaction)."""
    from residency.notifications.models import EmailMessage
    from residency.notifications.delivery import send_pending

    ids = _db.session.execute(_db.select(EmailMessage.id).where(EmailMessage.sent_at.is_(None))).scalars().all()
    for message_id in ids:
        send_pending(message_id)
    _db.session.commit()
    return ids


def link_in(message, path_prefix):
    """The first link in an e-mail whose path starts with ``path_prefix``; returns the path."""
    body = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"https?://[^/\s]+(" + re.escape(path_prefix) + r"[^\s]*)", body)
    assert match, f"no {path_prefix} link in: {body}"
    return match.group(1)


def _wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise TimeoutError(f"{what} did not start in {timeout}s")


@pytest.fixture(scope="session")
def moto_s3(tmp_path_factory):
    """moto's S3 server over real HTTP, with a bucket; yields the S3_* settings."""
    port = services.free_port()
    log = open(tmp_path_factory.mktemp("moto") / "moto.log", "w")
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT
    )
    endpoint = f"http://127.0.0.1:{port}"

    def up():
        try:
            return requests.get(endpoint + "/moto-api/", timeout=1).status_code < 500
        except requests.RequestException:
            return False

    try:
        _wait(up, 30, "moto server")
        settings = {
            "S3_ENDPOINT_URL": endpoint,
            "S3_BUCKET": "residency-test",
            "S3_ACCESS_KEY_ID": "testing",
            "S3_SECRET_ACCESS_KEY": "testing",
            "S3_REGION": "us-east-1",
        }
        boto3.client(
            "s3", endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing",
            region_name="us-east-1",
        ).create_bucket(Bucket=settings["S3_BUCKET"])
        yield settings
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


#: Modules driving Flask-SocketIO's in-process test server with the suite's application. The
#: Socket.IO extension is process-wide, and a test that builds an application of its own (on a
#: database of its own) re-registers the rooms' handlers against that application; these modules
#: therefore run first. Known defect, to be fixed in the rooms feature (handlers must not capture
#: the application they were registered with).
SOCKET_MODULES_FIRST = ("tests/rooms/test_sockets.py", "tests/rooms/test_attachments.py")


def pytest_collection_modifyitems(session, config, items):
    first = [item for item in items if item.nodeid.startswith(SOCKET_MODULES_FIRST)]
    if first:
        rest = [item for item in items if not item.nodeid.startswith(SOCKET_MODULES_FIRST)]
        items[:] = first + rest
