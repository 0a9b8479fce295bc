"""A GET that only read ends its transaction with COMMIT (so PostgreSQL keeps the page's prepared
statements); anything else a request did without committing is still rolled back, never kept."""

import pytest
from sqlalchemy import event, text

import config as settings
from residency import create_app
from residency.extensions import db as _db
from tests import services

PROBE = "read_only_probe"


@pytest.fixture
def probe_app(database_url, tmp_path):
    """An app of its own on the test database (not the ``app`` fixture: no test transaction around
    its requests), with views that read, write without committing or fail, and a scratch table."""
    config = settings.TestingConfig(tmp_path / "data")
    config.SQLALCHEMY_DATABASE_URI = database_url
    config.WTF_CSRF_ENABLED = False
    probe = create_app(config)

    @probe.route("/probe/read", methods=["GET", "POST"])
    def read():
        return str(_db.session.execute(text(f"SELECT count(*) FROM {PROBE}")).scalar())

    @probe.get("/probe/write")
    def write():  # a GET that writes and forgets to commit
        _db.session.execute(text(f"INSERT INTO {PROBE} (note) VALUES ('kept?')"))
        return "wrote"

    @probe.get("/probe/write-then-crash")
    def crash():
        _db.session.execute(text(f"INSERT INTO {PROBE} (note) VALUES ('kept?')"))
        raise RuntimeError("a bug")

    ends = []
    with probe.app_context():  # not held during the test: each request gets its own, as on a server
        with _db.engine.begin() as connection:
            connection.execute(text(f"CREATE TABLE {PROBE} (note VARCHAR(20))"))
        for name in ("commit", "rollback"):
            event.listen(_db.engine, name, lambda connection, name=name: ends.append(name))
    probe.ends = ends
    try:
        yield probe
    finally:
        with probe.app_context():
            with _db.engine.begin() as connection:
                connection.execute(text(f"DROP TABLE {PROBE}"))
            _db.engine.dispose()


def test_a_get_that_only_read_commits(probe_app):
    client = probe_app.test_client()
    assert client.get("/probe/read").get_data(as_text=True) == "0"
    assert probe_app.ends == ["commit"]


def test_a_get_that_wrote_without_committing_is_rolled_back(probe_app):
    client = probe_app.test_client()
    assert client.get("/probe/write").status_code == 200
    assert client.get("/probe/read").get_data(as_text=True) == "0"  # nothing was kept
    assert probe_app.ends == ["rollback", "commit"]


def test_a_post_and_a_crashed_get_are_rolled_back(probe_app):
    client = probe_app.test_client()
    assert client.post("/probe/read").status_code == 200
    assert client.get("/probe/write-then-crash").status_code == 500
    assert probe_app.ends == ["rollback", "rollback"]
    assert client.get("/probe/read").get_data(as_text=True) == "0"


def test_a_page_read_again_and_again_runs_prepared_statements(probe_app):
    """psycopg prepares a statement at its fifth run on a connection, and forgets them all at a
    ROLLBACK: ending read-only requests with COMMIT is what lets them be prepared at all."""
    if not services.TEST_DATABASE_URL:
        pytest.skip("prepared statements are PostgreSQL's")
    client = probe_app.test_client()
    for _ in range(6):
        assert client.get("/probe/read").status_code == 200
    assert probe_app.ends == ["commit"] * 6
    with probe_app.app_context():
        with _db.engine.connect() as connection:  # the pool's only connection: the one the views used
            prepared = connection.execute(text("SELECT statement FROM pg_prepared_statements")).scalars().all()
    assert any(PROBE in statement for statement in prepared), prepared


def test_prepared_statements_can_be_switched_off_for_pgbouncer(database_url, tmp_path, monkeypatch):
    """``DATABASE_PREPARED_STATEMENTS=false`` (PgBouncer in transaction mode): psycopg never prepares."""
    if not services.TEST_DATABASE_URL:
        pytest.skip("prepared statements are PostgreSQL's")
    thresholds = {}
    for setting in ("true", "false"):
        monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", setting)
        monkeypatch.setenv("DATABASE_URL", database_url)
        config = settings.TestingConfig(tmp_path / setting)
        probe = create_app(config)
        with probe.app_context():
            with _db.engine.connect() as connection:
                thresholds[setting] = connection.connection.driver_connection.prepare_threshold
            _db.engine.dispose()
    assert thresholds == {"true": 5, "false": None}
