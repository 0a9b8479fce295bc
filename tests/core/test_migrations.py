"""The schema the models describe is exactly the one the migrations build, and the migrations
run both ways on an empty database."""

from contextlib import contextmanager

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


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    """An empty database of each kind the platform runs on: SQLite (``make run``'s default) is
    migrated in every run, whatever database the suite uses."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    if not services.TEST_DATABASE_URL:
        if services.CI:
            pytest.fail("CI=true needs TEST_DATABASE_URL (PostgreSQL)", pytrace=False)
        pytest.skip("PostgreSQL: set TEST_DATABASE_URL")
    url = services.create_postgres_database("residency_migrations")
    yield url
    services.drop_postgres_database(url)


@contextmanager
def migrating(app, url):
    """An application context whose migrations run on the database at ``url``; yields its engine."""
    engines = app.extensions["sqlalchemy"].engines
    original_uri = app.config["SQLALCHEMY_DATABASE_URI"]
    check = create_engine(url, poolclass=NullPool)
    try:
        with app.app_context():
            app.config["SQLALCHEMY_DATABASE_URI"] = url
            # Flask-SQLAlchemy caches engines per app: point the default engine at that database.
            previous = engines[None]
            engines[None] = check
            try:
                yield check
            finally:
                engines[None] = previous
    finally:
        app.config["SQLALCHEMY_DATABASE_URI"] = original_uri
        check.dispose()


def insert_call(connection, call_id, slug, state="draft", form=(), rubric=(), eligibility=None):
    """A call of city 1, written with SQL as an older revision's schema holds it."""
    import json

    connection.exec_driver_sql(
        "INSERT INTO calls (id, slug, city_id, main_language, texts, disciplines, format, places, timezone, state, "
        "allow_multiple_applications, eligibility, form, rubric, created_at, updated_at) VALUES "
        f"({call_id}, '{slug}', 1, 'en', '{{}}', '[]', 'online', 1, 'UTC', '{state}', false, "
        f"'{json.dumps(eligibility or {})}', '{json.dumps(list(form))}', '{json.dumps(list(rubric))}', "
        "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")


def test_migrations_upgrade_downgrade_and_upgrade_again(app, empty_database):
    """From nothing to head, back to nothing, and to head again: the 22 cities each time."""
    with migrating(app, empty_database) as check:
        upgrade()
        assert "users" in inspect(check).get_table_names()
        with check.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM cities").scalar() == 22
        downgrade(revision="base")
        assert "users" not in inspect(check).get_table_names()
        upgrade()
        with check.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM cities").scalar() == 22


def test_applications_submitted_before_0005_are_listed_with_their_residence_and_files(app, empty_database):
    """Upgrading copies the residence and files of each last submitted version into the columns the
    coordinators' list reads, and moves the removed-files list out of the answers."""
    import json

    snapshot = {"format": 1, "owner": {"user_id": 1, "profile": {"country_of_residence": "fr"}},
                "eligibility": {"country": "BE", "city": 1},
                "answers": [{"id": "statement", "type": "long_text", "value": "Sound."},
                            {"id": "reel", "type": "file", "value": [{"id": 7, "filename": "reel.mp4", "sha256": "ab" * 32}]}]}
    with migrating(app, empty_database) as check:
        upgrade(revision="0004_asset_slot_index")
        with check.begin() as connection:
            run = connection.exec_driver_sql
            run("INSERT INTO users (id, email, password_hash, display_name, locale, timezone, is_active, created_at) "
                "VALUES (1, 'ada@example.org', '!', 'Ada', 'en', 'UTC', true, CURRENT_TIMESTAMP)")
            insert_call(connection, 1, "c", state="open")
            for app_id, version, answers in ((1, 1, {"statement": "Sound.", "_detached": [3, 5]}), (2, 0, {})):
                run("INSERT INTO applications (id, call_id, owner_id, state, answers, eligibility_answers, "
                    "eligibility_notes, current_version, created_at, updated_at) VALUES "
                    f"({app_id}, 1, 1, '{'submitted' if version else 'draft'}', '{json.dumps(answers)}', '{{}}', "
                    f"'[]', {version}, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")
            run("INSERT INTO application_versions (application_id, number, submitted_at, snapshot, fingerprint) "
                f"VALUES (1, 1, CURRENT_TIMESTAMP, '{json.dumps(snapshot)}', 'f')")
        upgrade()
        with check.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT id, residence_country, residence_city_id, detached_asset_ids, answers "
                "FROM applications ORDER BY id").all()
            files = connection.exec_driver_sql(
                "SELECT application_id, asset_id, call_id, question_id, filename, sha256 FROM application_files").all()

    def as_json(value):
        return json.loads(value) if isinstance(value, str) else value

    submitted, draft = rows
    assert (submitted.residence_country, submitted.residence_city_id) == ("FR", 1)
    assert as_json(submitted.detached_asset_ids) == [3, 5]
    assert as_json(submitted.answers) == {"statement": "Sound."}
    assert (draft.residence_country, draft.residence_city_id, as_json(draft.detached_asset_ids)) == (None, None, [])
    assert [tuple(f) for f in files] == [(1, 7, 1, "reel", "reel.mp4", "ab" * 32)]


def test_calls_created_before_0006_keep_never_reusing_removed_ids(app, empty_database):
    """Upgrading sets each call's id counters to the highest number among its items and the
    removals in the audit log, so an id removed before the upgrade is not given again."""
    import json

    with migrating(app, empty_database) as check:
        upgrade(revision="0005_application_listing")
        with check.begin() as connection:
            run = connection.exec_driver_sql
            form = [{"id": "q1", "type": "short_text"}, {"id": "q3", "type": "short_text"}]
            for call_id, slug, items in ((1, "used", (form, [{"id": "c2"}], {"questions": [{"id": "e1"}]})),
                                         (2, "empty", ([], [], {}))):
                insert_call(connection, call_id, slug, form=items[0], rubric=items[1], eligibility=items[2])
            for action, item_id, object_id in (("call.question_removed", "q5", 1), ("call.criterion_removed", "c1", 1),
                                               ("call.question_removed", "q9", 2), ("call.question_added", "q7", 1)):
                run("INSERT INTO audit_entries (at, action, object_type, object_id, data) VALUES "
                    f"(CURRENT_TIMESTAMP, '{action}', 'calls', {object_id}, '{json.dumps({'item_id': item_id})}')")
        upgrade()
        with check.connect() as connection:
            counters = connection.exec_driver_sql(
                "SELECT id, last_question_number, last_criterion_number, last_condition_number FROM calls "
                "ORDER BY id").all()

    assert [tuple(row) for row in counters] == [(1, 5, 2, 1), (2, 9, 0, 0)]
