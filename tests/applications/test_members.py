"""Co-applicants: the owner invites by e-mail with a single-use link; the invitee accepts after
logging in, then edits and submits; only the owner invites and removes."""

from residency.applications import operations
from residency.applications.models import ApplicationMember
from residency.applications.policies import is_member
from residency.audit.models import AuditEntry
from residency.core.types import utcnow
from tests.applications.conftest import GOOD, form_data
from tests.conftest import deliver_outbox, link_in


def invite(client, application, email):
    return client.post_form(f"/applications/{application.id}/members", {"email": email})


def test_invitation_by_email_accepted_after_login(db, client, login_as, login, mailbox, artist, make_user, application):
    """The owner invites; the e-mailed link, opened by a visitor, leads to login, then acceptance."""
    partner = make_user(email="kim@example.org", name="Kim")
    login_as(artist)
    assert invite(client, application, "Kim@Example.org ").status_code == 302
    deliver_outbox()
    [message] = mailbox.to("kim@example.org")
    path = link_in(message, "/applications/invitations/")
    client.post_form("/logout")
    page = client.get(path).get_data(as_text=True)
    assert "Aya" in page and "/login?next=" in page
    login(partner)
    assert "An invitation to join" in client.get("/applications").get_data(as_text=True)
    response = client.post_form(path)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/applications/{application.id}")
    member = db.session.execute(db.select(ApplicationMember)).scalar_one()
    assert member.user_id == partner.id and member.accepted_at is not None and member.token_hash is None
    assert "Digital Lights" in client.get("/applications").get_data(as_text=True)


def test_invitation_link_works_once(db, client, login_as, artist, make_user, application):
    """A used invitation link does not work again."""
    first, second = make_user(email="kim@example.org"), make_user(email="lee@example.org")
    _member, token = operations.invite_member(artist, application, "kim@example.org", utcnow())
    operations.accept_invitation(first, token, utcnow())
    db.session.commit()
    login_as(second)
    response = client.post_form(f"/applications/invitations/{token}")
    assert response.status_code == 404 and "not valid any more" in response.get_data(as_text=True)
    assert not is_member(second, application)


def test_accepted_member_edits_and_submits(db, client, login_as, artist, make_user, application):
    """A co-applicant who accepted edits the draft and submits the application."""
    partner = make_user(email="kim@example.org")
    _member, token = operations.invite_member(artist, application, partner.email, utcnow())
    operations.accept_invitation(partner, token, utcnow())
    db.session.commit()
    login_as(partner)
    response = client.post_form(f"/applications/{application.id}", {**form_data(GOOD), "action": "submit"})
    assert response.status_code == 302
    db.session.expire_all()
    assert application.current_version == 1 and application.versions[0].submitted_by_id == partner.id
    assert application.versions[0].snapshot["members"][0]["user_id"] == partner.id


def test_invited_but_not_accepted_cannot_edit(db, client, login_as, artist, make_user, application):
    """Until they accept, an invitee has no access to the application."""
    partner = make_user(email="kim@example.org")
    operations.invite_member(artist, application, partner.email, utcnow())
    db.session.commit()
    login_as(partner)
    assert client.get(f"/applications/{application.id}").status_code == 404


def test_only_the_owner_invites_and_removes(db, client, login_as, artist, make_user, application):
    """A co-applicant may not invite or remove others (403); the owner may."""
    partner, third = make_user(email="kim@example.org"), make_user(email="lee@example.org")
    member, token = operations.invite_member(artist, application, partner.email, utcnow())
    operations.accept_invitation(partner, token, utcnow())
    db.session.commit()
    login_as(partner)
    assert invite(client, application, third.email).status_code == 403
    assert client.post_form(f"/applications/{application.id}/members/{member.id}/remove").status_code == 403
    assert len(application.members) == 1
    login_as(artist)
    assert client.post_form(f"/applications/{application.id}/members/{member.id}/remove").status_code == 302
    db.session.expire_all()
    assert application.members == []
    login_as(partner)
    assert client.get(f"/applications/{application.id}").status_code == 404


def test_bad_invitations_are_refused_with_a_message(db, client, login_as, artist, application):
    """Inviting oneself, an address twice, or something that is not an address is refused."""
    login_as(artist)
    assert invite(client, application, "kim@example.org").status_code == 302
    for email, message in (("aya@example.org", "your own address"), ("kim@example.org", "already invited"),
                           ("not-an-address", "name@example.org")):
        response = invite(client, application, email)
        assert response.status_code == 400 and message in response.get_data(as_text=True), email
    assert len(application.members) == 1


def test_member_changes_are_audited(db, artist, make_user, application):
    """Inviting, accepting and removing co-applicants leave audit entries."""
    partner = make_user(email="kim@example.org")
    member, token = operations.invite_member(artist, application, partner.email, utcnow())
    operations.accept_invitation(partner, token, utcnow())
    operations.remove_member(artist, application, member.id, utcnow())
    db.session.commit()  # audit entries are written with the commit, as the views'
    actions = db.session.execute(db.select(AuditEntry.action).where(AuditEntry.object_id == application.id,
                                                                     AuditEntry.object_type == "applications")).scalars().all()
    assert {"application.member_invited", "application.member_accepted", "application.member_removed"} <= set(actions)


def test_my_applications_lists_owned_and_joined(db, client, login_as, artist, make_user, application, make_call):
    """“My applications” shows the applications one started and those one joined."""
    partner = make_user(email="kim@example.org", name="Kim")
    own = operations.start_application(partner, make_call(), {}, utcnow())
    _member, token = operations.invite_member(artist, application, partner.email, utcnow())
    operations.accept_invitation(partner, token, utcnow())
    db.session.commit()
    login_as(partner)
    page = client.get("/applications").get_data(as_text=True)
    assert f"/applications/{application.id}" in page and f"/applications/{own.id}" in page
    assert "Started by Aya" in page
