"""Changing one's password and e-mail address, and the profile page."""

from residency.accounts import passwords
from residency.accounts.models import AuthToken, User
from residency.extensions import db
from residency.notifications.models import EmailMessage
from tests.accounts.support import count, is_logged_in, page_text
from tests.conftest import DEFAULT_PASSWORD, deliver_outbox, link_in

NEW_PASSWORD = "a brand new evening tide 7"


def _reload(user):
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_change_password_needs_the_current_password(client, make_user, login_as):
    """Changing the password with a wrong current password is refused and changes nothing."""
    user = make_user()
    login_as(user)

    response = client.post_form("/account/password", {"current_password": "not my password", "new_password": NEW_PASSWORD})

    assert response.status_code == 400
    assert "Your current password is not correct." in page_text(response)
    assert passwords.verify_password(_reload(user).password_hash, DEFAULT_PASSWORD)


def test_change_password_refuses_a_weak_new_password(client, make_user, login_as):
    """A weak new password is refused with a message."""
    user = make_user()
    login_as(user)

    response = client.post_form("/account/password", {"current_password": DEFAULT_PASSWORD, "new_password": "qwertyuiop"})

    assert response.status_code == 400
    assert "This password is among the most common ones" in page_text(response)
    assert passwords.verify_password(_reload(user).password_hash, DEFAULT_PASSWORD)


def test_change_password_logs_out_other_sessions_but_keeps_this_one(client, other_client, make_user, login):
    """After changing the password, this browser stays logged in and every other one is logged out."""
    user = make_user()
    login(user)
    other_client.post_form("/login", {"email": user.email, "password": DEFAULT_PASSWORD})
    assert is_logged_in(other_client)

    response = client.post_form("/account/password", {"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD})

    assert response.status_code == 302
    assert passwords.verify_password(_reload(user).password_hash, NEW_PASSWORD)
    assert is_logged_in(client)
    assert not is_logged_in(other_client)


def test_change_password_needs_a_login(client):
    """The change-password page sends an anonymous visitor to the login page."""
    response = client.get("/account/password")

    assert response.status_code == 302
    assert response.location.startswith("/login")


def test_change_email_needs_the_password(client, make_user, login_as):
    """Changing the e-mail address with a wrong password is refused; no message is sent."""
    user = make_user(email="ada@example.org")
    login_as(user)

    response = client.post_form("/account/email", {"new_email": "ada@new.example", "password": "not my password"})

    assert response.status_code == 400
    assert "Your password is not correct." in page_text(response)
    assert count(EmailMessage) == 0
    assert count(AuthToken) == 0


def test_change_email_confirms_by_link_to_the_new_address(client, make_user, login_as, mailbox):
    """The new address gets a confirmation link, the old one a notice; the address changes only when the link is used."""
    user = make_user(email="ada@example.org")
    login_as(user)

    response = client.post_form("/account/email", {"new_email": "Ada@New.example", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    deliver_outbox()

    [notice] = mailbox.to("ada@example.org")
    assert "ada@new.example" in notice.get_body(preferencelist=("plain",)).get_content()
    [confirmation] = mailbox.to("ada@new.example")
    path = link_in(confirmation, "/account/email/confirm/")
    assert _reload(user).email == "ada@example.org"

    page = client.get(path)
    assert page.status_code == 200
    assert "Use this address" in page_text(page)
    assert _reload(user).email == "ada@example.org"

    assert client.post_form(path).status_code == 302
    assert _reload(user).email == "ada@new.example"
    again = client.post_form(path)
    assert again.status_code == 400
    assert "This link has already been used" in page_text(again)


def test_change_email_to_a_taken_address_is_refused(client, make_user, login_as):
    """An address another account uses (in any case) is refused; nothing is sent."""
    user = make_user(email="ada@example.org")
    make_user(email="bob@example.org")
    login_as(user)

    response = client.post_form("/account/email", {"new_email": "BOB@example.org", "password": DEFAULT_PASSWORD})

    assert response.status_code == 400
    assert "Another account uses this e-mail address." in page_text(response)
    assert count(EmailMessage) == 0
    assert _reload(user).email == "ada@example.org"


def test_change_email_refused_when_the_address_was_taken_meanwhile(client, make_user, login_as, mailbox):
    """If someone registers the new address before the link is used, the change is refused."""
    user = make_user(email="ada@example.org")
    login_as(user)
    client.post_form("/account/email", {"new_email": "ada@new.example", "password": DEFAULT_PASSWORD})
    deliver_outbox()
    path = link_in(mailbox.to("ada@new.example")[0], "/account/email/confirm/")
    make_user(email="ada@new.example")

    response = client.post_form(path)

    assert response.status_code == 400
    assert "Another account uses this e-mail address." in page_text(response)
    assert _reload(user).email == "ada@example.org"


def test_change_email_to_a_malformed_address_is_refused(client, make_user, login_as):
    """A malformed new address is refused with a message."""
    login_as(make_user())

    response = client.post_form("/account/email", {"new_email": "ada@", "password": DEFAULT_PASSWORD})

    assert response.status_code == 400
    assert "Enter an e-mail address in the form name@example.org." in page_text(response)


def test_reset_links_sent_to_the_old_address_stop_working_after_an_email_change(client, make_user, login_as, mailbox):
    """Once the address changes, a reset link sent earlier to the old address no longer works."""
    user = make_user(email="ada@example.org")
    client.post_form("/password/forgot", {"email": "ada@example.org"})
    login_as(user)
    client.post_form("/account/email", {"new_email": "ada@new.example", "password": DEFAULT_PASSWORD})
    deliver_outbox()
    reset = link_in(mailbox.to("ada@example.org")[0], "/password/reset/")
    confirm = link_in(mailbox.to("ada@new.example")[0], "/account/email/confirm/")
    assert client.post_form(confirm).status_code == 302

    response = client.get(reset)

    assert response.status_code == 400


def test_account_page_shows_only_the_users_own_data(client, make_user, login_as):
    """The account page shows the logged-in user's address, never another user's."""
    user = make_user(email="ada@example.org")
    make_user(email="bob@example.org")
    login_as(user)

    text = page_text(client.get("/account"))

    assert "ada@example.org" in text
    assert "bob@example.org" not in text


def test_profile_can_be_updated(client, make_user, login_as, city):
    """The profile form saves the name, city, language and timezone."""
    user = make_user()
    login_as(user)

    response = client.post_form(
        "/account", {"display_name": "Ada L.", "pronouns": "", "city": str(city.id), "locale": "fr", "timezone": "Asia/Tokyo"}
    )

    assert response.status_code == 302
    user = _reload(user)
    assert (user.display_name, user.city_id, user.locale, user.timezone) == ("Ada L.", city.id, "fr", "Asia/Tokyo")


def test_profile_refuses_an_unknown_timezone(client, make_user, login_as):
    """The profile form refuses a timezone that is not in the list."""
    user = make_user()
    login_as(user)

    response = client.post_form("/account", {"display_name": "Ada", "city": "0", "locale": "en", "timezone": "Nowhere/Land"})

    assert response.status_code == 400
    assert "Choose a timezone from the list." in page_text(response)
    assert _reload(user).timezone == "UTC"


def test_reset_links_stop_working_after_a_password_change(client, make_user, login_as, mailbox):
    """A reset link asked before a password change no longer works after it."""
    user = make_user(email="ada@example.org")
    client.post_form("/password/forgot", {"email": "ada@example.org"})
    deliver_outbox()
    reset = link_in(mailbox.to("ada@example.org")[0], "/password/reset/")
    login_as(user)
    client.post_form("/account/password", {"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD})

    response = client.post_form(reset, {"password": "yet another fine password"})

    assert response.status_code == 400
    assert passwords.verify_password(_reload(user).password_hash, NEW_PASSWORD)
