"""The protocol (docs/rooms-protocol.md) in one process: joining, sending with acknowledgements,
retried sends stored once, replay after a given number, edits and deletes as new events, read
markers, typing, presence; and bad input refused without harming the room."""

import pytest

from tests.rooms.conftest import received


def join(socket, room, after=None):
    answer = socket.emit("room.join", {"room": room, "after": after}, callback=True)
    assert answer["ok"], answer
    return answer


def send(socket, room, text, client_id, **extra):
    return socket.emit("message.send", {"room": room, "client_id": client_id, "text": text, **extra}, callback=True)


def test_a_message_is_acknowledged_numbered_and_delivered_to_the_room(cohort, main_room, connect):
    aya, bo = connect(cohort["aya"]), connect(cohort["bo"])
    first = join(aya, main_room)
    assert first["room"]["kind"] == "residency" and first["last"] == 0 and first["events"] == []
    join(bo, main_room, after=0)
    bo.get_received()

    answer = send(aya, main_room, "Hello everyone", "c-1")
    assert answer["ok"] and answer["duplicate"] is False
    message = answer["message"]
    assert message["seq"] == 1 and message["text"] == "Hello everyone" and message["author"]["name"] == "Aya"

    events = received(bo, "room.event")
    assert [(e["seq"], e["type"], e["message"]["id"]) for e in events] == [(1, "message", message["id"])]
    second = send(bo, main_room, "Hi Aya", "c-1")  # another author may reuse a client id
    assert second["ok"] and second["message"]["seq"] == 2


def test_a_retried_send_is_stored_once(cohort, main_room, connect):
    aya = connect(cohort["aya"])
    join(aya, main_room)
    first = send(aya, main_room, "only once", "retry-1")
    again = send(aya, main_room, "only once", "retry-1")
    assert again["ok"] and again["duplicate"] is True
    assert again["message"]["id"] == first["message"]["id"] and again["message"]["seq"] == 1
    replay = aya.emit("room.replay", {"room": main_room, "after": 0}, callback=True)
    assert [e["message"]["text"] for e in replay["events"]] == ["only once"]
    assert replay["last"] == 1


def test_replay_gives_what_was_missed_in_order_with_changes(cohort, main_room, connect):
    aya, bo = connect(cohort["aya"]), connect(cohort["bo"])
    join(aya, main_room)
    ids = [send(aya, main_room, f"message {n}", f"m{n}")["message"]["id"] for n in range(1, 5)]
    edited = aya.emit("message.edit", {"room": main_room, "message": ids[0], "text": "message 1, corrected"},
                      callback=True)
    assert edited["ok"] and edited["message"]["edited"] is True
    deleted = aya.emit("message.delete", {"room": main_room, "message": ids[1]}, callback=True)
    assert deleted["ok"] and deleted["message"]["deleted"] and deleted["message"]["text"] == ""

    # Bo saw up to event 2: he gets 3, 4 as messages and the edit and delete of 1 and 2 as changes.
    answer = join(bo, main_room, after=2)
    assert [(e["seq"], e["type"]) for e in answer["events"]] == [(3, "message"), (4, "message"), (5, "change"), (6, "change")]
    assert answer["events"][2]["message"]["text"] == "message 1, corrected"
    assert answer["events"][3]["message"]["deleted"] is True
    assert answer["last"] == 6 and answer["more"] is False
    # From the start, each message comes once in its current state.
    fresh = bo.emit("room.replay", {"room": main_room, "after": 0}, callback=True)
    assert [(e["seq"], e["message"]["text"]) for e in fresh["events"]] == [
        (1, "message 1, corrected"), (2, ""), (3, "message 3"), (4, "message 4")]
    assert fresh["last"] == 6


def test_replay_pages_with_more(app, cohort, main_room, connect, monkeypatch):
    monkeypatch.setitem(app.config, "ROOMS_REPLAY_PAGE", 3)
    aya = connect(cohort["aya"])
    join(aya, main_room)
    for n in range(7):
        send(aya, main_room, f"n{n}", f"p{n}")
    seen, after = [], 0
    while True:
        page = aya.emit("room.replay", {"room": main_room, "after": after}, callback=True)
        seen += [e["seq"] for e in page["events"]]
        after = page["last"]
        if not page["more"]:
            break
    assert seen == list(range(1, 8)) and after == 7


def test_history_pages_back(cohort, main_room, connect):
    aya = connect(cohort["aya"])
    join(aya, main_room)
    for n in range(5):
        send(aya, main_room, f"h{n}", f"h{n}")
    page = aya.emit("room.history", {"room": main_room, "before": 4, "limit": 2}, callback=True)
    assert [m["seq"] for m in page["messages"]] == [2, 3] and page["older"] is True
    newest = join(connect(cohort["bo"]), main_room)
    assert [e["seq"] for e in newest["events"]] == [1, 2, 3, 4, 5] and newest["older"] is False


def test_html_and_script_are_neutralised(cohort, main_room, connect):
    aya = connect(cohort["aya"])
    join(aya, main_room)
    text = '<script>alert(1)</script> <img src=x onerror=alert(1)> see https://example.org/a?b=1&c=2 javascript:alert(1)'
    message = send(aya, main_room, text, "x1")["message"]
    assert message["text"] == text
    html = message["html"]
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html
    assert '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow noopener noreferrer ugc" target="_blank">' in html
    assert 'href="javascript' not in html


@pytest.mark.parametrize("payload, code", [
    ({"client_id": "e1", "text": ""}, "empty"),
    ({"client_id": "e2", "text": "   \n\t "}, "empty"),
    ({"client_id": "e3", "text": "x" * 4001}, "too_large"),
    ({"client_id": "e4", "text": 42}, "bad_request"),
    ({"client_id": "", "text": "no id"}, "bad_request"),
    ({"client_id": "x" * 65, "text": "long id"}, "bad_request"),
    ({"client_id": "e5", "text": "reply to nothing", "reply_to": 2_000_000_001}, "not_found"),
    ({"client_id": "e6", "text": "bad reply", "reply_to": "1"}, "bad_request"),
])
def test_bad_messages_are_refused_and_store_nothing(cohort, main_room, connect, payload, code):
    aya = connect(cohort["aya"])
    join(aya, main_room)
    answer = aya.emit("message.send", {"room": main_room, **payload}, callback=True)
    assert answer["ok"] is False and answer["error"] == code and answer["message"]
    assert aya.emit("room.replay", {"room": main_room, "after": 0}, callback=True)["events"] == []
    assert send(aya, main_room, "the room still works", "after-refusal")["ok"]


def test_a_room_is_invisible_to_outsiders_and_to_people_who_left(cohort, main_room, connect):
    for who in ("outsider", "left"):
        socket = connect(cohort[who])
        for room in (main_room, 2_000_000_001):
            answer = socket.emit("room.join", {"room": room, "after": 0}, callback=True)
            assert answer == {"ok": False, "error": "not_found", "message": answer["message"]}
        assert socket.emit("message.send", {"room": main_room, "client_id": "z", "text": "hi"},
                           callback=True)["error"] == "not_found"


@pytest.mark.parametrize("payload", [None, "room", [1], {"room": "1"}, {"room": True}, {"room": -3},
                                     {"room": 2**31}, {"room": 1.5}])
def test_malformed_joins_are_refused(cohort, connect, payload):
    aya = connect(cohort["aya"])
    answer = aya.emit("room.join", payload, callback=True)
    assert answer["ok"] is False and answer["error"] in {"bad_request", "not_found"}


def test_events_for_a_room_never_joined_are_refused(cohort, main_room, connect):
    aya = connect(cohort["aya"])
    for event, payload in [("message.send", {"client_id": "a", "text": "hi"}), ("room.replay", {"after": 0}),
                           ("room.history", {}), ("room.read", {"seq": 0}), ("typing", {}),
                           ("message.delete", {"message": 1}), ("presence.get", {})]:
        answer = aya.emit(event, {"room": main_room, **payload}, callback=True)
        assert answer["ok"] is False and answer["error"] == "not_joined", event


def test_replay_from_before_history_or_beyond_it_is_refused(cohort, main_room, connect):
    aya = connect(cohort["aya"])
    join(aya, main_room)
    send(aya, main_room, "one", "one")
    for after in (-1, 2, 10**6):
        answer = aya.emit("room.replay", {"room": main_room, "after": after}, callback=True)
        assert answer["ok"] is False and answer["error"] == "bad_request", after
    assert aya.emit("room.replay", {"room": main_room, "after": 1}, callback=True)["events"] == []


def test_a_flood_is_rate_limited_per_user(app, cohort, main_room, connect, monkeypatch):
    monkeypatch.setitem(app.config, "ROOMS_RATE_LIMIT", "5 per minute")
    aya, aya_again = connect(cohort["aya"]), connect(cohort["aya"])
    join(aya, main_room)
    join(aya_again, main_room)
    answers = [send(aya if n % 2 else aya_again, main_room, f"flood {n}", f"f{n}") for n in range(8)]
    assert [a["ok"] for a in answers] == [True] * 5 + [False] * 3
    assert {a["error"] for a in answers[5:]} == {"rate_limited"}
    bo = connect(cohort["bo"])
    join(bo, main_room)
    assert send(bo, main_room, "others still write", "bo-1")["ok"]


def test_only_the_author_edits_and_coordinators_remove_with_an_audit_entry(db, cohort, main_room, connect):
    from residency.audit.models import AuditEntry

    aya, bo, coordinator = connect(cohort["aya"]), connect(cohort["bo"]), connect(cohort["coordinator"])
    for socket in (aya, bo, coordinator):
        join(socket, main_room)
    message = send(aya, main_room, "mine", "own")["message"]
    assert bo.emit("message.edit", {"room": main_room, "message": message["id"], "text": "his"},
                   callback=True)["error"] == "forbidden"
    assert bo.emit("message.delete", {"room": main_room, "message": message["id"]}, callback=True)["error"] == "forbidden"
    removed = coordinator.emit("message.delete", {"room": main_room, "message": message["id"]}, callback=True)
    assert removed["ok"] and removed["message"]["removed"] is True
    entry = db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "rooms.message_removed")).scalars().one()
    assert entry.actor_id == cohort["coordinator"].id and entry.data["author_id"] == cohort["aya"].id


def test_a_muted_participant_cannot_write_but_still_reads(db, cohort, main_room, connect):
    from residency.residencies.models import Residency
    from residency.accounts.models import User
    from residency.rooms import moderation

    moderation.mute(db.session.get(Residency, cohort["residency"]), cohort["bo"].id,
                    db.session.get(User, cohort["coordinator"].id))
    db.session.commit()
    bo = connect(cohort["bo"])
    join(bo, main_room)
    assert send(bo, main_room, "let me speak", "mute-1")["error"] == "muted"
    aya = connect(cohort["aya"])
    join(aya, main_room)
    bo.get_received()
    send(aya, main_room, "you can read this", "mute-2")
    assert [e["message"]["text"] for e in received(bo, "room.event")] == ["you can read this"]


def test_read_markers_and_unread_counts(cohort, main_room, connect):
    aya, bo = connect(cohort["aya"]), connect(cohort["bo"])
    join(aya, main_room)
    for n in range(3):
        send(aya, main_room, f"r{n}", f"r{n}")
    answer = join(bo, main_room, after=0)
    assert answer["unread"] == 3 and answer["read"] == 0
    read = bo.emit("room.read", {"room": main_room, "seq": 2}, callback=True)
    assert read == {"ok": True, "read": 2, "unread": 1}
    assert bo.emit("room.read", {"room": main_room, "seq": 1}, callback=True)["read"] == 2  # never back
    assert bo.emit("room.read", {"room": main_room, "seq": 99}, callback=True)["read"] == 3  # never past the end


def test_typing_goes_to_others_and_is_never_stored(cohort, main_room, connect):
    aya, bo = connect(cohort["aya"]), connect(cohort["bo"])
    join(aya, main_room)
    join(bo, main_room)
    aya.get_received()
    bo.get_received()
    assert aya.emit("typing", {"room": main_room}, callback=True)["ok"]
    assert received(bo, "typing") == [{"room": main_room, "user": {"id": cohort["aya"].id, "name": "Aya"}}]
    assert received(aya, "typing") == []
    assert aya.emit("room.replay", {"room": main_room, "after": 0}, callback=True)["events"] == []


def test_presence_lists_who_is_here(cohort, main_room, connect):
    aya, bo = connect(cohort["aya"]), connect(cohort["bo"])
    join(aya, main_room)
    answer = join(bo, main_room)
    assert {p["name"] for p in answer["here"]} == {"Aya", "Bo Lindqvist"}
    bo.disconnect()
    assert [p["name"] for p in aya.emit("presence.get", {"room": main_room}, callback=True)["here"]] == ["Aya"]


def test_a_socket_whose_login_ended_is_refused_and_disconnected(db, cohort, main_room, connect):
    from residency.accounts.models import LoginSession

    aya = connect(cohort["aya"])
    join(aya, main_room)
    db.session.execute(db.delete(LoginSession).where(LoginSession.user_id == cohort["aya"].id))
    db.session.commit()
    answer = aya.emit("message.send", {"room": main_room, "client_id": "late", "text": "too late"}, callback=True)
    assert answer == {"error": "unauthorised"}
    assert not aya.is_connected()


def test_mentions_notify_live_and_by_email_when_away(db, cohort, main_room, connect):
    from residency.notifications.models import EmailMessage
    from residency.rooms.models import Mention

    aya, chen = connect(cohort["aya"]), connect(cohort["chen"])
    join(aya, main_room)
    join(chen, main_room)
    chen.get_received()
    send(aya, main_room, "@Chen and @bo lindqvist, see this", "mention-1")
    assert received(chen, "rooms.mention")[0]["author"]["name"] == "Aya"
    mentioned = {row.user_id for row in db.session.execute(db.select(Mention)).scalars()}
    assert mentioned == {cohort["chen"].id, cohort["bo"].id}
    mails = db.session.execute(db.select(EmailMessage)).scalars().all()
    assert [m.to_address for m in mails] == [cohort["bo"].email]  # Chen is here: no e-mail
    assert "see this" in mails[0].body_text
