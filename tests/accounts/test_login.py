"""Logging in and out, sessions and password hashes."""

import re
from urllib.parse import urlencode

import pytest
from argon2 import PasswordHasher

from residency.accounts import passwords
from residency.accounts.models import LoginSession
from residency.extensions import db
from tests.accounts.support import SESSION_COOKIE, count, is_logged_in, new_client, page_text, without_csrf
from tests.conftest import DEFAULT_PASSWORD

WRONG = "The e-mail address or password is not correct."


def test_correct_credentials_log_in_and_redirect(client, make_user):
    """The right e-mail (in any case) and password log the browser in and redirect home."""
    user = make_user(email="ada@example.org")

    response = client.post_form("/login", {"email": " ADA@example.org ", "password": DEFAULT_PASSWORD})

    assert response.status_code == 302
    assert response.location == "/"
    assert is_logged_in(client)
    assert db.session.get(type(user), user.id).last_login_at is not None


def test_wrong_password_and_unknown_email_get_the_same_answer(client, make_user):
    """A wrong password and an unknown e-mail get the same 400 page, so nobody learns who has an account."""
    make_user(email="ada@example.org")

    wrong_password = client.post_form("/login", {"email": "ada@example.org", "password": "not the password"})
    unknown_email = client.post_form("/login", {"email": "bob@example.org", "password": "not the password"})

    assert wrong_password.status_code == unknown_email.status_code == 400
    assert WRONG in page_text(wrong_password)
    bodies = [
        without_csrf(page_text(response)).replace(email, "EMAIL")
        for response, email in ((wrong_password, "ada@example.org"), (unknown_email, "bob@example.org"))
    ]
    assert bodies[0] == bodies[1]
    assert not is_logged_in(client)


def test_login_with_empty_fields_is_refused_with_messages(client):
    """An empty login form is refused, naming what is missing."""
    response = client.post_form("/login", {"email": "", "password": ""})

    assert response.status_code == 400
    text = page_text(response)
    assert "Enter your e-mail address." in text
    assert "Enter your password." in text


def test_disabled_account_cannot_log_in(client, make_user):
    """A disabled account cannot log in, and gets the same message as a wrong password."""
    make_user(email="ada@example.org", is_active=False)

    response = client.post_form("/login", {"email": "ada@example.org", "password": DEFAULT_PASSWORD})

    assert response.status_code == 400
    assert WRONG in page_text(response)


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example",
        "http://evil.example/account",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "https:evil.example",
        "javascript:alert(1)",
        "account",
    ],
)
def test_next_parameter_cannot_redirect_off_site(client, make_user, target):
    """After login, ``next`` is only followed to a path on this site (no open redirect)."""
    user = make_user()

    response = client.post_form("/login?" + urlencode({"next": target}), {"email": user.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 302
    assert response.location == "/"


def test_next_parameter_to_a_local_page_is_followed(client, make_user):
    """After login, ``next`` naming a page of this site is followed."""
    user = make_user()

    response = client.post_form("/login?next=/account%3Ftab%3D1", {"email": user.email, "password": DEFAULT_PASSWORD})

    assert response.location == "/account?tab=1"


def test_logout_is_post_only(client, make_user, login_as):
    """Logout is a POST; a GET (a link, an image) does not log out."""
    login_as(make_user())

    response = client.get("/logout")

    assert response.status_code == 405
    assert is_logged_in(client)


def test_logout_without_csrf_token_is_refused(client, make_user, login_as):
    """A logout POST without the CSRF token (another site's form) is refused and logs nobody out."""
    login_as(make_user())

    response = client.post("/logout")

    assert response.status_code == 400
    assert is_logged_in(client)


def test_logout_ends_the_session_on_the_server(app, client, make_user, login):
    """After logout, a copy of the old session cookie no longer logs anyone in."""
    user = make_user()
    login(user)
    stolen = new_client(app)
    stolen.set_cookie(SESSION_COOKIE, client.get_cookie(SESSION_COOKIE).value)
    assert is_logged_in(stolen)

    response = client.post_form("/logout")

    assert response.status_code == 302
    assert "You are logged out." in page_text(client.get("/"))
    assert not is_logged_in(client)
    assert not is_logged_in(stolen)
    assert count(LoginSession, LoginSession.user_id == user.id) == 0


def test_session_cookie_is_httponly_and_samesite_lax(client, make_user):
    """The session cookie set at login is HttpOnly and SameSite=Lax."""
    user = make_user()

    response = client.post_form("/login", {"email": user.email, "password": DEFAULT_PASSWORD})

    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(SESSION_COOKIE + "=")]
    assert re.search(r";\s*HttpOnly", cookie, re.I)
    assert re.search(r";\s*SameSite=Lax", cookie, re.I)


def test_session_cookie_carries_no_user_id(client, make_user):
    """The session cookie names a server-side login session, not the user's id (it cannot be forged from one)."""
    user = make_user()

    client.post_form("/login", {"email": user.email, "password": DEFAULT_PASSWORD})

    with client.session_transaction() as session:
        assert session["_user_id"] != str(user.id)
        assert len(session["_user_id"]) >= 32


def test_password_hash_is_upgraded_at_login_when_parameters_change(client, make_user):
    """A hash made with weaker argon2 parameters is replaced by a current argon2id hash at login."""
    user = make_user()
    old_hash = PasswordHasher(time_cost=1, memory_cost=8192).hash(DEFAULT_PASSWORD)
    user.password_hash = old_hash
    db.session.commit()
    assert passwords.needs_rehash(old_hash)

    client.post_form("/login", {"email": user.email, "password": DEFAULT_PASSWORD})

    db.session.refresh(user)
    assert user.password_hash != old_hash
    assert user.password_hash.startswith("$argon2id$")
    assert not passwords.needs_rehash(user.password_hash)
    assert passwords.verify_password(user.password_hash, DEFAULT_PASSWORD)


def test_login_page_redirects_a_logged_in_user(client, make_user, login_as):
    """A logged-in user opening the login page is sent home."""
    login_as(make_user())

    assert client.get("/login").status_code == 302


def test_login_required_page_sends_to_login_with_next(client):
    """An anonymous visitor of a page needing a login is sent to the login page, which brings them back."""
    response = client.get("/account")

    assert response.status_code == 302
    assert response.location.startswith("/login?next=")

