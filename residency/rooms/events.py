"""The stored events of a room: posting, editing and removing messages, replay and history.

Every stored event takes the next number of its room (:func:`next_seq`): an ``UPDATE … RETURNING``
of the room's counter, which holds the room's row lock until the transaction commits. Two
writers of one room therefore commit in the order of their numbers, so a reader that has seen
event ``n`` has seen every event before it, and a rolled-back transaction leaves no hole.
These operations flush and never commit: the caller (a socket handler or a view) commits once.
"""

from sqlalchemy import case, or_, update
from sqlalchemy.exc import IntegrityError

from residency.core.types import utcnow
from residency.extensions import db
from residency.rooms.models import Message, Room


class RoomError(Exception):
    """A refused action; ``code`` is the protocol's error code, ``message`` a translated text."""

    def __init__(self, code, message):
        super().__init__(code)
        self.code = code
        self.message = str(message)


def next_seq(room_id):
    """Take the room's next event number (locks the room's row until commit)."""
    return db.session.execute(
        update(Room).where(Room.id == room_id).values(last_seq=Room.last_seq + 1).returning(Room.last_seq),
        execution_options={"synchronize_session": False},
    ).scalar_one()


def head(room_id):
    """The number of the room's last stored event."""
    return db.session.execute(db.select(Room.last_seq).where(Room.id == room_id)).scalar_one()


def find_sent(room_id, author_id, client_id):
    return db.session.execute(
        db.select(Message).where(
            Message.room_id == room_id, Message.author_id == author_id, Message.client_id == client_id)
    ).scalars().first()


def store_message(room, author, client_id, text, reply_to=None, asset=None):
    """Store a new message, or return the one already stored for this ``client_id``.

    Returns ``(message, created)``. A retried send (same author, room and client id) is never
    stored twice: it is found first; and when both tries race, the second waits on the room's row
    lock, then meets the unique constraint, its transaction is rolled back and the stored message
    returned (the caller's transaction has then done nothing else).
    """
    existing = find_sent(room.id, author.id, client_id)
    if existing is not None:
        return existing, False
    try:
        seq = next_seq(room.id)
        message = Message(
            room_id=room.id, seq=seq, changed_seq=seq, author_id=author.id, client_id=client_id,
            body=text, reply_to_id=reply_to.id if reply_to is not None else None,
            asset_id=asset.id if asset is not None else None, created_at=utcnow(),
        )
        db.session.add(message)
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        existing = find_sent(room.id, author.id, client_id)
        if existing is None:
            raise
        return existing, False
    return message, True


def edit_message(message, text):
    """Replace the text of a message; the change is a new event of the room."""
    message.body = text
    message.edited_at = utcnow()
    message.changed_seq = next_seq(message.room_id)
    db.session.flush()
    return message


def remove_message(message, by=None):
    """Remove a message: its text goes, its row and number stay. ``by`` is a coordinator removing
    someone else's message (None: its author deleting it)."""
    message.body = ""
    message.asset_id = None
    message.deleted_at = utcnow()
    message.removed_by_id = getattr(by, "id", None)
    message.changed_seq = next_seq(message.room_id)
    db.session.flush()
    return message


def message_in_room(room, message_id):
    """The message ``message_id`` if it belongs to ``room``, else None."""
    if message_id is None:
        return None
    message = db.session.get(Message, message_id)
    return message if message is not None and message.room_id == room.id else None


def replay(room, after, limit):
    """The events of ``room`` after number ``after``, oldest first, at most ``limit``.

    Returns ``(events, last, more)``: ``events`` as ``(kind, seq, message)``, each message in its
    current state (a message posted and then edited after ``after`` comes once, as posted, with
    its edit in it); ``last`` is the number to resume from; ``more`` whether events remain.
    """
    top = head(room.id)
    event_seq = case((Message.seq > after, Message.seq), else_=Message.changed_seq)
    rows = db.session.execute(
        db.select(Message).where(Message.room_id == room.id, or_(Message.seq > after, Message.changed_seq > after))
        .order_by(event_seq).limit(limit + 1)
    ).scalars().all()
    more = len(rows) > limit
    rows = rows[:limit]
    events = [("message", m.seq, m) if m.seq > after else ("change", m.changed_seq, m) for m in rows]
    if more:
        last = events[-1][1]
    else:
        last = max([top, after] + [seq for _kind, seq, _m in events])
    return events, last, more


def history(room, before, limit):
    """Messages of ``room`` numbered below ``before`` (None: the newest), newest ``limit`` of them,
    returned oldest first; and whether older ones remain."""
    query = db.select(Message).where(Message.room_id == room.id)
    if before is not None:
        query = query.where(Message.seq < before)
    rows = db.session.execute(query.order_by(Message.seq.desc()).limit(limit + 1)).scalars().all()
    return list(reversed(rows[:limit])), len(rows) > limit
