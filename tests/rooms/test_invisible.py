"""A room is invisible to whoever is not in it (someone outside the residency, a participant who
left, a participant not in a group room, the residency's city coordinator who does not take part,
a network admin): every route of the room, its messages and mutes, and of the residency's rooms,
answers exactly as for an id that names nothing (404, same page), for GET and for writes;
visitors are sent to log in whatever the id. Nothing changes."""

import pytest

from residency.extensions import db
from residency.residencies.models import Residency
from residency.rooms import rooms_ops
from residency.rooms.models import Message, Mute, Room, RoomMember
from tests.invisible import Route, a_file, assert_routes_listed, differences, to_login

RESIDENCY_ROUTES = [
    Route("rooms.rooms", ("GET",), ("residency_id",)),
    Route("rooms.create_group", ("POST",), ("residency_id",), form={"name": "Hijacked"}),
    Route("rooms.direct", ("POST",), ("residency_id",), form={"user": "1"}),
]
ROOM_ROUTES = [
    Route("rooms.room", ("GET",), ("room_id",)),
    Route("rooms.post", ("POST",), ("room_id",), form={"text": "Hijacked", "client_id": "x"}),
    Route("rooms.edit", ("GET", "POST"), ("room_id", "message_id"), form={"text": "Hijacked"}),
    Route("rooms.delete", ("GET", "POST"), ("room_id", "message_id")),
    Route("rooms.mute", ("POST",), ("room_id",), form={"user": "1", "hours": "1"}),
    Route("rooms.unmute", ("POST",), ("room_id", "user_id")),
    Route("rooms.shelf", ("GET",), ("room_id",)),
    Route("rooms.attachment", ("GET",), ("room_id", "message_id")),
    Route("rooms.upload", ("POST",), ("room_id",), form=a_file("plan.png", b"\x89PNG\r\n\x1a\n")),
]
ROUTES = RESIDENCY_ROUTES + ROOM_ROUTES
EXEMPT = {}


@pytest.fixture
def existing(app, cohort, make_user, city):
    """The group room of Aya and Bo (Chen is not in it) with a message and a mute."""
    from residency.accounts.models import User

    residency = db.session.get(Residency, cohort["residency"])
    aya = db.session.get(User, cohort["aya"].id)
    room = rooms_ops.create_group(residency, aya, "Sound", [cohort["bo"].id])
    from residency.rooms.events import store_message

    message, _ = store_message(room, aya, "c1", "Our plan")
    db.session.add(Mute(residency_id=residency.id, user_id=cohort["bo"].id, muted_by_id=cohort["coordinator"].id))
    db.session.commit()
    admin = make_user(name="Network Admin", roles=[("network_admin", "network", None)])
    city_coordinator = make_user(name="Lyon Coordinator", roles=[("city_coordinator", "city", city.id)])
    return {"residency_id": residency.id, "room_id": room.id, "message_id": message.id, "user_id": cohort["bo"].id,
            "people": {"outsider": cohort["outsider"].id, "left": cohort["left"].id, "chen": cohort["chen"].id,
                       "admin": admin.id, "city_coordinator": city_coordinator.id}}


def snapshot():
    return (db.session.scalar(db.select(db.func.count(Room.id))), db.session.scalar(db.select(db.func.count(Message.id))),
            db.session.scalar(db.select(db.func.count(RoomMember.id))), db.session.scalar(db.select(db.func.count(Mute.id))),
            tuple(db.session.execute(db.select(Message.body, Message.deleted_at)).all()))


def test_every_rooms_route_taking_an_id_is_in_the_table(app):
    """A new route with an id fails here until it is added to the table."""
    assert_routes_listed(app, "rooms", ROUTES, EXEMPT)


@pytest.mark.parametrize("who", ["outsider", "left", "admin", "city_coordinator"])
def test_a_residency_one_does_not_take_part_in_is_answered_as_a_missing_one(app, client, login_as, existing, who):
    from residency.accounts.models import User

    login_as(db.session.get(User, existing["people"][who]))
    assert differences(app, client, ROUTES, existing) == []


def test_a_group_room_one_is_not_in_is_answered_as_a_missing_one(app, client, login_as, existing):
    """Chen takes part in the residency but is not in the group: its routes answer 404."""
    from residency.accounts.models import User

    login_as(db.session.get(User, existing["people"]["chen"]))
    assert differences(app, client, ROOM_ROUTES, existing) == []


def test_visitors_are_sent_to_log_in_for_every_id(app, client, existing):
    assert differences(app, client, ROUTES, existing, expected=to_login) == []


def test_nothing_changed(app, client, login_as, existing):
    from residency.accounts.models import User

    before = snapshot()
    for who in ("outsider", "left", "admin", "chen"):
        login_as(db.session.get(User, existing["people"][who]))
        differences(app, client, ROOM_ROUTES if who == "chen" else ROUTES, existing)
    assert snapshot() == before
