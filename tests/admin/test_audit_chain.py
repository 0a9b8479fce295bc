"""The audit log is a hash chain: every entry is linked to the one before it, a change, removal or
reordering made behind the application's back is found and named, by the command and on the
admins' page; concurrent writers never fork the chain."""

import threading

import pytest
from sqlalchemy import text

import config as settings
from residency import create_app
from residency.audit.models import AuditChainHead, AuditEntry
from residency.audit.operations import record, verify_log
from residency.extensions import db as _db
from tests import services
from tests.accounts.support import page_text


def _entries(db, count):
    ids = []
    for number in range(count):
        ids.append(record("test.chain", note=f"entry {number}", amount=number * 1.5, text="é ü 日本"))
        db.session.commit()
    return [entry.id for entry in ids]


def _bypass_guard(db):
    """What someone with direct database access does: lift the append-only triggers (inside the
    test's transaction, so they come back when it rolls back)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_no_update"))
    else:
        db.session.execute(text("DROP TRIGGER audit_entries_no_update"))
        db.session.execute(text("DROP TRIGGER audit_entries_no_delete"))


def verify_cli(app):
    return app.test_cli_runner().invoke(args=["residency", "verify-audit"])


def test_entries_are_linked_in_order_and_verify(app, db):
    """Each committed entry takes the next number and the hash of the one before it."""
    before = db.session.get(AuditChainHead, 1).seq
    ids = _entries(db, 3)
    entries = [db.session.get(AuditEntry, entry_id) for entry_id in ids]

    assert [entry.seq for entry in entries] == [before + 1, before + 2, before + 3]
    assert entries[1].prev_hash == entries[0].hash and entries[2].prev_hash == entries[1].hash
    assert len({entry.hash for entry in entries}) == 3
    assert db.session.get(AuditChainHead, 1).hash == entries[-1].hash
    broken, count = verify_log()
    assert broken is None and count == before + 3
    result = verify_cli(app)
    assert result.exit_code == 0 and "verifies" in result.output


def test_a_rolled_back_action_audits_nothing(app, db):
    """The entry of an action that did not happen is not written and takes no number."""
    head = db.session.get(AuditChainHead, 1).seq
    record("test.chain", note="never happened")
    db.session.rollback()
    _entries(db, 1)
    assert db.session.get(AuditChainHead, 1).seq == head + 1
    assert verify_log()[0] is None


def test_a_changed_entry_is_named(app, db):
    """Editing an entry's content in the database breaks the chain at that entry."""
    ids = _entries(db, 3)
    _bypass_guard(db)
    db.session.execute(text("UPDATE audit_entries SET action = 'test.forged' WHERE id = :id"), {"id": ids[1]})

    broken, _count = verify_log()
    assert broken.key == ids[1] and broken.reason == "content"
    result = verify_cli(app)
    assert result.exit_code == 1 and f"entry {ids[1]}" in result.output and "content was changed" in result.output


def test_a_rehashed_entry_breaks_the_next_link(app, db):
    """A forger who recomputes the edited entry's own hash still breaks the link of the next one."""
    from residency.core import chain

    ids = _entries(db, 3)
    _bypass_guard(db)
    entry = db.session.get(AuditEntry, ids[1])
    content = entry.chain_content()
    content["action"] = "test.forged"
    forged = chain.link(content, entry.prev_hash)
    db.session.execute(text("UPDATE audit_entries SET action = 'test.forged', hash = :h WHERE id = :id"),
                       {"id": ids[1], "h": forged})

    broken, _count = verify_log()
    assert broken.key == ids[2] and broken.reason == "link"


def test_a_removed_entry_is_found(app, db):
    """Deleting an entry in the middle breaks the next link; deleting the last is seen by the head."""
    ids = _entries(db, 3)
    _bypass_guard(db)
    db.session.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": ids[1]})
    assert verify_log()[0].key == ids[2]

    db.session.rollback()
    ids = _entries(db, 2)
    _bypass_guard(db)
    db.session.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": ids[-1]})
    broken, _count = verify_log()
    assert broken.reason == "truncated"
    assert "were removed" in verify_cli(app).output


def test_admins_verify_the_chain_and_filter_the_log(client, make_user, login_as, db):
    """The admin's page verifies on demand and filters by action, person, object and day; the
    filters' bad values are ignored rather than failing."""
    admin = make_user(email="root@example.org", roles=[("network_admin", "network", 0)])
    other = make_user(email="someone@example.org")
    record("test.by_admin", actor=admin, obj=other)
    record("test.by_other", actor=other)
    db.session.commit()
    login_as(admin)

    verified = client.post_form("/admin/audit", follow_redirects=True)
    assert "The audit chain verifies" in page_text(verified)

    by_person = page_text(client.get("/admin/audit?actor=someone@"))
    assert "test.by_other" in by_person and "test.by_admin" not in by_person
    by_object = page_text(client.get(f"/admin/audit?object_type=users&object_id={other.id}"))
    assert "test.by_admin" in by_object and "test.by_other" not in by_object
    nonsense = client.get("/admin/audit?object_id=abc&since=yesterday&until=2026-13-45&page=-3")
    assert nonsense.status_code == 200 and "test.by_other" in page_text(nonsense)

    _bypass_guard(db)
    db.session.execute(text("UPDATE audit_entries SET ip = '10.6.6.6' WHERE action = 'test.by_other'"))
    broken = page_text(client.post_form("/admin/audit", follow_redirects=True))
    assert "The audit chain is broken at entry" in broken


def test_only_admins_verify(client, make_user, login_as):
    """Someone without the audit permission cannot run the verification."""
    login_as(make_user())
    assert client.post_form("/admin/audit").status_code == 403


@pytest.fixture(scope="module")
def own_database(tmp_path_factory):
    """An application on a PostgreSQL database of its own, for transactions that really commit."""
    if not services.TEST_DATABASE_URL:
        if services.CI:
            pytest.fail("CI=true needs TEST_DATABASE_URL (PostgreSQL)", pytrace=False)
        pytest.skip("concurrent transactions: PostgreSQL")
    from flask_migrate import upgrade

    url = services.create_postgres_database("residency_audit_chain")
    config = settings.TestingConfig(tmp_path_factory.mktemp("data"))
    config.SQLALCHEMY_DATABASE_URI = url
    app = create_app(config)
    try:
        with app.app_context():
            upgrade()
        yield app
    finally:
        with app.app_context():
            _db.engine.dispose()
        services.drop_postgres_database(url)


def test_concurrent_writers_never_fork_the_chain(own_database):
    """Eight threads committing entries at once on PostgreSQL: every entry is in one chain that
    verifies, with numbers 1..n and no two entries claiming the same predecessor."""
    app = own_database
    start = threading.Barrier(8)
    errors = []

    def writer(number):
        try:
            with app.app_context():
                start.wait(timeout=30)
                for index in range(10):
                    record("test.concurrent", writer=number, index=index)
                    if index % 3 == 0:
                        record("test.concurrent.pair", writer=number, index=index)
                    _db.session.commit()
                _db.session.remove()
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    with app.app_context():
        entries = _db.session.execute(_db.select(AuditEntry).order_by(AuditEntry.seq)).scalars().all()
        assert [entry.seq for entry in entries] == list(range(1, len(entries) + 1))
        assert len(entries) == 8 * (10 + 4)
        assert len({entry.prev_hash for entry in entries}) == len(entries)
        broken, count = verify_log()
        assert broken is None and count == len(entries)
        _db.session.remove()
