"""Every authentication event leaves an audit entry; the audit log is append-only."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from residency.audit.models import AuditEntry
from residency.audit.operations import record
from residency.extensions import db
from tests.accounts.support import audit_actions, register, user_by_email
from tests.conftest import DEFAULT_PASSWORD, deliver_outbox, link_in

NEW_PASSWORD = "a brand new evening tide 7"


def test_registration_and_verification_are_audited(client, mailbox):
    """Registering and confirming the address each leave an entry on the user."""
    register(client)
    deliver_outbox()
    client.post_form(link_in(mailbox.to("ada@example.org")[0], "/verify/"))

    user = user_by_email("ada@example.org")
    assert audit_actions(object_id=user.id, object_type="users") == ["user.registered", "user.email_verified"]


def test_login_success_and_failures_are_audited(client, make_user):
    """A login, a wrong password and an unknown e-mail each leave an entry."""
    user = make_user()

    client.post_form("/login", {"email": user.email, "password": "wrong password"})
    client.post_form("/login", {"email": "nobody@example.org", "password": "wrong password"})
    client.post_form("/login", {"email": user.email, "password": DEFAULT_PASSWORD})

    assert audit_actions() == ["auth.login_failed", "auth.login_failed", "auth.login"]
    entries = db.session.execute(db.select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
    assert [entry.data.get("reason") for entry in entries] == ["wrong_password", "unknown_email", None]
    assert entries[0].object_id == user.id and entries[0].actor_id is None
    assert entries[2].actor_id == user.id
    assert entries[2].ip == "127.0.0.1"


def test_logout_is_audited(client, make_user, login_as):
    """Logging out leaves an entry by the user."""
    user = make_user()
    login_as(user)

    client.post_form("/logout")

    assert audit_actions(actor_id=user.id) == ["auth.logout"]


def test_password_reset_is_audited(client, make_user, mailbox):
    """Asking a reset and resetting each leave an entry on the user."""
    user = make_user(email="ada@example.org")
    client.post_form("/password/forgot", {"email": "ada@example.org"})
    deliver_outbox()
    client.post_form(link_in(mailbox.to("ada@example.org")[0], "/password/reset/"), {"password": NEW_PASSWORD})

    assert audit_actions(object_id=user.id) == ["auth.reset_requested", "auth.password_reset"]


def test_password_change_is_audited(client, make_user, login_as):
    """Changing the password leaves an entry by the user."""
    user = make_user()
    login_as(user)

    client.post_form("/account/password", {"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD})

    assert audit_actions(actor_id=user.id) == ["auth.password_changed"]


def test_email_change_is_audited(client, make_user, login_as, mailbox):
    """Asking and confirming an e-mail change each leave an entry."""
    user = make_user(email="ada@example.org")
    login_as(user)
    client.post_form("/account/email", {"new_email": "ada@new.example", "password": DEFAULT_PASSWORD})
    deliver_outbox()
    client.post_form(link_in(mailbox.to("ada@new.example")[0], "/account/email/confirm/"))

    assert audit_actions(actor_id=user.id) == ["user.email_change_requested", "user.email_changed"]


def test_audit_entries_hold_no_password(client, make_user):
    """No audit entry holds the password that was typed, right or wrong."""
    register(client, email="bob@example.org", password="the secret phrase of bob")
    client.post_form("/logout")
    client.post_form("/login", {"email": "bob@example.org", "password": "the secret phrase of bob!"})

    rows = db.session.execute(db.select(AuditEntry)).scalars().all()
    assert rows
    assert not any("secret phrase" in str(entry.data) for entry in rows)


def _entry():
    entry = record("test.entry", note="x")
    db.session.commit()
    return entry.id


def test_audit_entries_cannot_be_updated(app):
    """The database refuses to change an audit entry."""
    entry_id = _entry()

    with pytest.raises(DBAPIError, match="append-only"):
        with db.session.begin_nested():
            db.session.execute(text("UPDATE audit_entries SET action = 'forged' WHERE id = :id"), {"id": entry_id})

    assert db.session.get(AuditEntry, entry_id).action == "test.entry"


def test_audit_entries_cannot_be_deleted(app):
    """The database refuses to delete an audit entry."""
    entry_id = _entry()

    with pytest.raises(DBAPIError, match="append-only"):
        with db.session.begin_nested():
            db.session.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": entry_id})

    db.session.expire_all()
    assert db.session.get(AuditEntry, entry_id) is not None

