"""Real processes for the rooms tests: web processes of the platform (tests/live/stack.py) on
PostgreSQL and Redis, a cohort seeded in their database, and a Socket.IO client that follows
only docs/rooms-protocol.md (join with the last number seen, apply events in order, fill gaps
with a replay, replay again after a reconnection or a ``live.resync``, retry unacknowledged
sends with the same client id)."""

import json
import subprocess
import threading
import time

import socketio

from tests.live.stack import BIN, ROOT, Browser

PASSWORD = "a long and quiet river 42"

SEED = r"""
import json
from datetime import date, timedelta
from residency import create_app
from residency.extensions import db
from residency.accounts.models import User
from residency.accounts.passwords import hash_password
from residency.cities.models import City
from residency.core.types import utcnow
from residency.residencies.models import Participant, Residency
from residency.rooms import rooms_ops

app = create_app()
with app.app_context():
    city = db.session.execute(db.select(City).where(City.slug == "lyon")).scalar_one()
    hashed = hash_password(%(password)r)
    people = {}
    for key in %(names)r:
        user = User(email=f"{key}@rooms.example.org", password_hash=hashed, display_name=key.title(),
                    email_verified_at=utcnow())
        db.session.add(user)
        people[key] = user
    residency = Residency(city_id=city.id, title="Live room", description="", timezone="Europe/Paris",
                          starts_on=date.today(), ends_on=date.today() + timedelta(days=30))
    db.session.add(residency)
    db.session.flush()
    for key, user in people.items():
        if key != "outsider":
            db.session.add(Participant(residency_id=residency.id, user_id=user.id, role="artist"))
    room = rooms_ops.residency_room(residency)
    db.session.commit()
    print(json.dumps({"room": room.id, "residency": residency.id,
                      "users": {key: {"id": user.id, "email": user.email} for key, user in people.items()}}))
"""


def seed(stack, names):
    """Create users ``names`` (all in the residency but ``outsider``) and the residency's room."""
    result = subprocess.run(
        [str(BIN / "python"), "-c", SEED % {"password": PASSWORD, "names": list(names)}],
        cwd=ROOT, env=stack.env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def log_in(url, email):
    browser = Browser(url)
    response = browser.submit("/login", {"email": email, "password": PASSWORD}, allow_redirects=False)
    assert response.status_code == 302, response.text[:500]
    return browser


class RoomClient:
    """One person's live view of one room, kept as the protocol says."""

    def __init__(self, browser, url, room):
        self.room = room
        self.url = url
        self.headers = {"Cookie": "; ".join(f"{c.name}={c.value}" for c in browser.cookies),
                        "User-Agent": browser.headers["User-Agent"]}
        self.lock = threading.RLock()
        self.last = 0
        self.applied = []        # (seq, type, message id), in the order applied
        self.messages = {}       # message id -> current message
        self.ahead = {}
        self.gap_timer = None
        self.synced = threading.Event()
        self.errors = []
        self.sio = socketio.Client(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1,
                                   randomization_factor=0)
        self.sio.on("connect", self._on_connect)
        self.sio.on("disconnect", lambda *a: self.synced.clear())
        self.sio.on("room.event", self._on_event)
        self.sio.on("live.resync", lambda *a: self.replay())

    def connect(self, timeout=20):
        self.sio.connect(self.url, headers=self.headers, transports=["websocket"], wait_timeout=10)
        assert self.synced.wait(timeout), f"never joined room {self.room}: {self.errors}"
        return self

    def close(self):
        if self.gap_timer:
            self.gap_timer.cancel()
        self.sio.disconnect()

    # -- receiving --------------------------------------------------------------------------

    def _on_connect(self):
        with self.lock:
            after = self.last
        self.sio.emit("room.join", {"room": self.room, "after": after}, callback=self._on_page)

    def _on_page(self, answer):
        if not answer.get("ok"):
            self.errors.append(answer)
            return
        with self.lock:
            for event in answer["events"]:
                if event["seq"] > self.last:
                    self._apply(event)
            self.last = max(self.last, answer["last"])
            self._drain()
            more = answer.get("more")
        if more:
            self.replay()
        else:
            self.synced.set()

    def replay(self):
        with self.lock:
            after = self.last
        if self.sio.connected:
            self.sio.emit("room.replay", {"room": self.room, "after": after}, callback=self._on_page)

    def _on_event(self, event):
        if event["room"] != self.room:
            return
        with self.lock:
            if event["seq"] <= self.last:
                return
            if event["seq"] == self.last + 1:
                self._apply(event)
                self.last = event["seq"]
                self._drain()
            else:
                self.ahead[event["seq"]] = event
                if self.gap_timer is None or not self.gap_timer.is_alive():
                    self.gap_timer = threading.Timer(1.0, self.replay)
                    self.gap_timer.daemon = True
                    self.gap_timer.start()

    def _drain(self):
        while self.last + 1 in self.ahead:
            event = self.ahead.pop(self.last + 1)
            self._apply(event)
            self.last = event["seq"]
        for seq in [seq for seq in self.ahead if seq <= self.last]:
            del self.ahead[seq]

    def _apply(self, event):
        self.applied.append((event["seq"], event["type"], event["message"]["id"]))
        self.messages[event["message"]["id"]] = event["message"]

    def texts(self):
        with self.lock:
            return [m["text"] for m in sorted(self.messages.values(), key=lambda m: m["seq"])]

    # -- sending ----------------------------------------------------------------------------

    def send(self, text, client_id, deadline=60):
        """Send until acknowledged, retrying with the same client id across reconnections."""
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            if not self.sio.connected:
                time.sleep(0.1)
                continue
            try:
                answer = self.sio.call("message.send", {"room": self.room, "client_id": client_id, "text": text},
                                       timeout=5)
            except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError,
                    socketio.exceptions.DisconnectedError):
                continue
            if answer.get("ok"):
                return answer
            if answer.get("error") == "rate_limited":
                time.sleep(0.5)
                continue
            raise AssertionError(f"send refused: {answer}")
        raise TimeoutError(f"{client_id} was never acknowledged")


def wait_for(predicate, timeout=30, message="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    raise TimeoutError(message)
