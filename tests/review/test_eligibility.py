"""Eligibility flags: coordinators mark an application eligible or not, with a note, audited."""

from residency.applications.models import Application
from residency.audit.models import AuditEntry
from tests.accounts.support import page_text
from tests.review.conftest import list_url


def url(call, application):
    return f"/manage/calls/{call.id}/applications/{application.id}/eligibility"


def test_marking_not_eligible_keeps_the_note_and_is_audited(client, db, login_as, coordinator, call, make_application):
    """"Not eligible" with a note: saved, shown in the list, kept in the notes, recorded in the audit log."""
    application = make_application(call)
    login_as(coordinator)

    response = client.post_form(url(call, application), {"decision": "ineligible", "note": "Lives in Mars City"})

    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Application, application.id)
    assert saved.eligible is False
    assert saved.eligibility_notes[-1]["note"] == "Lives in Mars City"
    assert saved.eligibility_notes[-1]["by"] == coordinator.id
    entry = db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "application.eligibility_set")).scalar_one()
    assert entry.actor_id == coordinator.id and entry.object_id == application.id and entry.data["eligible"] == "no"
    text = page_text(client.get(list_url(call, eligible="no")))
    assert "Lives in Mars City" in text


def test_not_eligible_needs_a_note(client, db, login_as, coordinator, call, make_application):
    """"Not eligible" without a note is refused with a message linking to the field; nothing changes."""
    application = make_application(call, eligible=True)
    login_as(coordinator)

    response = client.post_form(url(call, application), {"decision": "ineligible", "note": "  "})

    assert response.status_code == 400
    assert 'href="#note"' in response.get_data(as_text=True)
    assert "Say why the application is not eligible." in page_text(response)
    db.session.expire_all()
    assert db.session.get(Application, application.id).eligible is True
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(AuditEntry.action == "application.eligibility_set")) == 0


def test_notes_keep_their_history(client, db, login_as, coordinator, call, make_application):
    """Each decision adds a note; the application page lists them, newest first."""
    application = make_application(call, notes=["Automatic check: country not listed"])
    login_as(coordinator)

    client.post_form(url(call, application), {"decision": "ineligible", "note": "First look: outside"})
    client.post_form(url(call, application), {"decision": "eligible", "note": "Proof of residence received"})

    db.session.expire_all()
    saved = db.session.get(Application, application.id)
    assert saved.eligible is True
    assert len(saved.eligibility_notes) == 3
    text = page_text(client.get(f"/manage/calls/{call.id}/applications/{application.id}"))
    assert text.index("Proof of residence received") < text.index("First look: outside") < text.index("Automatic check")


def test_an_unknown_decision_is_refused(client, db, login_as, coordinator, call, make_application):
    """A decision that is not one of the three choices is refused; nothing changes."""
    application = make_application(call, eligible=True)
    login_as(coordinator)

    response = client.post_form(url(call, application), {"decision": "maybe"})

    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Application, application.id).eligible is True
