"""The whole platform as separate processes: a request queues a job, a real Celery worker runs
it, and its effect is visible — on the embedded default and on PostgreSQL + Redis + S3 + SMTP."""

import email
import re
import threading
from email import policy

import socketio

from tests.live.stack import Browser, Stack, wait_until

PASSWORD = "a long and quiet river 42"


def register(browser, address, name="Aya Artist"):
    response = browser.submit("/register", {
        "email": address, "display_name": name, "pronouns": "", "city": "0",
        "locale": "en", "timezone": "Europe/Lisbon", "password": PASSWORD,
    }, allow_redirects=False)
    assert response.status_code == 302, response.text[:1000]
    return response


def verify_link(body):
    match = re.search(r"https?://[^/\s]+(/verify/[^\s]+)", body)
    assert match, body
    return match.group(1)


def confirm(browser, path):
    page = browser.get(path)
    assert page.status_code == 200
    response = browser.submit(path, allow_redirects=False)
    assert response.status_code == 302, response.text[:1000]
    account = browser.get("/account")
    assert "is not confirmed yet" not in account.text
    return account


def test_embedded_default_serves_everything_without_any_service(tmp_path):
    """With no variable set: home, registration, the e-mail in the outbox (written by a real
    worker over the filesystem broker), verification, login and /healthz all work."""
    data = tmp_path / "data"
    with Stack(data) as stack:
        health = stack.wait_for(stack.url + "/healthz")
        assert health.json() == {"database": "ok", "broker": "ok", "storage": "ok"}
        assert (data / "residency.sqlite3").exists()

        browser = Browser(stack.url)
        assert "Košice" in browser.get("/").text
        register(browser, "aya@example.org")

        outbox = data / "outbox"
        files = wait_until(lambda: sorted(outbox.glob("*.eml")), timeout=60, message="e-mail in the outbox")
        message = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
        assert message["To"] == "aya@example.org"
        confirm(browser, verify_link(message.get_body(("plain",)).get_content()))

        browser.submit("/logout")
        again = Browser(stack.url)
        response = again.submit("/login", {"email": "aya@example.org", "password": PASSWORD}, allow_redirects=False)
        assert response.status_code == 302
        assert "Aya Artist" in again.get("/").text


def test_real_services_round_trip_across_two_web_processes(tmp_path, postgres_database, redis_test_url, moto_s3, smtp_server):
    """On PostgreSQL, Redis, S3 and SMTP with two web processes: the verification e-mail is
    delivered by the worker over SMTP, and a job queued through one web process reaches a
    browser connected to the other one live, through the Redis message queue."""
    controller, mailbox = smtp_server
    mailbox.clear()
    env = {
        "DATABASE_URL": postgres_database,
        "REDIS_URL": redis_test_url,
        "SMTP_HOST": controller.hostname,
        "SMTP_PORT": str(controller.port),
        **moto_s3,
    }
    with Stack(tmp_path / "data", env=env, webs=2) as stack:
        web1, web2 = stack.urls
        for url in stack.urls:
            assert stack.wait_for(url + "/healthz").json() == {"database": "ok", "broker": "ok", "storage": "ok"}

        # Registration on web2; the e-mail goes out over real SMTP; the link works on web1.
        artist = Browser(web2)
        register(artist, "kofi@example.org", "Kofi")
        messages = wait_until(lambda: mailbox.to("kofi@example.org"), timeout=60, message="verification e-mail")
        artist.base_url = web1
        confirm(artist, verify_link(messages[0].get_body(("plain",)).get_content()))

        # An admin's browser holds a live connection to web2 …
        stack.flask("residency", "create-admin", "--email", "admin@example.org", input=PASSWORD + "\n")
        admin = Browser(web1)
        response = admin.submit("/login", {"email": "admin@example.org", "password": PASSWORD}, allow_redirects=False)
        assert response.status_code == 302
        received = []
        done = threading.Event()
        client = socketio.Client(reconnection=False)

        @client.on("probe.completed")
        def on_probe(data):
            received.append(data)
            done.set()

        cookie = "; ".join(f"{c.name}={c.value}" for c in admin.cookies)
        client.connect(web2, headers={"Cookie": cookie, "User-Agent": admin.headers["User-Agent"]},
                       transports=["websocket"], wait_timeout=10)
        try:
            # … and queues the job through web1; the worker's event reaches web2's socket.
            assert admin.submit("/admin/system", allow_redirects=False).status_code == 302
            assert done.wait(60), stack.logs()
        finally:
            client.disconnect()
        assert received[0]["worker"]
        page = admin.get("/admin/system").text
        assert "waiting…" not in page


def test_anonymous_socket_connections_are_refused(tmp_path):
    """Only logged-in users open a live connection."""
    with Stack(tmp_path / "data", worker=False) as stack:
        client = socketio.Client(reconnection=False)
        try:
            client.connect(stack.url, transports=["websocket"], wait_timeout=5)
        except socketio.exceptions.ConnectionError:
            refused = True
        else:
            refused = False
            client.disconnect()
        assert refused


def test_health_names_the_parts_that_are_down(tmp_path):
    """/healthz answers 503 and names the database and the broker when they do not answer."""
    from tests.services import free_port

    env = {
        "DATABASE_URL": f"postgresql://nobody@127.0.0.1:{free_port()}/none",
        "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
    }
    stack = Stack(tmp_path / "data", env=env, worker=False)
    try:
        stack.start(migrate=False)
        response = stack.wait_for(stack.url + "/healthz", accept=(503,))
        report = response.json()
        assert report["database"].startswith("error")
        assert report["broker"].startswith("error")
        assert report["storage"] == "ok"
    finally:
        stack.stop()
