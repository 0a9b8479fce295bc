"""A live connection lives only as long as the login it was opened with: logging out, or a
password change that ends the other sessions, cuts its sockets on the server, in every web
process, while the user's other logins stay connected."""

import threading

import socketio

from tests.live.stack import Browser, Stack

PASSWORD = "a long and quiet river 42"
NEW_PASSWORD = "another calm and long river 77"
EMAIL = "ines@example.org"


class LiveSocket:
    """A Socket.IO client opened with a browser's cookies; records being disconnected."""

    def __init__(self, browser, url):
        self.client = socketio.Client(reconnection=False)
        self.cut = threading.Event()
        self.told = threading.Event()
        self.client.on("disconnect", lambda *args: self.cut.set())
        self.client.on("session.ended", lambda *args: self.told.set())
        cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
        self.client.connect(url, headers={"Cookie": cookie, "User-Agent": browser.headers["User-Agent"]},
                            transports=["websocket"], wait_timeout=10)

    def alive(self):
        """The server still answers this socket's authenticated events."""
        if self.cut.is_set():
            return False
        answer = self.client.call("whoami", timeout=10)
        return "user" in answer

    def close(self):
        if not self.cut.is_set():
            self.client.disconnect()


def log_in(url):
    browser = Browser(url)
    response = browser.submit("/login", {"email": EMAIL, "password": PASSWORD}, allow_redirects=False)
    assert response.status_code == 302, response.text[:500]
    return browser


def sockets_cut_by_logout(stack):
    web1, web2 = (stack.urls * 2)[:2]
    first, second = log_in(web1), log_in(web2)
    on_web2, on_web1, other_login = LiveSocket(first, web2), LiveSocket(first, web1), LiveSocket(second, web2)
    try:
        assert on_web2.alive() and on_web1.alive() and other_login.alive()
        assert first.submit("/logout", allow_redirects=False).status_code == 302
        assert on_web2.cut.wait(20), "the socket on the other web process was not cut"
        assert on_web1.cut.wait(20), "the socket on the same web process was not cut"
        assert other_login.alive(), "a socket of another login of the same user was cut"

        # A password change in one login ends the others, and cuts their sockets.
        third = log_in(web1)
        kept = LiveSocket(third, web2)
        response = third.submit("/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
                                allow_redirects=False)
        assert response.status_code == 302, response.text[:500]
        assert other_login.cut.wait(20), "the other session's socket survived the password change"
        assert kept.alive(), "the socket of the login that changed the password was cut"
        kept.close()
    finally:
        for live in (on_web2, on_web1, other_login):
            live.close()


def test_logout_cuts_sockets_across_two_web_processes(tmp_path, postgres_database, redis_test_url):
    """On PostgreSQL and the Redis message queue, with two web processes."""
    env = {"DATABASE_URL": postgres_database, "REDIS_URL": redis_test_url, "RATELIMIT_LOGIN": "100 per minute"}
    with Stack(tmp_path / "data", env=env, webs=2, worker=False) as stack:
        for url in stack.urls:
            stack.wait_for(url + "/healthz")
        stack.flask("residency", "create-admin", "--email", EMAIL, "--name", "Inès", input=PASSWORD + "\n")
        sockets_cut_by_logout(stack)


def test_logout_cuts_sockets_on_the_embedded_default(tmp_path):
    """With no service: one web process, the filesystem message queue."""
    with Stack(tmp_path / "data", env={"RATELIMIT_LOGIN": "100 per minute"}, worker=False) as stack:
        stack.wait_for(stack.url + "/healthz")
        stack.flask("residency", "create-admin", "--email", EMAIL, "--name", "Inès", input=PASSWORD + "\n")
        sockets_cut_by_logout(stack)
