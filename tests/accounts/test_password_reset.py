"""Password reset by e-mail link: single use, expiring, ending every session."""

from datetime import timedelta

from residency.accounts import passwords
from residency.accounts.models import AuthToken, TokenPurpose, User
from residency.core.types import utcnow
from residency.extensions import db
from tests.accounts.support import is_logged_in, page_text, without_csrf
from tests.conftest import DEFAULT_PASSWORD, deliver_outbox, link_in

NEW_PASSWORD = "a brand new evening tide 7"


def _request_reset(client, email):
    return client.post_form("/password/forgot", {"email": email})


def _reset_link(client, mailbox, email):
    _request_reset(client, email)
    deliver_outbox()
    [message] = mailbox.to(email)
    return link_in(message, "/password/reset/")


def _password_of(user):
    return db.session.get(User, user.id).password_hash


def test_reset_request_does_not_reveal_whether_an_account_exists(client, make_user, mailbox):
    """Asking a reset for a known or an unknown address gives the same answer; only the owner gets mail."""
    make_user(email="ada@example.org")

    known = _request_reset(client, "ada@example.org")
    known_page = page_text(client.get(known.location))
    unknown = _request_reset(client, "bob@example.org")
    unknown_page = page_text(client.get(unknown.location))

    assert known.status_code == unknown.status_code == 302
    assert known.location == unknown.location
    assert "If an account uses ada@example.org, we sent it a link" in known_page
    assert without_csrf(known_page).replace("ada@", "X@") == without_csrf(unknown_page).replace("bob@", "X@")
    deliver_outbox()
    assert len(mailbox.to("ada@example.org")) == 1
    assert mailbox.to("bob@example.org") == []


def test_reset_link_arrives_and_works_once(client, make_user, mailbox):
    """The reset link arrives by e-mail, sets the new password, and is refused the second time."""
    user = make_user(email="ada@example.org")
    path = _reset_link(client, mailbox, "ada@example.org")

    form = client.get(path)
    assert form.status_code == 200
    assert "Choose a new password" in page_text(form)

    done = client.post_form(path, {"password": NEW_PASSWORD})
    assert done.status_code == 302
    assert done.location == "/login"
    assert passwords.verify_password(_password_of(user), NEW_PASSWORD)

    again = client.post_form(path, {"password": "yet another fine password"})
    assert again.status_code == 400
    assert "This reset link is not valid any more" in page_text(again)
    assert passwords.verify_password(_password_of(user), NEW_PASSWORD)


def test_expired_reset_link_is_refused(client, make_user, mailbox):
    """A reset link past its expiry is refused with a message and changes nothing."""
    user = make_user(email="ada@example.org")
    path = _reset_link(client, mailbox, "ada@example.org")
    token = db.session.execute(db.select(AuthToken).where(AuthToken.user_id == user.id)).scalar_one()
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    shown = client.get(path)
    posted = client.post_form(path, {"password": NEW_PASSWORD})

    assert shown.status_code == posted.status_code == 400
    assert "This reset link is not valid any more. Ask for a new one." in page_text(posted)
    assert passwords.verify_password(_password_of(user), DEFAULT_PASSWORD)


def test_made_up_reset_link_is_refused(client):
    """A reset link that was never sent is refused."""
    response = client.get("/password/reset/made-up-token")

    assert response.status_code == 400
    assert "This reset link is not valid any more" in page_text(response)


def test_reset_logs_out_every_session_of_the_user(client, other_client, make_user, mailbox):
    """After a reset, every browser where the user was logged in is logged out."""
    user = make_user(email="ada@example.org")
    other_client.post_form("/login", {"email": user.email, "password": DEFAULT_PASSWORD})
    assert is_logged_in(other_client)

    path = _reset_link(client, mailbox, "ada@example.org")
    client.post_form(path, {"password": NEW_PASSWORD})

    assert not is_logged_in(other_client)


def test_weak_new_password_is_refused_and_the_link_stays_usable(client, make_user, mailbox):
    """A weak new password is refused with a message; the same link then works with a good one."""
    user = make_user(email="ada@example.org")
    path = _reset_link(client, mailbox, "ada@example.org")

    weak = client.post_form(path, {"password": "password1"})

    assert weak.status_code == 400
    assert "This password is among the most common ones" in page_text(weak)
    assert passwords.verify_password(_password_of(user), DEFAULT_PASSWORD)
    assert client.post_form(path, {"password": NEW_PASSWORD}).status_code == 302
    assert passwords.verify_password(_password_of(user), NEW_PASSWORD)


def test_reset_confirms_the_email_address(client, make_user, mailbox):
    """Using a reset link proves the mailbox: an unverified address becomes verified."""
    user = make_user(email="ada@example.org", verified=False)
    path = _reset_link(client, mailbox, "ada@example.org")

    client.post_form(path, {"password": NEW_PASSWORD})

    assert db.session.get(User, user.id).email_verified_at is not None


def test_older_reset_links_stop_working_once_one_is_used(client, make_user, mailbox):
    """When one reset link is used, the other links sent earlier stop working."""
    make_user(email="ada@example.org")
    _request_reset(client, "ada@example.org")
    _request_reset(client, "ada@example.org")
    deliver_outbox()
    first, second = (link_in(message, "/password/reset/") for message in mailbox.to("ada@example.org"))

    assert client.post_form(second, {"password": NEW_PASSWORD}).status_code == 302
    refused = client.post_form(first, {"password": "yet another fine password"})

    assert refused.status_code == 400
    assert db.session.scalar(
        db.select(db.func.count()).select_from(AuthToken).where(
            AuthToken.purpose == str(TokenPurpose.RESET_PASSWORD), AuthToken.used_at.is_(None)
        )
    ) == 0
