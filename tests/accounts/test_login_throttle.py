"""Failed passwords slow an e-mail address down without locking its owner out.

The rules (``residency/accounts/throttle.py``): browsers an account does not know share one count
per e-mail address; after the free attempts each attempt must wait a delay that doubles at each
failure, and while it runs no password is checked, right or wrong. A browser that logged in to the
account before (signed device cookie) is counted on its own. The owner is told by e-mail, once an
hour at most. The client address is ``REMOTE_ADDR`` (``TRUST_PROXY`` is 0 in tests).
"""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from itsdangerous import URLSafeTimedSerializer

from residency.accounts.models import LoginThrottle, User, hash_token
from residency.accounts.throttle import DEVICE_COOKIE
from residency.core.types import utcnow
from residency.extensions import db
from tests.accounts.support import audit_actions, is_logged_in, new_client, page_text, without_csrf
from tests.conftest import DEFAULT_PASSWORD, deliver_outbox, link_in, log_in

WAIT = "There were too many failed attempts to log in with this e-mail address."
WRONG = "The e-mail address or password is not correct."


@pytest.fixture
def free(app):
    return app.config["LOGIN_THROTTLE_FREE_ATTEMPTS"]


@pytest.fixture
def base_delay(app):
    return app.config["LOGIN_THROTTLE_DELAY_SECONDS"]


def attempt(client, email, password, address):
    return client.post_form("/login", {"email": email, "password": password}, environ_base={"REMOTE_ADDR": address})


def row_of(email):
    return db.session.execute(
        db.select(LoginThrottle).where(LoginThrottle.key_hash == hash_token(f"email:{email}"))
    ).scalar_one_or_none()


def let_delays_pass():
    """What a patient attacker gets by waiting: every running delay is over."""
    db.session.execute(
        db.update(LoginThrottle).where(LoginThrottle.blocked_until.is_not(None)).values(blocked_until=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()


def current_delay(email):
    row = row_of(email)
    return (row.blocked_until - row.last_failure_at).total_seconds()


def guess(client, email, times, addresses=None):
    """``times`` wrong passwords for ``email``, each from its own address (or cycling through
    ``addresses``), waiting out each delay: every one of them is checked and fails."""
    for n in range(times):
        let_delays_pass()
        address = addresses[n % len(addresses)] if addresses else f"203.0.113.{n + 1}"
        response = attempt(client, email, f"guess number {n}", address)
        assert response.status_code == 400, response.status_code
        assert WRONG in page_text(response)


def assert_told_to_wait(response, at_most):
    assert response.status_code == 429
    text = page_text(response)
    assert WAIT in text
    wait = int(re.search(r"Please wait (\d+) seconds? before trying again\.", text).group(1))
    assert 0 < wait <= at_most
    # Flask-Limiter may raise Retry-After to its own window's reset, never drops it.
    assert int(response.headers["Retry-After"]) > 0
    assert 'href="/login/link"' in response.get_data(as_text=True)


# (a) The owner is never kept out.


def test_guesses_from_many_addresses_do_not_keep_the_owner_out_of_her_known_browser(app, client, other_client, make_user, free):
    """After many wrong passwords for her address from many addresses, the owner logs in with her
    password from a browser she logged in with before, while unknown browsers must wait."""
    user = make_user(email="ada@example.org")
    log_in(client, user.email)  # her browser becomes known
    client.post_form("/logout")
    guess(other_client, user.email, free + 3)
    assert attempt(new_client(app), user.email, DEFAULT_PASSWORD, "198.51.100.8").status_code == 429

    response = attempt(client, user.email, DEFAULT_PASSWORD, "198.51.100.7")

    assert response.status_code == 302
    assert is_logged_in(client)
    # Her login does not reset the attacker's count: unknown browsers still wait.
    assert attempt(new_client(app), user.email, DEFAULT_PASSWORD, "198.51.100.9").status_code == 429


def test_the_sign_in_link_works_while_the_address_is_slowed_down(client, other_client, make_user, mailbox, free):
    """While unknown browsers must wait, the owner on a new browser logs in with a link by e-mail,
    and that browser is then known: her password works there too."""
    user = make_user(email="ada@example.org")
    guess(other_client, user.email, free)
    assert attempt(client, user.email, DEFAULT_PASSWORD, "198.51.100.7").status_code == 429

    client.post_form("/login/link", {"email": user.email})
    deliver_outbox()
    [message] = [m for m in mailbox.to(user.email) if m["Subject"] == "Your link to log in"]
    response = client.post_form(link_in(message, "/login/link/"))

    assert response.status_code == 302
    assert is_logged_in(client)
    client.post_form("/logout")
    assert attempt(client, user.email, DEFAULT_PASSWORD, "198.51.100.7").status_code == 302


def test_a_forged_device_cookie_is_ignored(app, client, other_client, make_user, free):
    """A device cookie naming the account but not signed by the site does not get past the wait."""
    user = make_user(email="ada@example.org")
    guess(other_client, user.email, free)
    forged = URLSafeTimedSerializer("not the site's key", salt="residency.accounts.known-device").dumps({"u": user.id, "n": "x" * 43})
    client.set_cookie(DEVICE_COOKIE, forged, path="/login")

    response = attempt(client, user.email, DEFAULT_PASSWORD, "198.51.100.7")

    assert response.status_code == 429
    assert not is_logged_in(client)


def test_the_device_cookie_is_httponly_strict_and_only_sent_to_the_login_pages(client, make_user):
    """The cookie that makes a browser known is HttpOnly, SameSite=Strict, limited to /login, signed."""
    user = make_user()

    response = attempt(client, user.email, DEFAULT_PASSWORD, "198.51.100.7")

    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(DEVICE_COOKIE + "=")]
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in attributes
    assert "samesite=strict" in attributes
    assert "path=/login" in attributes
    assert str(user.id) != cookie.split(";")[0].split("=", 1)[1]


# (b) The attacker is slowed to a crawl.


def test_past_the_free_attempts_every_attempt_waits_and_no_password_is_checked(client, make_user, free, base_delay):
    """After the free failures, the right password as well as a wrong one is answered "please
    wait" (429, Retry-After), nobody is logged in and no password is checked (no login and no
    failed login in the audit log, only the throttling)."""
    user = make_user(email="ada@example.org")
    guess(client, user.email, free)
    seen = len(audit_actions())

    right = attempt(client, user.email, DEFAULT_PASSWORD, "198.51.100.7")
    wrong = attempt(client, user.email, "another guess", "198.51.100.8")

    assert_told_to_wait(right, base_delay)
    assert_told_to_wait(wrong, base_delay)
    assert not is_logged_in(client)
    assert audit_actions()[seen:] == ["auth.login_throttled", "auth.login_throttled"]
    assert db.session.get(User, user.id).last_login_at is None
    assert row_of(user.email).failures == free  # waiting attempts do not count


def test_the_delay_doubles_at_each_failure_up_to_the_cap(app, client, make_user, free, base_delay):
    """The first delay comes with the last free failure; each further failure doubles it, up to
    the configured maximum."""
    user = make_user(email="ada@example.org")
    guess(client, user.email, free - 1)
    assert row_of(user.email).blocked_until is None

    delays = []
    for n in range(3):
        guess(client, user.email, 1, addresses=[f"198.51.100.{n + 1}"])
        delays.append(current_delay(user.email))

    assert delays == [base_delay, 2 * base_delay, 4 * base_delay]
    row = row_of(user.email)
    row.failures = 60
    db.session.commit()
    guess(client, user.email, 1, addresses=["198.51.100.9"])
    assert current_delay(user.email) == app.config["LOGIN_THROTTLE_MAX_DELAY_SECONDS"]
    assert "auth.login_slowed" in audit_actions(object_id=user.id)


def test_an_address_without_account_is_slowed_down_the_same_way(client, make_user, free):
    """Guesses on an address without an account get the same answers as on a real one, so the
    wait tells nobody who has an account."""
    make_user(email="ada@example.org")
    pages = {}
    for email in ("ada@example.org", "bob@example.org"):
        guess(client, email, free)
        response = attempt(client, email, "one more", "198.51.100.7")
        assert response.status_code == 429
        pages[email] = without_csrf(page_text(response)).replace(email, "EMAIL")

    assert pages["ada@example.org"] == pages["bob@example.org"]


def test_a_known_browser_that_keeps_failing_waits_on_its_own(app, client, make_user, free):
    """A known browser's own failures slow that browser down (a stolen device cookie buys a few
    guesses only), and leave the other browsers alone."""
    user = make_user(email="ada@example.org")
    log_in(client, user.email)
    client.post_form("/logout")
    for n in range(free):
        assert attempt(client, user.email, "typo", f"198.51.100.{n + 1}").status_code == 400

    assert attempt(client, user.email, DEFAULT_PASSWORD, "198.51.100.50").status_code == 429
    assert attempt(new_client(app), user.email, DEFAULT_PASSWORD, "198.51.100.51").status_code == 302


def test_a_successful_login_makes_the_count_start_again(app, client, make_user, free):
    """Only consecutive failures count: the right password, once accepted, clears them."""
    user = make_user(email="ada@example.org")
    guess(client, user.email, free - 1)
    assert attempt(new_client(app), user.email, DEFAULT_PASSWORD, "198.51.100.7").status_code == 302

    guess(client, user.email, free - 1, addresses=["198.51.100.8"])

    assert row_of(user.email).blocked_until is None


def test_failures_older_than_the_window_are_forgotten(app, client, make_user, free):
    """A failure long after the previous ones starts a new count."""
    user = make_user(email="ada@example.org")
    guess(client, user.email, free - 1)
    row = row_of(user.email)
    row.last_failure_at -= timedelta(hours=app.config["LOGIN_THROTTLE_WINDOW_HOURS"], minutes=1)
    db.session.commit()

    guess(client, user.email, 1, addresses=["198.51.100.7"])

    assert row_of(user.email).failures == 1
    assert row_of(user.email).blocked_until is None


# (c) The owner is told, once.


def test_the_owner_is_told_once_of_the_failed_attempts(client, make_user, mailbox, free):
    """Crossing the threshold sends the owner one e-mail saying how many attempts failed, from
    how many addresses (none shown) and since when, with the link option; more failures within
    the hour send nothing more."""
    user = make_user(email="ada@example.org")
    addresses = ["203.0.113.1", "203.0.113.2", "203.0.113.3"]

    guess(client, user.email, free + 4, addresses=addresses)
    deliver_outbox()

    [message] = mailbox.to(user.email)
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert f"{free} attempts to log in to your City to City Residency account failed" in body
    assert "They came from 3 different network addresses." in body
    assert "/login/link" in body
    assert "/account/password" in body
    assert "203.0.113" not in body
    since = format_datetime(row_of(user.email).first_failure_at, "long", tzinfo=ZoneInfo("UTC"), locale="en")
    assert f"Since {since} (UTC)" in body
    assert audit_actions(object_id=user.id).count("auth.failed_logins_alerted") == 1


def test_the_alert_is_written_in_the_owners_language_and_timezone(client, make_user, mailbox, free):
    """The alert is rendered in the owner's language, with the time in her timezone."""
    user = make_user(email="ada@example.org", name="Ada", locale="fr", timezone="America/Sao_Paulo")

    guess(client, user.email, free)
    deliver_outbox()

    [message] = mailbox.to(user.email)
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert body.startswith("Bonjour Ada,")
    zone = ZoneInfo("America/Sao_Paulo")
    assert format_datetime(row_of(user.email).first_failure_at, "long", tzinfo=zone, locale="fr") in body
    assert "(America/Sao_Paulo)" in body


def test_failures_after_an_hour_bring_a_new_alert(app, client, make_user, mailbox, free):
    """A further failure once the alert interval has passed sends one more e-mail."""
    user = make_user(email="ada@example.org")
    guess(client, user.email, free + 1)
    row = row_of(user.email)
    row.alerted_at -= timedelta(minutes=app.config["LOGIN_ALERT_MINUTES"])
    db.session.commit()

    guess(client, user.email, 2, addresses=["198.51.100.7"])
    deliver_outbox()

    assert len(mailbox.to(user.email)) == 2


def test_no_alert_for_a_known_browser_or_an_address_without_account(client, make_user, mailbox, free):
    """A known browser's own failures and guesses on an unknown address e-mail nobody."""
    user = make_user(email="ada@example.org")
    log_in(client, user.email)
    client.post_form("/logout")
    for n in range(free + 1):
        let_delays_pass()
        assert attempt(client, user.email, "typo", f"198.51.100.{n + 1}").status_code == 400
    guess(client, "bob@example.org", free + 1)

    deliver_outbox()

    assert mailbox.messages == []


def test_the_purge_forgets_only_rows_that_no_longer_count(app, client, make_user, free):
    """The daily purge deletes rows of successful logins and long-past failures, and keeps a
    running delay and a recent count."""
    from residency.accounts.throttle import purge_stale_throttles

    user = make_user(email="ada@example.org")
    assert attempt(new_client(app), user.email, DEFAULT_PASSWORD, "198.51.100.1").status_code == 302  # an idle row
    guess(client, "bob@example.org", free)  # a running delay
    guess(client, "eve@example.org", 1)  # a recent failure
    guess(client, "old@example.org", 1)
    old = row_of("old@example.org")
    old.last_failure_at -= timedelta(hours=app.config["LOGIN_THROTTLE_WINDOW_HOURS"], minutes=1)
    db.session.commit()

    assert purge_stale_throttles() == 2

    assert row_of("bob@example.org") is not None
    assert row_of("eve@example.org") is not None
    assert row_of("old@example.org") is None
