"""The schema the models describe is exactly the one the migrations build, and the migrations
run both ways on an empty database."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect
from sqlalchemy.pool import NullPool

from residency.extensions import db as _db
from tests import services


def test_models_and_migrations_do_not_drift(app):
    """Alembic finds nothing to add, drop or alter (as `flask db check` does)."""
    with _db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True})
        diff = compare_metadata(context, _db.metadata)
    assert diff == []


@pytest.fixture
def empty_database(tmp_path):
    if services.TEST_DATABASE_URL:
        url = services.create_postgres_database("residency_migrations")
        yield url
        services.drop_postgres_database(url)
    else:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"


def test_migrations_upgrade_downgrade_and_upgrade_again(app, empty_database):
    """From nothing to head, back to nothing, and to head again: the 22 cities each time."""
    engine = app.extensions["sqlalchemy"].engines
    original_uri = app.config["SQLALCHEMY_DATABASE_URI"]
    check = create_engine(empty_database, poolclass=NullPool)
    try:
        with app.app_context():
            app.config["SQLALCHEMY_DATABASE_URI"] = empty_database
            # Flask-SQLAlchemy caches engines per app: point the default engine at the empty database.
            previous = engine[None]
            engine[None] = check
            try:
                upgrade()
                assert "users" in inspect(check).get_table_names()
                with check.connect() as connection:
                    assert connection.exec_driver_sql("SELECT count(*) FROM cities").scalar() == 22
                downgrade(revision="base")
                assert "users" not in inspect(check).get_table_names()
                upgrade()
                with check.connect() as connection:
                    assert connection.exec_driver_sql("SELECT count(*) FROM cities").scalar() == 22
            finally:
                engine[None] = previous
    finally:
        app.config["SQLALCHEMY_DATABASE_URI"] = original_uri
        check.dispose()
