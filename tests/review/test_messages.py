"""Messages from the coordinators: to one application's people or to every applicant, by e-mail."""

from residency.applications.models import ApplicationMessage
from residency.applications import review_messages
from residency.audit.models import AuditEntry
from tests.accounts.support import page_text
from tests.conftest import deliver_outbox

TEXTS = {"en": {"title": "Sound residency"}, "fr": {"title": "Résidence sonore"}}


def body_of(message):
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def test_a_message_to_one_application_reaches_its_people_in_their_language(client, db, login_as, coordinator,
                                                                           make_call, make_application, make_user,
                                                                           mailbox):
    """The owner and the accepted co-applicant get the message over SMTP, each framed in their
    language; a co-applicant who has not accepted gets nothing."""
    call = make_call(texts=TEXTS)
    owner = make_user(name="Ada", email="ada@example.org", locale="en")
    partner = make_user(name="Jean", email="jean@example.org", locale="fr")
    pending = make_user(name="Pat", email="pat@example.org")
    application = make_application(call, owner=owner, members=[(partner, True), (pending, False)])
    login_as(coordinator)

    response = client.post_form(f"/manage/calls/{call.id}/applications/{application.id}/messages",
                                {"subject": "Your video link", "body": "The link does not open.\nCould you check it?"})
    assert response.status_code == 302
    deliver_outbox()

    to_ada, = mailbox.to("ada@example.org")
    to_jean, = mailbox.to("jean@example.org")
    assert mailbox.to("pat@example.org") == []
    assert to_ada["Subject"] == "Your video link — Sound residency"
    assert to_jean["Subject"] == "Your video link — Résidence sonore"
    assert "Hello Ada," in body_of(to_ada) and "The link does not open.\nCould you check it?" in body_of(to_ada)
    assert "Bonjour Jean," in body_of(to_jean)
    message = db.session.execute(db.select(ApplicationMessage)).scalar_one()
    assert (message.application_id, message.recipients, message.sender_id) == (application.id, 2, coordinator.id)
    entry = db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "application.message_sent")).scalar_one()
    assert entry.actor_id == coordinator.id and entry.data["recipients"] == 2
    assert "Your video link" in page_text(client.get(f"/manage/calls/{call.id}/applications/{application.id}"))


def test_a_message_to_all_reaches_each_applicant_once(client, db, login_as, coordinator, call, make_application,
                                                      make_user, mailbox):
    """Every artist with a submitted application gets one e-mail, even with two applications;
    withdrawn applications and drafts get none; the message is listed with its recipients."""
    twice = make_user(email="twice@example.org")
    make_application(call, owner=twice)
    make_application(call, owner=twice)
    make_application(call, owner=make_user(email="shortlisted@example.org"), state="shortlisted")
    make_application(call, owner=make_user(email="withdrawn@example.org"), state="withdrawn")
    make_application(call, owner=make_user(email="draft@example.org"), state="draft")
    login_as(coordinator)

    response = client.post_form(f"/manage/calls/{call.id}/applications/messages",
                                {"subject": "Jury dates", "body": "The jury meets on 3 May."})
    assert response.status_code == 302
    deliver_outbox()

    assert len(mailbox.to("twice@example.org")) == 1
    assert len(mailbox.to("shortlisted@example.org")) == 1
    assert mailbox.to("withdrawn@example.org") == [] and mailbox.to("draft@example.org") == []
    text = page_text(client.get(f"/manage/calls/{call.id}/applications/messages"))
    assert "Jury dates" in text and "Every applicant" in text and "Camille Coordinator" in text


def test_messages_to_all_are_limited_per_day(client, db, login_as, coordinator, call, make_application, mailbox):
    """After five messages to every applicant in 24 hours the next is refused (429) and not sent."""
    make_application(call)
    login_as(coordinator)
    url = f"/manage/calls/{call.id}/applications/messages"

    for n in range(review_messages.BROADCASTS_PER_DAY):
        assert client.post_form(url, {"subject": f"News {n}", "body": "Text"}).status_code == 302
    response = client.post_form(url, {"subject": "One more", "body": "Text"})

    assert response.status_code == 429
    assert "At most 5 messages to all applicants" in page_text(response)
    assert db.session.scalar(db.select(db.func.count(ApplicationMessage.id))) == review_messages.BROADCASTS_PER_DAY


def test_the_same_message_twice_in_a_row_is_sent_once(client, db, login_as, coordinator, call, make_application):
    """A double click does not send the same message twice (409)."""
    application = make_application(call)
    login_as(coordinator)
    url = f"/manage/calls/{call.id}/applications/{application.id}/messages"

    assert client.post_form(url, {"subject": "Hello", "body": "Text"}).status_code == 302
    again = client.post_form(url, {"subject": "Hello", "body": "Text"})

    assert again.status_code == 409
    assert "already sent" in page_text(again)
    assert db.session.scalar(db.select(db.func.count(ApplicationMessage.id))) == 1


def test_a_message_needs_a_subject_and_a_text(client, db, login_as, coordinator, call, make_application):
    """An empty subject or text is refused with a message on the field; nothing is sent."""
    make_application(call)
    login_as(coordinator)

    response = client.post_form(f"/manage/calls/{call.id}/applications/messages", {"subject": "", "body": ""})

    assert response.status_code == 400
    assert 'href="#subject"' in response.get_data(as_text=True) and 'href="#body"' in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(ApplicationMessage.id))) == 0
