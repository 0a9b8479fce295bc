"""The rooms' part of the demo: the residency room of the residencies demo, with some history."""

from residency.extensions import db


DEMO_LINES = (
    (0, "Welcome to the residency room! Introduce yourselves and your project here."),
    (1, "Hello from Lyon: I am working on a sound piece with field recordings of the Rhône."),
    (2, "Greetings from Gwangju. My project maps the light of the city at night: https://example.org/light"),
    (3, "Hi all, Braga here. Looking forward to the first critique next week."),
    (0, "The first session is in the programme: times are shown in your own timezone."),
)


def load_demo_rooms():
    """Give the demo residency's room a short history (once). Returns lines to print."""
    from residency.residencies.demo import TITLE
    from residency.residencies.models import Participant, Residency
    from residency.rooms import events, rooms_ops
    from residency.rooms.models import Message

    residency = db.session.execute(db.select(Residency).where(Residency.title == TITLE)).scalars().first()
    if residency is None:
        return []
    room = rooms_ops.residency_room(residency)
    if db.session.execute(db.select(Message.id).where(Message.room_id == room.id).limit(1)).first():
        return []
    people = db.session.execute(
        db.select(Participant).where(Participant.residency_id == residency.id, Participant.left_at.is_(None))
        .order_by(Participant.role != "coordinator", Participant.id)
    ).scalars().all()
    if not people:
        return []
    for index, (who, text) in enumerate(DEMO_LINES):
        author = people[who % len(people)].user
        events.store_message(room, author, f"demo-{index}", text)
    db.session.commit()
    return [f"Rooms: “{residency.title}” has a residency room with {len(DEMO_LINES)} messages (/rooms/{room.id})."]
