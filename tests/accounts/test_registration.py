"""Registration and e-mail verification."""

import pytest

from residency.accounts.models import User
from residency.notifications.models import EmailMessage
from tests.accounts.support import REGISTRATION, count, is_logged_in, page_text, register, user_by_email
from tests.conftest import deliver_outbox, link_in


def test_registration_creates_an_unverified_account_and_logs_in(client, city):
    """Registering creates the account (unverified, with its settings) and logs the browser in."""
    response = register(client, email="Ada.Lovelace@Example.org", city=str(city.id))

    assert response.status_code == 302
    assert response.location.endswith("/account")
    user = user_by_email("ada.lovelace@example.org")
    assert user is not None
    assert user.email_verified_at is None
    assert (user.display_name, user.city_id, user.timezone, user.locale) == ("Ada", city.id, "Europe/Paris", "en")
    assert is_logged_in(client)


def test_password_is_stored_as_an_argon2id_hash(client):
    """The password is stored only as an argon2id hash."""
    register(client)

    stored = user_by_email("ada@example.org").password_hash
    assert stored.startswith("$argon2id$")
    assert REGISTRATION["password"] not in stored


def test_verification_link_arrives_over_smtp_and_works_once(client, mailbox):
    """The verification e-mail arrives with a link; the link shows a button, confirms once, then is refused."""
    register(client)
    deliver_outbox()
    [message] = mailbox.to("ada@example.org")
    path = link_in(message, "/verify/")

    page = client.get(path)
    assert page.status_code == 200
    assert "Confirm my address" in page_text(page)
    assert user_by_email("ada@example.org").email_verified_at is None  # a GET (mail scanner) confirms nothing

    confirmed = client.post_form(path)
    assert confirmed.status_code == 302
    assert user_by_email("ada@example.org").email_verified_at is not None

    again = client.post_form(path)
    assert again.status_code == 400
    assert "This link has already been used" in page_text(again)


def test_unknown_verification_link_is_refused(client):
    """A made-up verification link is refused with a message."""
    response = client.post_form("/verify/not-a-real-token")

    assert response.status_code == 400
    assert "This link is not valid" in page_text(response)


def test_duplicate_email_is_refused_whatever_its_case(client, make_user):
    """An address already registered (in any letter case) is refused and nothing is created."""
    make_user(email="ada@example.org")

    response = register(client, email="ADA@Example.ORG")

    assert response.status_code == 400
    assert "An account with this e-mail address already exists" in page_text(response)
    assert count(User) == 1
    assert count(EmailMessage) == 0
    assert not is_logged_in(client)


@pytest.mark.parametrize("email", ["not-an-email", "ada@", "@example.org", "ada@@example.org", "ada example@org.org"])
def test_malformed_email_is_refused(client, email):
    """A malformed e-mail address is refused with a message saying what is expected."""
    response = register(client, email=email)

    assert response.status_code == 400
    assert "Enter an e-mail address in the form name@example.org." in page_text(response)
    assert count(User) == 0


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short7!", "Use at least 8 characters."),
        ("x" * 200 + "y" * 57, "Use at most 256 characters."),
        ("password1", "This password is among the most common ones"),
        ("qwertyuiop", "This password is among the most common ones"),
        ("PassWord1", "This password is among the most common ones"),
        ("aaaaaaaaaaaa", "This password is among the most common ones"),
        ("ada.lovelace@example.org", "Do not use your e-mail address or name as a password."),
        ("ADA.LOVELACE@EXAMPLE.ORG", "Do not use your e-mail address or name as a password."),
    ],
)
def test_weak_or_too_long_password_is_refused(client, password, message):
    """Too short, too long, very common or e-mail-like passwords are refused and nothing is created."""
    response = register(client, email="ada.lovelace@example.org", password=password)

    assert response.status_code == 400
    assert message in page_text(response)
    assert count(User) == 0


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple " * 8 + "and more",  # a long passphrase: 248 characters
        ("Tr0ub4dor&3 " * 22)[:256],  # exactly the maximum, 256
        "mot de passe très sûr ☂ 鍵",  # unicode
    ],
)
def test_long_passphrase_and_unicode_password_are_accepted(client, password):
    """Long passphrases (up to 256 characters) and unicode passwords are accepted."""
    response = register(client, password=password)

    assert response.status_code == 302
    assert user_by_email("ada@example.org") is not None


def test_unicode_password_works_whatever_its_normal_form(client, other_client):
    """A unicode password typed in another normal form (NFD vs NFC, as some systems send it) still logs in."""
    nfc = "crème brûlée à l'été"
    register(client, password=nfc)
    nfd = "cre\u0300me bru\u0302le\u0301e a\u0300 l'e\u0301te\u0301"
    assert nfd != nfc

    response = other_client.post_form("/login", {"email": "ada@example.org", "password": nfd})

    assert response.status_code == 302


def test_missing_csrf_token_is_refused_and_creates_nothing(client):
    """A registration without its CSRF token gets 400 and creates nothing."""
    response = client.post("/register", data=dict(REGISTRATION))

    assert response.status_code == 400
    assert "Your form expired or was sent from another site" in page_text(response)
    assert count(User) == 0


@pytest.mark.parametrize("timezone", ["Mars/Olympus_Mons", "", "../../etc/passwd", "x" * 100])
def test_unknown_timezone_is_refused(client, timezone):
    """A timezone that is not in the list is refused with a message."""
    response = register(client, timezone=timezone)

    assert response.status_code == 400
    assert "Choose a timezone from the list." in page_text(response)
    assert count(User) == 0


def test_unknown_language_or_city_is_refused(client):
    """A language or city that is not offered is refused."""
    assert register(client, locale="xx").status_code == 400
    assert register(client, city="999999").status_code == 400
    assert count(User) == 0


def test_missing_name_is_refused(client):
    """The name to show is required."""
    response = register(client, display_name="  ")

    assert response.status_code == 400
    assert "Enter the name to show on the platform." in page_text(response)
    assert count(User) == 0


def test_unverified_user_can_ask_for_a_new_link(client, make_user, login_as, mailbox):
    """An unverified user can have a new verification link sent from the account page; it works."""
    user = make_user(email="ada@example.org", verified=False)
    login_as(user)

    response = client.post_form("/verify/resend")
    deliver_outbox()

    assert response.status_code == 302
    [message] = mailbox.to("ada@example.org")
    assert client.post_form(link_in(message, "/verify/")).status_code == 302
    assert user_by_email("ada@example.org").email_verified_at is not None


def test_verified_user_gets_no_new_link(client, make_user, login_as, mailbox):
    """A user whose address is confirmed is sent no new verification link."""
    login_as(make_user(email="ada@example.org"))

    client.post_form("/verify/resend")

    assert count(EmailMessage) == 0


def test_registration_continues_where_the_visitor_was_going(client):
    """An invitation link sends newcomers to register with ?next=…; they land there afterwards,
    and never on another site."""
    from tests.accounts.support import REGISTRATION

    response = client.post_form("/register?next=/applications", dict(REGISTRATION))
    assert response.status_code == 302 and response.headers["Location"].endswith("/applications")
    other = client.application.test_client()
    response = other.post_form("/register?next=//evil.example/x", dict(REGISTRATION, email="b@example.org"))
    assert response.status_code == 302 and "evil.example" not in response.headers["Location"]
