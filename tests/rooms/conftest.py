"""Fixtures of the rooms tests: a Lyon residency with a coordinator, three artists and an outsider
(each a committed user with a login), and Socket.IO test clients opened with their logins."""

from datetime import date, timedelta

import pytest

from residency.extensions import db as _db
from residency.extensions import socketio
from residency.residencies.models import Participant, ParticipantRole, Residency
from tests.conftest import log_in_without_form


class Person:
    """A user's id, name and e-mail (plain values: sockets' handlers end the test's session)."""

    def __init__(self, user):
        self.id, self.name, self.email = user.id, user.display_name, user.email


@pytest.fixture(autouse=True)
def _fresh_limits(app):
    """Each test counts its own events (the limiter's memory storage lives with the app)."""
    app.extensions.pop("residency.rooms.ratelimit", None)
    app.extensions.pop("residency.rooms.presence", None)
    yield
    app.extensions.pop("residency.rooms.ratelimit", None)
    app.extensions.pop("residency.rooms.presence", None)


@pytest.fixture
def cohort(app, make_user, city):
    """``{"residency": id, "coordinator"|"aya"|"bo"|"chen"|"outsider"|"left": Person}``."""
    coordinator = make_user(name="Camille Coordinator", roles=[("city_coordinator", "city", city.id)])
    aya, bo, chen = make_user(name="Aya"), make_user(name="Bo Lindqvist"), make_user(name="Chen")
    outsider, left = make_user(name="Olga Outsider"), make_user(name="Leo Left")
    today = date.today()
    residency = Residency(city_id=city.id, title="Lumières numériques", description="", timezone="Europe/Paris",
                          starts_on=today, ends_on=today + timedelta(days=28))
    _db.session.add(residency)
    _db.session.flush()
    _db.session.add(Participant(residency_id=residency.id, user_id=coordinator.id, role=ParticipantRole.COORDINATOR))
    for user in (aya, bo, chen):
        _db.session.add(Participant(residency_id=residency.id, user_id=user.id, role=ParticipantRole.ARTIST))
    from residency.core.types import utcnow

    _db.session.add(Participant(residency_id=residency.id, user_id=left.id, role=ParticipantRole.ARTIST,
                                left_at=utcnow()))
    _db.session.commit()
    people = {"coordinator": coordinator, "aya": aya, "bo": bo, "chen": chen, "outsider": outsider, "left": left}
    return {"residency": residency.id, **{key: Person(user) for key, user in people.items()}}


@pytest.fixture
def main_room(app, cohort):
    """The residency's own room (its id)."""
    from residency.rooms import rooms_ops

    room = rooms_ops.residency_room(_db.session.get(Residency, cohort["residency"]))
    _db.session.commit()
    return room.id


@pytest.fixture
def in_process_sockets(app):
    """Flask-SocketIO's test client needs the server's in-process manager, not the message queue
    (the real queue between real processes is what tests/rooms/test_live*.py drive)."""
    from socketio import Manager

    server = socketio.server
    previous = server.manager
    manager = Manager()
    manager.set_server(server)
    manager.initialize()
    server.manager = manager
    yield
    server.manager = previous


@pytest.fixture
def connect(app, in_process_sockets):
    """``connect(person)``: a Socket.IO test client opened with a fresh login of ``person``."""
    from residency.accounts.models import User

    opened = []

    def open_socket(person):
        client = app.test_client()
        _db.session.remove()  # objects of the session that earlier events ended
        log_in_without_form(client, _db.session.get(User, person.id))
        from flask import g

        g._get_current_object().__dict__.clear()  # the connect handler sees this login, not a cached one
        socket = socketio.test_client(app, flask_test_client=client)
        assert socket.is_connected()
        socket.http = client
        _fresh_g_per_event(socket)
        opened.append(socket)
        return socket

    yield open_socket
    for socket in opened:
        if socket.is_connected():
            socket.disconnect()


def _fresh_g_per_event(socket):
    """Each event starts with an empty ``g``, as on a real server (the test's application context
    outlives events, and Flask-Login caches the current user in ``g``)."""
    from flask import g

    emit = socket.emit

    def fresh_emit(*args, **kwargs):
        g._get_current_object().__dict__.clear()
        return emit(*args, **kwargs)

    socket.emit = fresh_emit


def received(socket, name):
    """The payloads of the events ``name`` the socket received since last asked."""
    return [event["args"][0] for event in socket.get_received() if event["name"] == name]
