"""Logging in by a link sent by e-mail: one use, short-lived, same answer for every address,
rate-limited, and a new login session on the server."""

from datetime import timedelta

import pytest

from residency.accounts.models import AuthToken, LoginSession, TokenPurpose, User
from residency.core.types import utcnow
from residency.extensions import db
from tests.accounts.support import audit_actions, count, is_logged_in, new_client, page_text, without_csrf
from tests.conftest import deliver_outbox, link_in

SUBJECT = "Your link to log in"


def ask(client, email, address="127.0.0.1"):
    return client.post_form("/login/link", {"email": email}, environ_base={"REMOTE_ADDR": address})


def link_for(client, mailbox, email):
    ask(client, email)
    deliver_outbox()
    message = [m for m in mailbox.to(email) if m["Subject"] == SUBJECT][-1]
    return link_in(message, "/login/link/")


@pytest.fixture
def link_limit(app):
    return int(app.config["RATELIMIT_LOGIN_LINK"].split()[0])


def test_the_form_works_without_javascript_and_has_labels(client):
    """The page asking for a link is a plain form with a labelled e-mail field, reached from the login page."""
    assert 'href="/login/link"' in client.get("/login").get_data(as_text=True)

    page = client.get("/login/link").get_data(as_text=True)

    assert '<form method="post"' in page
    assert '<label for="email">' in page
    assert "<script" not in page.split("<main", 1)[-1].split("</main>", 1)[0]


def test_asking_gives_the_same_answer_for_any_address(client, make_user, mailbox):
    """A known, an unknown and a disabled account's address get the same answer; only the active
    account's owner gets mail."""
    make_user(email="ada@example.org")
    make_user(email="eve@example.org", is_active=False)

    pages = {}
    for email in ("ada@example.org", "bob@example.org", "eve@example.org"):
        response = ask(client, email)
        assert response.status_code == 302
        assert response.location == "/login"
        pages[email] = without_csrf(page_text(client.get(response.location))).replace(email, "EMAIL")

    assert "If an account uses EMAIL, we sent it a link to log in." in pages["ada@example.org"]
    assert pages["ada@example.org"] == pages["bob@example.org"] == pages["eve@example.org"]
    deliver_outbox()
    assert len(mailbox.to("ada@example.org")) == 1
    assert mailbox.to("bob@example.org") == mailbox.to("eve@example.org") == []


def test_an_invalid_address_is_refused_with_a_message(client):
    """A malformed address is refused on the form, naming the problem."""
    response = ask(client, "not an address")

    assert response.status_code == 400
    assert "Enter an e-mail address in the form name@example.org." in page_text(response)


def test_the_link_logs_in_once_with_a_new_login_session(app, client, make_user, mailbox):
    """Opening the link shows a button (a mail scanner's GET logs nobody in); pressing it logs in
    with a new server-side login session; the same link is refused afterwards."""
    user = make_user(email="ada@example.org", verified=False)
    path = link_for(client, mailbox, "ada@example.org")

    shown = client.get(path)
    assert shown.status_code == 200
    assert "Log me in" in page_text(shown)
    assert not is_logged_in(client)

    response = client.post_form(path)

    assert response.status_code == 302
    assert response.location == "/"
    assert is_logged_in(client)
    assert count(LoginSession, LoginSession.user_id == user.id) == 1
    assert db.session.get(User, user.id).email_verified_at is not None  # the link proves the mailbox
    assert audit_actions(object_id=user.id)[-1] == "auth.login"
    again = new_client(app).post_form(path)
    assert again.status_code == 400
    assert "This link has already been used. Ask for a new one if you need it." in page_text(again)


def test_the_link_login_is_audited_as_a_login_by_link(client, make_user, mailbox):
    """The audit log tells a login by link from a password login, and records the request."""
    user = make_user(email="ada@example.org")
    client.post_form(link_for(client, mailbox, "ada@example.org"))

    from residency.audit.models import AuditEntry

    entries = db.session.execute(
        db.select(AuditEntry).where(AuditEntry.object_id == user.id).order_by(AuditEntry.id)
    ).scalars().all()
    assert [(e.action, e.data.get("method")) for e in entries] == [("auth.login_link_requested", None), ("auth.login", "link")]
    assert entries[-1].actor_id == user.id


def test_an_expired_link_is_refused_with_a_clear_message(client, make_user, mailbox):
    """A link past its expiry logs nobody in and says it expired, offering a new one."""
    user = make_user(email="ada@example.org")
    path = link_for(client, mailbox, "ada@example.org")
    token = db.session.execute(db.select(AuthToken).where(AuthToken.user_id == user.id)).scalar_one()
    assert token.purpose == TokenPurpose.LOGIN_LINK
    lifetime = timedelta(minutes=client.application.config["LOGIN_LINK_MINUTES"])
    assert lifetime - timedelta(minutes=1) < token.expires_at - token.created_at <= lifetime
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    response = client.post_form(path)

    assert response.status_code == 400
    text = page_text(response)
    assert "This link has expired. Ask for a new one." in text
    assert 'href="/login/link"' in response.get_data(as_text=True)
    assert not is_logged_in(client)


def test_a_made_up_link_is_refused(client):
    """A token nobody was sent is refused."""
    response = client.post_form("/login/link/made-up-token")

    assert response.status_code == 400
    assert "This link is not valid." in page_text(response)
    assert not is_logged_in(client)


def test_a_link_for_an_account_disabled_since_is_refused(client, make_user, mailbox):
    """A link sent before the account was disabled logs nobody in."""
    user = make_user(email="ada@example.org")
    path = link_for(client, mailbox, "ada@example.org")
    db.session.get(User, user.id).is_active = False
    db.session.commit()

    response = client.post_form(path)

    assert response.status_code == 400
    assert not is_logged_in(client)


def test_using_one_link_voids_the_others(app, client, make_user, mailbox):
    """Links asked earlier stay valid until one of them is used; then the others stop working."""
    make_user(email="ada@example.org")
    first = link_for(client, mailbox, "ada@example.org")
    second = link_for(client, mailbox, "ada@example.org")
    assert first != second

    assert client.post_form(second).status_code == 302

    assert new_client(app).post_form(first).status_code == 400


def test_asking_is_rate_limited_per_email_address_across_client_addresses(client, make_user, mailbox, link_limit):
    """Past the limit, more links for one address are refused from any client address (no mail
    bombing), while other addresses can still ask."""
    make_user(email="ada@example.org")
    for n in range(link_limit):
        assert ask(client, "ADA@example.org" if n % 2 else "ada@example.org", f"192.0.2.{n + 1}").status_code == 302

    refused = ask(client, "ada@example.org", "198.51.100.7")
    other = ask(client, "bob@example.org", "198.51.100.7")

    assert refused.status_code == 429
    assert "Too many attempts. Please wait a little and try again." in page_text(refused)
    assert other.status_code == 302
    deliver_outbox()
    assert len(mailbox.to("ada@example.org")) == link_limit


def test_asking_is_rate_limited_per_client_address(client, link_limit):
    """Past the limit, one client address cannot ask for links for any further address."""
    for n in range(link_limit):
        assert ask(client, f"person{n}@example.org", "198.51.100.7").status_code == 302

    assert ask(client, "someone@example.org", "198.51.100.7").status_code == 429
    assert ask(client, "someone@example.org", "198.51.100.8").status_code == 302
