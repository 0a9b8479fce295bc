"""Rate limits on login, registration and password-reset requests.

The app's defaults: login "10 per minute;50 per hour" (per client address only: failed passwords
per e-mail address are slowed down by the login throttle, see test_login_throttle.py), registration
and reset "5 per hour". The limiter is reset before each test. Most attempts below are left
incomplete on purpose (no password), so that no password is hashed: the limiter counts every POST.
"""

from residency.accounts.models import User
from tests.accounts.support import REGISTRATION, count, page_text
from tests.conftest import DEFAULT_PASSWORD


def _assert_readable_429(response):
    assert response.status_code == 429
    assert response.mimetype == "text/html"
    text = page_text(response)
    assert "Too many attempts. Please wait a little and try again." in text
    assert "Traceback" not in text
    assert int(response.headers["Retry-After"]) > 0


def test_eleventh_login_attempt_in_a_minute_from_one_address_is_refused(client, make_user):
    """The 11th login POST within a minute from one address gets a readable 429, even with the right password."""
    user = make_user()
    token = client.csrf_token()
    for n in range(10):
        response = client.post("/login", data={"email": f"guess{n}@example.org", "password": "", "csrf_token": token})
        assert response.status_code == 400

    response = client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": token})

    _assert_readable_429(response)
    assert client.get("/account").status_code == 302  # not logged in


def test_login_attempts_on_one_email_from_many_addresses_are_not_refused_by_the_limiter(client, make_user):
    """The limiter does not count per e-mail address (that let anyone lock the owner out): after
    ten attempts on one e-mail from ten addresses, the right password from an 11th logs in."""
    user = make_user(email="ada@example.org")
    token = client.csrf_token()
    for n in range(10):
        email = "ADA@example.org" if n % 2 else "ada@example.org"
        response = client.post(
            "/login", data={"email": email, "password": "", "csrf_token": token},
            environ_base={"REMOTE_ADDR": f"192.0.2.{n + 1}"},
        )
        assert response.status_code == 400

    response = client.post(
        "/login", data={"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": token},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )

    assert response.status_code == 302
    assert client.get("/account").status_code == 200


def test_sixth_registration_in_an_hour_from_one_address_is_refused(client):
    """The 6th registration POST within an hour from one address gets 429 and creates nothing."""
    token = client.csrf_token()
    for n in range(5):
        response = client.post("/register", data=dict(REGISTRATION, email=f"a{n}@example.org", password="", csrf_token=token))
        assert response.status_code == 400

    response = client.post("/register", data=dict(REGISTRATION, csrf_token=token))

    _assert_readable_429(response)
    assert count(User) == 0


def test_sixth_reset_request_in_an_hour_from_one_address_is_refused(client):
    """The 6th password-reset request within an hour from one address gets 429."""
    token = client.csrf_token()
    for n in range(5):
        response = client.post("/password/forgot", data={"email": f"a{n}@example.org", "csrf_token": token})
        assert response.status_code == 302

    response = client.post("/password/forgot", data={"email": "ada@example.org", "csrf_token": token})

    _assert_readable_429(response)


def test_viewing_the_forms_is_not_limited(client):
    """Only submissions count: opening the login page many times is never refused."""
    for _ in range(12):
        assert client.get("/login").status_code == 200
