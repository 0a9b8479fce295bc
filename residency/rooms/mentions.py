"""Mentions: ``@Name`` in a message names a person in the room by their display name. Each one
becomes an in-app notice (live, and counted until read); someone not present in the room when
named is also e-mailed, at most once per room every 15 minutes."""

import logging

from flask import url_for
from flask_babel import lazy_gettext as _l

from residency.accounts.models import User
from residency.core.jobs import call_after_commit
from residency.core.live import emit, user_room
from residency.core.types import utcnow
from residency.extensions import db
from residency.notifications.operations import queue_email
from residency.rooms import access, presence, ratelimit
from residency.rooms.models import Mention, Message

log = logging.getLogger(__name__)


def named(text, people):
    """The people (User objects) whose ``@display name`` appears in ``text``, case-insensitively,
    a longer name winning over a shorter one it contains."""
    lowered = text.casefold()
    found, taken = [], []
    for user in sorted(people, key=lambda u: -len(u.display_name)):
        needle = "@" + user.display_name.casefold()
        start = lowered.find(needle)
        while start != -1:
            end = start + len(needle)
            boundary = end == len(lowered) or not lowered[end].isalnum()
            if boundary and not any(a <= start < b for a, b in taken):
                found.append(user)
                taken.append((start, end))
                break
            start = lowered.find(needle, start + 1)
    return found


def record(room, message, author):
    """Store the mentions of a new message and notify those named (after commit)."""
    if not message.body or "@" not in message.body:
        return []
    ids = access.member_ids(room) - {author.id}
    if not ids:
        return []
    people = db.session.execute(db.select(User).where(User.id.in_(ids))).scalars().all()
    try:
        here = presence.store().here(room.id)
    except Exception:  # presence unknown (Redis down): e-mail as if away
        here = set()
    rows = []
    for user in named(message.body, people):
        rows.append(Mention(message_id=message.id, user_id=user.id, created_at=utcnow()))
        notice = {"room": room.id, "message": message.id, "seq": message.seq,
                  "author": {"id": author.id, "name": author.display_name}, "text": message.body[:200]}
        call_after_commit(emit, "rooms.mention", notice, user_room(user.id))
        if user.id not in here and ratelimit.allow("mention-mail", f"{user.id}:{room.id}", "1 per 15 minutes"):
            rows[-1].emailed_at = utcnow()
            queue_email(user.email, "room_mention", _l("%(name)s mentioned you", name=author.display_name),
                        user=user, author=author, room_title=access.room_title(room, user), residency=access.residency_of(room),
                        text=message.body[:500], link=url_for("rooms.room", room_id=room.id, _external=False))
    db.session.add_all(rows)
    db.session.flush()
    return rows


def mark_read(room, user, seq):
    """Mentions of ``user`` in messages of ``room`` up to ``seq`` are read."""
    ids = db.select(Message.id).where(Message.room_id == room.id, Message.seq <= seq).scalar_subquery()
    db.session.execute(
        db.update(Mention).where(Mention.user_id == user.id, Mention.read_at.is_(None), Mention.message_id.in_(ids))
        .values(read_at=utcnow()),
        execution_options={"synchronize_session": False},
    )


def unread_mentions(user, room_ids):
    """``{room id: unread mentions of user}`` for these rooms."""
    if not room_ids:
        return {}
    rows = db.session.execute(
        db.select(Message.room_id, db.func.count(Mention.id)).join(Message, Message.id == Mention.message_id)
        .where(Mention.user_id == user.id, Mention.read_at.is_(None), Message.room_id.in_(room_ids),
               Message.deleted_at.is_(None))
        .group_by(Message.room_id)
    ).all()
    return dict(rows)
