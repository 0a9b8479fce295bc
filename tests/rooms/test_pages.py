"""The rooms without JavaScript: a room's history is read and a message posted, edited and deleted
with plain pages and forms; group and direct rooms are started from the residency's rooms page;
coordinators remove messages and mute people; unread counts and mentions show on the list."""

import re

from residency.extensions import db
from residency.rooms.models import Message, Room, RoomKind


def as_user(client, login_as, person):
    from residency.accounts.models import User

    db.session.remove()
    login_as(db.session.get(User, person.id))


def post(client, room, text, client_id="form-1", **extra):
    return client.post_form(f"/rooms/{room}/messages", {"text": text, "client_id": client_id, **extra})


def test_history_is_read_and_a_message_posted_without_javascript(client, login_as, cohort, main_room):
    as_user(client, login_as, cohort["aya"])
    page = client.get(f"/rooms/{main_room}").get_data(as_text=True)
    assert 'role="log"' in page and 'id="message-form"' in page and "No message yet." in page
    client_id = re.search(r'name="client_id" type="hidden" value="([^"]+)"', page).group(1)

    response = post(client, main_room, "Hello <b>all</b> https://example.org", client_id)
    assert response.status_code == 302
    assert post(client, main_room, "Hello <b>all</b> https://example.org", client_id).status_code == 302  # resubmitted
    assert db.session.scalar(db.select(db.func.count(Message.id)).where(Message.room_id == main_room)) == 1
    page = client.get(f"/rooms/{main_room}").get_data(as_text=True)
    assert "Hello &lt;b&gt;all&lt;/b&gt;" in page and "<b>all</b>" not in page
    assert 'href="https://example.org" rel="nofollow noopener noreferrer ugc"' in page


def test_empty_and_oversized_messages_are_refused(client, login_as, cohort, main_room):
    as_user(client, login_as, cohort["aya"])
    assert "Write a message first." in client.post_form(f"/rooms/{main_room}/messages", {"text": "  ", "client_id": "e"},
                                                         follow_redirects=True).get_data(as_text=True)
    answer = post(client, main_room, "x" * 4001, "big")
    assert "at most 4000 characters" in client.get(answer.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Message.id))) == 0


def test_editing_shows_edited_and_deleting_keeps_a_trace(client, login_as, cohort, main_room):
    as_user(client, login_as, cohort["aya"])
    post(client, main_room, "first version")
    message = db.session.execute(db.select(Message)).scalars().one()
    assert client.get(f"/rooms/{main_room}/messages/{message.id}/edit").status_code == 200
    assert client.post_form(f"/rooms/{main_room}/messages/{message.id}/edit", {"text": "second version"}).status_code == 302
    page = client.get(f"/rooms/{main_room}").get_data(as_text=True)
    assert "second version" in page and "(edited)" in page
    assert client.post_form(f"/rooms/{main_room}/messages/{message.id}/delete").status_code == 302
    page = client.get(f"/rooms/{main_room}").get_data(as_text=True)
    assert "second version" not in page and "Deleted by its author." in page

    as_user(client, login_as, cohort["bo"])
    post(client, main_room, "Bo's words", "bo-1")
    mine = db.session.execute(db.select(Message).where(Message.author_id == cohort["bo"].id)).scalars().one()
    as_user(client, login_as, cohort["aya"])
    assert client.get(f"/rooms/{main_room}/messages/{mine.id}/edit").status_code == 403
    assert client.post_form(f"/rooms/{main_room}/messages/{mine.id}/delete").status_code == 403


def test_coordinators_remove_and_mute(client, login_as, cohort, main_room):
    from residency.audit.models import AuditEntry

    as_user(client, login_as, cohort["bo"])
    post(client, main_room, "something rude", "rude")
    rude = db.session.execute(db.select(Message)).scalars().one()
    as_user(client, login_as, cohort["coordinator"])
    page = client.get(f"/rooms/{main_room}").get_data(as_text=True)
    assert "Moderation" in page
    assert client.post_form(f"/rooms/{main_room}/messages/{rude.id}/delete").status_code == 302
    assert client.post_form(f"/rooms/{main_room}/mutes", {"user": str(cohort["bo"].id), "hours": "24"}).status_code == 302
    actions = set(db.session.execute(db.select(AuditEntry.action)).scalars())
    assert {"rooms.message_removed", "rooms.mute"} <= actions

    as_user(client, login_as, cohort["bo"])
    page = client.get(f"/rooms/{main_room}").get_data(as_text=True)
    assert "Removed by a coordinator." in page and "muted you" in page and 'id="message-form"' not in page
    post(client, main_room, "let me speak", "again")
    assert db.session.scalar(db.select(db.func.count(Message.id)).where(Message.deleted_at.is_(None))) == 0

    as_user(client, login_as, cohort["aya"])  # an artist is no moderator
    assert "Moderation" not in client.get(f"/rooms/{main_room}").get_data(as_text=True)
    assert client.post_form(f"/rooms/{main_room}/mutes", {"user": str(cohort["chen"].id), "hours": "1"}).status_code == 403


def test_groups_direct_rooms_unread_and_mentions_on_the_list(client, login_as, cohort, main_room):
    residency = cohort["residency"]
    as_user(client, login_as, cohort["aya"])
    response = client.post_form(f"/residencies/{residency}/rooms", {"name": "Sound group", "members": [str(cohort["bo"].id)]})
    assert response.status_code == 302
    group = db.session.execute(db.select(Room.id).where(Room.kind == RoomKind.GROUP)).scalar_one()
    response = client.post_form(f"/residencies/{residency}/rooms/direct", {"user": str(cohort["chen"].id)})
    direct = db.session.execute(db.select(Room.id).where(Room.kind == RoomKind.DIRECT)).scalar_one()
    assert response.headers["Location"].endswith(f"/rooms/{direct}")
    post(client, group, "@Bo Lindqvist look", "g1")
    post(client, main_room, "hello all", "m1")

    as_user(client, login_as, cohort["bo"])
    listing = client.get(f"/residencies/{residency}/rooms").get_data(as_text=True)
    assert "Sound group" in listing and "1 mention of you" in listing and "1 unread" in listing
    assert "Conversation with" not in listing  # Aya and Chen's conversation is theirs
    assert client.get(f"/rooms/{direct}").status_code == 404
    client.get(f"/rooms/{group}")  # reading it clears its unread count and mention
    listing = client.get(f"/residencies/{residency}/rooms").get_data(as_text=True)
    assert "mention of you" not in listing

    as_user(client, login_as, cohort["chen"])
    assert "Conversation with Aya" in client.get(f"/residencies/{residency}/rooms").get_data(as_text=True)
    assert client.get(f"/rooms/{group}").status_code == 404


def test_an_archived_residency_is_read_not_written(client, login_as, cohort, main_room):
    from residency.residencies.models import Residency, ResidencyStatus

    as_user(client, login_as, cohort["aya"])
    post(client, main_room, "before the end", "end-1")
    db.session.get(Residency, cohort["residency"]).status = ResidencyStatus.ARCHIVED
    db.session.commit()
    page = client.get(f"/rooms/{main_room}").get_data(as_text=True)
    assert "before the end" in page and "archived" in page and 'id="message-form"' not in page
    post(client, main_room, "after the end", "end-2")
    assert db.session.scalar(db.select(db.func.count(Message.id))) == 1
