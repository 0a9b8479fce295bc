"""Backups: ``flask residency backup`` then ``restore`` into an empty installation gives back every
row of every table, every stored file and a verifying audit chain; a restore that cannot be
exact refuses and changes nothing."""

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import text

import config as settings
from residency import create_app
from residency.admin.backup import _encode
from residency.extensions import db as _db
from tests import services


def _app(url, data_dir):
    from flask_migrate import upgrade

    config = settings.TestingConfig(data_dir)
    config.SQLALCHEMY_DATABASE_URI = url
    app = create_app(config)
    with app.app_context():
        upgrade()
    return app


def cli(app, *args):
    """Run ``flask residency ARGS`` against ``app`` (the flask command pushes its context)."""
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["residency", *args])
        _db.session.remove()
    return result


def snapshot(app):
    """Every row of every table (as the backup encodes them) and every file's bytes."""
    from residency.storage import get_storage

    with app.app_context():
        tables = {}
        for table in _db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows = _db.session.execute(_db.select(table).order_by(*order)).all()
            tables[table.name] = [json.dumps({c.name: _encode(row._mapping[c], c) for c in table.columns},
                                             sort_keys=True) for row in rows]
        storage = get_storage()
        files = {key: storage.open(key).read() for key, _size in storage.iter_keys()}
        _db.session.remove()
    return tables, files


@pytest.fixture(scope="module")
def installations(tmp_path_factory):
    """A source installation holding the demo network and a stored file, and an empty target."""
    if not services.TEST_DATABASE_URL:
        if services.CI:
            pytest.fail("CI=true needs TEST_DATABASE_URL (PostgreSQL)", pytrace=False)
        pytest.skip("backups: PostgreSQL")
    from residency.audit.operations import record
    from residency.core.demo import load_demo
    from residency.storage import get_storage

    urls = [services.create_postgres_database("residency_backup_source"),
            services.create_postgres_database("residency_backup_target")]
    apps = []
    try:
        source = _app(urls[0], tmp_path_factory.mktemp("source"))
        with source.app_context():
            load_demo()
            record("test.backup", note="ünïcode ✓", amount=2.5)
            _db.session.commit()
            get_storage().put("works/1/original/clip.bin", io.BytesIO(bytes(range(256)) * 4000))
            get_storage().put("stills/9/still.png", io.BytesIO(b"\x89PNG fake but bytes"))
            _db.session.remove()
        target = _app(urls[1], tmp_path_factory.mktemp("target"))
        apps = [source, target]
        yield source, target
    finally:
        for app in apps:
            with app.app_context():
                _db.engine.dispose()
        for url in urls:
            services.drop_postgres_database(url)


def test_backup_and_restore_give_back_everything(installations, tmp_path):
    """Rows of every table, files byte for byte, sequences that continue, and the audit chain."""
    source, target = installations
    folder = tmp_path / "backup"
    taken = cli(source, "backup", str(folder))
    assert taken.exit_code == 0, taken.output
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["tables"]["users"] >= 5 and manifest["tables"]["audit_entries"] >= 1
    assert any(item["key"] == "works/1/original/clip.bin" for item in manifest["files"])

    restored = cli(target, "restore", str(folder))
    assert restored.exit_code == 0, restored.output
    assert "the audit chain verifies" in restored.output

    before, after = snapshot(source), snapshot(target)
    assert before[0].keys() == after[0].keys()
    differing = [name for name in before[0] if before[0][name] != after[0][name]]
    assert differing == []
    assert before[1] == after[1] and len(after[1]) >= 2

    with target.app_context():
        from residency.audit.operations import record, verify_log

        record("test.after_restore")  # the ids and the chain continue after the restored rows
        _db.session.commit()
        broken, count = verify_log()
        assert broken is None and count == manifest["audit_head"]["seq"] + 1
        _db.session.remove()

    again = cli(target, "restore", str(folder))
    assert again.exit_code != 0 and "not empty" in again.output


def test_a_damaged_backup_is_refused_and_changes_nothing(installations, tmp_path):
    """A file whose bytes no longer match the manifest: the restore stops and rolls back."""
    source, _target = installations
    folder = tmp_path / "backup"
    assert cli(source, "backup", str(folder)).exit_code == 0
    (folder / "files" / "works/1/original/clip.bin").write_bytes(b"tampered")

    url = services.create_postgres_database("residency_backup_damaged")
    empty = _app(url, tmp_path / "empty")
    try:
        result = cli(empty, "restore", str(folder))
        assert result.exit_code != 0 and "does not match its hash" in result.output
        with empty.app_context():
            assert _db.session.scalar(text("SELECT COUNT(*) FROM users")) == 0
            assert _db.session.scalar(text("SELECT COUNT(*) FROM cities")) == 22  # the seeded rows are back
            _db.session.remove()
    finally:
        with empty.app_context():
            _db.engine.dispose()
        services.drop_postgres_database(url)


def test_a_backup_restores_on_sqlite_and_refuses_another_revision(installations, tmp_path):
    """The logical format moves between databases; a schema of another revision is refused."""
    source, _target = installations
    folder = tmp_path / "backup"
    assert cli(source, "backup", str(folder), "--no-files").exit_code == 0
    lite = _app(f"sqlite:///{tmp_path / 'lite.sqlite3'}", tmp_path / "lite")
    try:
        from residency.storage import get_storage

        with lite.app_context():  # --no-files: the files must already be in the storage
            missing = cli(lite, "restore", str(folder))
            assert missing.exit_code != 0 and "missing from the storage" in missing.output
            with source.app_context():
                source_storage = get_storage()
                files = [(key, source_storage.open(key).read()) for key, _size in source_storage.iter_keys()]
            for key, data in files:
                get_storage().put(key, io.BytesIO(data))
        result = cli(lite, "restore", str(folder))
        assert result.exit_code == 0, result.output
        before, after = snapshot(source), snapshot(lite)
        assert {name: len(rows) for name, rows in before[0].items()} == {name: len(rows) for name, rows in after[0].items()}

        manifest = json.loads((folder / "manifest.json").read_text())
        manifest["revision"] = "0001_foundation"
        (folder / "manifest.json").write_text(json.dumps(manifest))
        old = cli(lite, "restore", str(folder))
        assert old.exit_code != 0 and "revision 0001_foundation" in old.output
    finally:
        with lite.app_context():
            _db.engine.dispose()


def test_backup_refuses_an_existing_folder(installations, tmp_path):
    source, _target = installations
    Path(tmp_path / "taken").mkdir()
    result = cli(source, "backup", str(tmp_path / "taken"))
    assert result.exit_code != 0 and "exists already" in result.output
