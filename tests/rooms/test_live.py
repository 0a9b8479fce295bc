"""Rooms between real web processes (gunicorn on gevent, as deployed) on PostgreSQL and Redis,
driven by python-socketio clients that follow only docs/rooms-protocol.md: two processes share a
room; nothing is lost or applied twice across a dropped connection or a web process restart;
bad input over the wire is refused without harming the room; leaving a residency cuts its
sockets."""

import threading

import pytest
import requests
import socketio

from tests import services
from tests.live.stack import Stack
from tests.rooms.live import RoomClient, log_in, seed, wait_for

NAMES = ("ana", "bruno", "chloe", "dana", "eli", "outsider")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    database = services.create_postgres_database("residency_rooms")
    redis_url = services.redis_url()
    services.flush_redis(redis_url)
    env = {"DATABASE_URL": database, "REDIS_URL": redis_url, "RATELIMIT_LOGIN": "1000 per minute",
           "ROOMS_RATE_LIMIT": "1000 per 10 seconds"}
    running = Stack(tmp_path_factory.mktemp("rooms-live"), env=env, webs=2, worker=False).start()
    try:
        running.cohort = seed(running, NAMES)
        yield running
    finally:
        running.stop()
        services.flush_redis(redis_url)
        services.drop_postgres_database(database)


def client(stack, name, web=0):
    url = stack.urls[web]
    return RoomClient(log_in(url, stack.cohort["users"][name]["email"]), url, stack.cohort["room"]).connect()


def test_two_processes_share_a_room_and_a_dropped_connection_loses_nothing(stack):
    ana, bruno = client(stack, "ana", web=0), client(stack, "bruno", web=1)
    try:
        start = ana.last
        ana.send("from web1", "share-1")
        bruno.send("from web2", "share-2")
        wait_for(lambda: {"from web1", "from web2"} <= set(bruno.texts()) and
                 {"from web1", "from web2"} <= set(ana.texts()), message="both processes deliver")

        bruno.sio.disconnect()          # Bruno's connection drops …
        for n in range(5):
            ana.send(f"while away {n}", f"away-{n}")
        bruno.sio.connect(bruno.url, headers=bruno.headers, transports=["websocket"], wait_timeout=10)
        assert bruno.synced.wait(20)    # … and the replay handshake gives what he missed, once
        wait_for(lambda: all(f"while away {n}" in bruno.texts() for n in range(5)), message="replay")
        mine = [seq for seq, kind, _ in bruno.applied if kind == "message" and seq > start]
        assert mine == list(range(start + 1, start + 8)), bruno.applied
        assert bruno.last == ana.last
    finally:
        ana.close()
        bruno.close()


def test_a_web_process_restart_loses_and_duplicates_nothing(stack):
    """A sender on web2 keeps writing while web1, which serves the reader and a second sender,
    restarts: every message is stored once and reaches the reader once, in order."""
    reader, far, near = client(stack, "chloe", web=0), client(stack, "dana", web=1), client(stack, "eli", web=0)
    start = reader.last
    sent, failures = [], []

    def write(who, prefix, count):
        try:
            for n in range(count):
                who.send(f"{prefix} {n}", f"{prefix}-{n}")
                sent.append(f"{prefix} {n}")
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    writers = [threading.Thread(target=write, args=(far, "far", 30)), threading.Thread(target=write, args=(near, "near", 30))]
    try:
        for writer in writers:
            writer.start()
        wait_for(lambda: len(sent) >= 10, message="first messages")
        stack.stop_process("web1")
        stack._spawn("web1", _web_command(stack, 0))
        stack.wait_for(stack.urls[0] + "/healthz")
        for writer in writers:
            writer.join(90)
        assert not failures, failures
        assert len(sent) == 60
        wait_for(lambda: reader.last >= start + 60 and reader.synced.is_set(), timeout=60, message="reader catches up")
        seqs = [seq for seq, kind, _ in reader.applied if kind == "message" and seq > start]
        assert seqs == list(range(start + 1, start + 61)), "lost or applied twice"
        texts = [text for text in reader.texts() if text.startswith(("far ", "near "))]
        assert sorted(texts) == sorted(sent) and len(set(texts)) == 60  # each stored once
    finally:
        for who in (reader, far, near):
            who.close()


def _web_command(stack, index):
    from tests.live.stack import BIN

    return [str(BIN / "gunicorn"), "--worker-class", "gevent", "--workers", "1", "--worker-connections", "4000",
            "--bind", f"127.0.0.1:{stack.ports[index]}", "--graceful-timeout", "3", "--no-control-socket", "wsgi:app"]


def raw_socket(stack, name, web=0):
    browser = log_in(stack.urls[web], stack.cohort["users"][name]["email"])
    sio = socketio.Client(reconnection=False)
    cut = threading.Event()
    sio.on("disconnect", lambda *a: cut.set())
    sio.connect(stack.urls[web], transports=["websocket"], wait_timeout=10, headers={
        "Cookie": "; ".join(f"{c.name}={c.value}" for c in browser.cookies), "User-Agent": browser.headers["User-Agent"]})
    return sio, cut, browser


def test_bad_input_over_the_wire_is_refused_without_harming_the_room(stack):
    room = stack.cohort["room"]
    outsider, _, _ = raw_socket(stack, "outsider")
    try:
        assert outsider.call("room.join", {"room": room, "after": 0}, timeout=10)["error"] == "not_found"
        assert outsider.call("message.send", {"room": room, "client_id": "x", "text": "hi"}, timeout=10)["error"] == "not_found"
    finally:
        outsider.disconnect()

    big, cut, _ = raw_socket(stack, "ana", web=1)
    assert big.call("room.join", {"room": room, "after": None}, timeout=10)["ok"]
    big.emit("message.send", {"room": room, "client_id": "huge", "text": "x" * 200_000})
    assert cut.wait(10), "a packet over the size limit closes the connection"

    reader = client(stack, "bruno", web=0)
    try:
        assert "x" * 200_000 not in reader.texts()
        reader.send("the room still works", "after-huge")
        wait_for(lambda: "the room still works" in reader.texts(), message="room works")
    finally:
        reader.close()


def test_connections_from_other_origins_or_without_login_are_refused(stack):
    browser = log_in(stack.urls[0], stack.cohort["users"]["ana"]["email"])
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
    for headers in ({"Cookie": cookie, "User-Agent": browser.headers["User-Agent"], "Origin": "https://evil.example"},
                    {"Origin": stack.urls[0]}):
        sio = socketio.Client(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            sio.connect(stack.urls[0], headers=headers, transports=["websocket"], wait_timeout=5)


def test_leaving_the_residency_disconnects_its_room_in_every_process(stack):
    room = stack.cohort["room"]
    sio, cut, _ = raw_socket(stack, "dana", web=1)
    assert sio.call("room.join", {"room": room, "after": None}, timeout=10)["ok"]
    browser = log_in(stack.urls[0], stack.cohort["users"]["dana"]["email"])
    path = f"/residencies/{stack.cohort['residency']}/leave"
    response = browser.post(path, data={"csrf_token": browser.csrf_token(path)}, allow_redirects=False)
    assert response.status_code == 302, response.text[:500]
    assert cut.wait(20), "the socket of a participant who left stayed connected"
    again, _, _ = raw_socket(stack, "dana", web=1)
    try:
        assert again.call("room.join", {"room": room, "after": 0}, timeout=10)["error"] == "not_found"
    finally:
        again.disconnect()
    assert requests.get(stack.urls[0] + "/healthz", timeout=10).status_code == 200
