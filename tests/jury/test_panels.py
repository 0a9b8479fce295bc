"""The panel: coordinators appoint jurors and a chair by e-mail invitation; invitees accept (with
the invited address's account) or decline; coordinators remove members, members step down; the
jury's pages are hidden from whoever may not see the call's jury."""

import html
import re
from datetime import timedelta

import pytest

from residency.accounts.models import RoleGrant
from residency.audit.models import AuditEntry
from residency.core.types import utcnow
from residency.extensions import db
from residency.jury.models import JurySettings, MemberRole, MemberStatus, PanelMember
from tests.accounts.support import REGISTRATION, register
from tests.conftest import deliver_outbox, link_in


def text(response):
    return html.unescape(response.get_data(as_text=True))


def panel_url(call, suffix=""):
    return f"/manage/calls/{call.id}/jury/{suffix}"


def grants(user, call):
    return sorted(g.role for g in db.session.execute(db.select(RoleGrant).where(
        RoleGrant.user_id == user.id, RoleGrant.scope_type == "call", RoleGrant.scope_id == call.id)).scalars())


def member_by_email(call, email):
    return db.session.execute(
        db.select(PanelMember).where(PanelMember.call_id == call.id, PanelMember.email == email)).scalar_one_or_none()


def actions(name):
    return db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(AuditEntry.action == name))


@pytest.fixture
def invite(client, login_as, coordinator):
    """``invite(call, email, role="juror", language="en")``: the coordinator's invitation form, posted."""

    def do(call, email, role=MemberRole.JUROR, language="en"):
        login_as(coordinator)
        return client.post_form(panel_url(call, "invite"), {"email": email, "role": role, "language": language})

    return do


def invitation_path(mailbox, email):
    deliver_outbox()
    [message] = mailbox.to(email)
    return message, link_in(message, "/jury/invitations/")


# --- Inviting and accepting ----------------------------------------------------------------------

def test_an_existing_user_is_invited_in_their_language_and_accepts(client, login_as, make_user, call, coordinator,
                                                                    invite, mailbox):
    """A user with an account receives the invitation in their account's language (not the
    coordinator's choice); accepting makes them an active juror holding the juror role on the call,
    and the coordinator is told."""
    juror = make_user(email="lea@example.org", name="Léa", locale="fr")
    response = invite(call, "Lea@Example.org", language="es")
    assert response.status_code == 302
    member = member_by_email(call, "lea@example.org")
    assert (member.status, member.user_id, member.language) == (MemberStatus.INVITED, juror.id, "fr")
    assert grants(juror, call) == []

    message, path = invitation_path(mailbox, "lea@example.org")
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Bonjour Léa," in body and "Résidence son 1" in body and "Sound residency 1" not in body
    assert "Résidence son 1" in message["Subject"]

    login_as(juror)
    page = client.get(path)
    assert page.status_code == 200
    assert "Accepter et rejoindre le jury" in text(page) and "lea@example.org" in text(page)
    accepted = client.post_form(path, {"answer": "accept"})
    assert accepted.status_code == 302 and accepted.location.endswith(f"/jury/calls/{call.id}/membership")
    db.session.refresh(member)
    assert member.status == MemberStatus.ACTIVE and member.token_hash is None
    assert grants(juror, call) == ["juror"]
    assert client.get(f"/jury/calls/{call.id}/membership").status_code == 200
    assert actions("jury.invitation_accepted") == 1

    deliver_outbox()
    [told] = mailbox.to(coordinator.email)
    assert "Léa" in told["Subject"] and "accepted" in told["Subject"]


def test_an_address_without_account_is_invited_in_the_chosen_language_registers_and_accepts(
        client, call, invite, mailbox):
    """An address with no account is written to in the language the coordinator chose; the invitee
    creates an account with that address, confirms it, then accepts: only then do they hold the role."""
    assert invite(call, "new.juror@example.org", language="fr").status_code == 302
    message, path = invitation_path(mailbox, "new.juror@example.org")
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert body.startswith("Bonjour,") and "Résidence son 1" in body
    client.post_form("/logout")

    page = text(client.get(path))
    assert "No account is needed to decline." in page
    assert f"/register?next=/jury/invitations/" in page and f"/login?next=/jury/invitations/" in page

    registered = client.post_form(f"/register?next={path}", dict(REGISTRATION, email="new.juror@example.org"))
    assert registered.status_code == 302 and registered.location.endswith(path)
    too_early = client.post_form(path, {"answer": "accept"})
    assert too_early.status_code == 403
    assert "Confirm your e-mail address first" in text(too_early)
    member = member_by_email(call, "new.juror@example.org")
    assert member.status == MemberStatus.INVITED

    deliver_outbox()
    [verification] = mailbox.to("new.juror@example.org")[1:]
    assert client.post_form(link_in(verification, "/verify/")).status_code == 302
    assert client.post_form(path, {"answer": "accept"}).status_code == 302
    db.session.refresh(member)
    assert member.status == MemberStatus.ACTIVE and member.user is not None
    assert grants(member.user, call) == ["juror"]


def test_the_chair_is_invited_and_accepts_as_chair(client, login_as, make_user, call, invite, mailbox):
    """An invitation as chair grants the jury_chair role once accepted."""
    chair = make_user(email="chair@example.org")
    invite(call, chair.email, role=MemberRole.CHAIR)
    message, path = invitation_path(mailbox, chair.email)
    assert "chair the jury" in message.get_body(preferencelist=("plain",)).get_content()
    login_as(chair)
    assert client.post_form(path, {"answer": "accept"}).status_code == 302
    assert grants(chair, call) == ["jury_chair"]


def test_declining_needs_no_account_and_tells_the_coordinator_the_message(client, call, coordinator, invite,
                                                                           mailbox):
    """Someone without an account declines with the link alone, with a message the coordinator
    receives; no role is granted and the link stops working."""
    invite(call, "busy@example.org")
    _message, path = invitation_path(mailbox, "busy@example.org")
    client.post_form("/logout")
    declined = client.post_form(path, {"answer": "decline", "message": "Travelling all spring, sorry."})
    assert declined.status_code == 302
    member = member_by_email(call, "busy@example.org")
    assert (member.status, member.message) == (MemberStatus.DECLINED, "Travelling all spring, sorry.")
    assert member.responded_at is not None and member.token_hash is None
    deliver_outbox()
    [told] = mailbox.to(coordinator.email)
    assert "Travelling all spring, sorry." in told.get_body(preferencelist=("plain",)).get_content()
    again = client.get(path)
    assert again.status_code == 404 and "not valid any more" in text(again)


def test_a_message_too_long_is_refused_and_nothing_changes(client, call, invite, mailbox):
    """A decline message over the limit is refused next to the field; the invitation stays out."""
    invite(call, "long@example.org")
    _message, path = invitation_path(mailbox, "long@example.org")
    client.post_form("/logout")
    response = client.post_form(path, {"answer": "decline", "message": "x" * 2001})
    assert response.status_code == 400
    assert "There is a problem" in text(response)
    assert member_by_email(call, "long@example.org").status == MemberStatus.INVITED


# --- Bad links -----------------------------------------------------------------------------------

def test_an_invitation_link_works_once(client, login_as, make_user, call, invite, mailbox):
    """Once accepted, the same link is refused (404) for accepting or declining again."""
    juror = make_user(email="once@example.org")
    invite(call, juror.email)
    _message, path = invitation_path(mailbox, juror.email)
    login_as(juror)
    assert client.post_form(path, {"answer": "accept"}).status_code == 302
    for answer in ("accept", "decline"):
        again = client.post_form(path, {"answer": answer})
        assert again.status_code == 404
        assert "This invitation link is not valid any more" in text(again)
    assert member_by_email(call, juror.email).status == MemberStatus.ACTIVE


def test_an_expired_invitation_is_refused_until_sent_again(client, login_as, make_user, call, coordinator, invite,
                                                           mailbox):
    """An expired link is refused (410) with a message; the coordinator sends the invitation again,
    the old link stays refused and the new one works."""
    juror = make_user(email="late@example.org")
    invite(call, juror.email)
    _message, old_path = invitation_path(mailbox, juror.email)
    member = member_by_email(call, juror.email)
    member.token_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    login_as(juror)
    expired = client.post_form(old_path, {"answer": "accept"})
    assert expired.status_code == 410 and "This invitation has expired" in text(expired)
    assert grants(juror, call) == [] and member.status == MemberStatus.INVITED
    login_as(coordinator)
    assert "the link has expired" in text(client.get(panel_url(call)))

    mailbox.clear()
    assert client.post_form(panel_url(call, f"members/{member.id}/resend")).status_code == 302
    _message, new_path = invitation_path(mailbox, juror.email)
    assert new_path != old_path
    login_as(juror)
    assert client.post_form(old_path, {"answer": "accept"}).status_code == 404
    assert client.post_form(new_path, {"answer": "accept"}).status_code == 302
    assert grants(juror, call) == ["juror"]


def test_an_invitation_for_another_address_is_refused(client, login_as, make_user, call, invite, mailbox):
    """Logged in with another account, the invitee's link neither accepts nor declines (403), and
    the page says which address it is for."""
    make_user(email="invited@example.org")
    someone = make_user(email="someone.else@example.org")
    invite(call, "invited@example.org")
    _message, path = invitation_path(mailbox, "invited@example.org")
    login_as(someone)
    page = client.get(path)
    assert "This invitation is for invited@example.org" in text(page)
    assert "Accept and join the jury" not in text(page)
    for answer in ("accept", "decline"):
        refused = client.post_form(path, {"answer": answer})
        assert refused.status_code == 403
        assert "This invitation was sent to invited@example.org" in text(refused)
    assert member_by_email(call, "invited@example.org").status == MemberStatus.INVITED
    assert grants(someone, call) == []


def test_an_unknown_link_is_404(client):
    """A made-up invitation link is answered 404 with a message."""
    response = client.get("/jury/invitations/not-a-token")
    assert response.status_code == 404 and "not valid any more" in text(response)


# --- Refused invitations -------------------------------------------------------------------------

def test_bad_invitations_are_refused_with_a_message(client, make_user, make_member, call, invite, mailbox):
    """A malformed address, someone already on the panel or already invited, and a second chair are
    refused next to their field; nothing is sent."""
    member = make_member(call)
    invite(call, "pending@example.org")
    deliver_outbox()
    mailbox.clear()
    cases = [
        ({"email": "not-an-address"}, 400, "Enter an e-mail address"),
        ({"email": member.email}, 409, "is already on the panel"),
        ({"email": "pending@example.org"}, 409, "is already invited"),
    ]
    for fields, status, message in cases:
        response = invite(call, **fields)
        assert response.status_code == status, fields
        assert message in text(response) and "There is a problem" in text(response)
    invite(call, "first.chair@example.org", role=MemberRole.CHAIR)
    second = invite(call, "second.chair@example.org", role=MemberRole.CHAIR)
    assert second.status_code == 409 and "one chair at a time" in text(second)
    assert member_by_email(call, "second.chair@example.org") is None
    deliver_outbox()
    assert len(mailbox.messages) == 1  # the first chair's invitation only


def test_someone_who_declined_can_be_invited_again(client, call, invite, mailbox):
    """A declined invitation can be renewed: the same row goes back to invited, with a new link."""
    invite(call, "maybe@example.org")
    _message, path = invitation_path(mailbox, "maybe@example.org")
    client.post_form("/logout")
    client.post_form(path, {"answer": "decline"})
    mailbox.clear()
    assert invite(call, "maybe@example.org").status_code == 302
    _message, new_path = invitation_path(mailbox, "maybe@example.org")
    assert new_path != path
    [member] = db.session.execute(db.select(PanelMember).where(PanelMember.call_id == call.id)).scalars().all()
    assert member.status == MemberStatus.INVITED and member.message == ""


# --- Leaving -------------------------------------------------------------------------------------

def test_a_coordinator_removes_a_member_who_loses_the_role(client, login_as, make_member, call, coordinator,
                                                           mailbox):
    """Removing an active member withdraws them, revokes their role, tells them, and closes their
    jury pages to them (404); removing them twice is refused."""
    member = make_member(call, invited_by_id=coordinator.id)
    login_as(coordinator)
    confirm = client.get(panel_url(call, f"members/{member.id}/remove"))
    assert confirm.status_code == 200 and "Yes, remove" in text(confirm)
    assert client.post_form(panel_url(call, f"members/{member.id}/remove")).status_code == 302
    db.session.refresh(member)
    assert member.status == MemberStatus.WITHDRAWN
    assert grants(member.user, call) == []
    deliver_outbox()
    [told] = mailbox.to(member.email)
    assert "no longer on the jury" in told["Subject"]
    again = client.post_form(panel_url(call, f"members/{member.id}/remove"), follow_redirects=True)
    assert "This person is not on the panel." in text(again)
    login_as(member.user)
    assert client.get(f"/jury/calls/{call.id}/membership").status_code == 404


def test_withdrawing_an_invitation_kills_its_link(client, login_as, make_user, call, coordinator, invite, mailbox):
    """An invitation withdrawn before it is answered no longer works."""
    juror = make_user(email="withdrawn@example.org")
    invite(call, juror.email)
    _message, path = invitation_path(mailbox, juror.email)
    member = member_by_email(call, juror.email)
    client.post_form(panel_url(call, f"members/{member.id}/remove"))
    login_as(juror)
    assert client.post_form(path, {"answer": "accept"}).status_code == 404
    assert grants(juror, call) == []


def test_a_juror_steps_down_and_the_coordinator_is_told(client, login_as, make_member, call, coordinator, mailbox):
    """An active juror steps down from their page, with a message: withdrawn, role revoked, the
    coordinator who invited them told; someone not on the panel gets 404."""
    member = make_member(call, invited_by_id=coordinator.id)
    login_as(member.user)
    page = client.get(f"/jury/calls/{call.id}/step-down")
    assert page.status_code == 200 and "Yes, step down" in text(page)
    response = client.post_form(f"/jury/calls/{call.id}/step-down", {"message": "A new job abroad."})
    assert response.status_code == 302
    db.session.refresh(member)
    assert (member.status, member.message) == (MemberStatus.WITHDRAWN, "A new job abroad.")
    assert grants(member.user, call) == []
    deliver_outbox()
    [told] = mailbox.to(coordinator.email)
    assert "stepped down" in told["Subject"] and "A new job abroad." in told.get_body(("plain",)).get_content()
    assert client.post_form(f"/jury/calls/{call.id}/step-down").status_code == 404


# --- Cap, expertise and settings -----------------------------------------------------------------

def test_a_coordinator_sets_a_members_cap_and_expertise(client, login_as, make_member, call, coordinator):
    """The cap is a whole number from 1 (or empty); expertise tags are trimmed and deduplicated."""
    member = make_member(call)
    login_as(coordinator)
    url = panel_url(call, f"members/{member.id}")
    bad = client.post_form(url, {"max_load": "0", "expertise": "sound"})
    assert bad.status_code == 400 and "Enter a whole number from 1" in text(bad)
    assert client.post_form(url, {"max_load": "12", "expertise": " Sound , video,sound,, "}).status_code == 302
    db.session.refresh(member)
    assert (member.max_load, member.expertise) == (12, ["Sound", "video"])
    assert client.post_form(url, {"max_load": "", "expertise": ""}).status_code == 302
    db.session.refresh(member)
    assert (member.max_load, member.expertise) == (None, [])


def test_the_same_city_setting_is_saved(client, login_as, call, coordinator):
    """The jury's settings page saves whether living in the applicant's city is a conflict."""
    login_as(coordinator)
    assert client.post_form(panel_url(call, "settings"), {"same_city_conflicts": "y"}).status_code == 302
    assert db.session.get(JurySettings, call.id).same_city_conflicts is True
    page = client.get(panel_url(call, "settings")).get_data(as_text=True)
    assert re.search(r'<input(?=[^>]*name="same_city_conflicts")(?=[^>]*\bchecked\b)[^>]*>', page)
    client.post_form(panel_url(call, "settings"), {})
    assert db.session.get(JurySettings, call.id).same_city_conflicts is False


# --- Who may see the panel -----------------------------------------------------------------------

MANAGE_PAGES = ("", "settings", "rounds", "rounds/new")


def test_whoever_may_not_see_the_jury_gets_404_like_a_missing_call(client, login_as, make_user, make_member,
                                                                   make_application, other_city, call):
    """A coordinator of another city and an applicant to the call are answered 404 on every jury
    page, exactly as for a call that does not exist; their invitations are not recorded."""
    outsider = make_user(roles=[("city_coordinator", "city", other_city.id)])
    applicant = make_application(call, eligible=True).owner
    member = make_member(call)
    for user in (outsider, applicant):
        login_as(user)
        for page in MANAGE_PAGES:
            assert client.get(panel_url(call, page)).status_code == 404, (user.email, page)
        assert client.get(panel_url(call, f"members/{member.id}")).status_code == 404
        response = client.post_form(panel_url(call, "invite"), {"email": "x@example.org", "role": "juror",
                                                                "language": "en"})
        assert response.status_code == 404
        assert client.post_form(panel_url(call, f"members/{member.id}/remove")).status_code == 404
    assert member_by_email(call, "x@example.org") is None
    assert client.get("/manage/calls/999999/jury/").status_code == 404
    db.session.refresh(member)
    assert member.status == MemberStatus.ACTIVE


def test_panel_members_see_the_jury_but_may_not_manage_it(client, login_as, make_member, call):
    """A juror and the chair know the jury exists, but its coordinators' pages answer 403."""
    for role in (MemberRole.JUROR, MemberRole.CHAIR):
        member = make_member(call, role=role)
        login_as(member.user)
        for page in MANAGE_PAGES:
            assert client.get(panel_url(call, page)).status_code == 403, (role, page)
        response = client.post_form(panel_url(call, "invite"), {"email": "y@example.org", "role": "juror",
                                                                "language": "en"})
        assert response.status_code == 403
    assert member_by_email(call, "y@example.org") is None


def test_the_coordinator_reaches_the_jury_from_the_calls_overview(client, login_as, make_call, call, coordinator,
                                                                  make_member):
    """The call's overview links to its jury; the panel lists members with their status; a member
    of another call is 404 here; visitors are sent to log in."""
    member = make_member(call)
    other = make_member(make_call())
    login_as(coordinator)
    overview = client.get(f"/manage/calls/{call.id}/").get_data(as_text=True)
    assert f'href="/manage/calls/{call.id}/jury/"' in overview
    page = text(client.get(panel_url(call)))
    assert member.email in page and "Active" in page
    assert client.get(panel_url(call, f"members/{other.id}")).status_code == 404
    client.post_form("/logout")
    assert client.get(panel_url(call)).status_code == 302
