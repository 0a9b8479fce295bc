"""Files shared in a room go through the media pipeline (the room's upload slot), are posted as a
message that carries them, listed on the room's shelf, and served by signed links only to the
room's people; a file of another room or another person cannot be posted."""

import io

from residency.extensions import db
from residency.media.models import MediaAsset
from residency.rooms.models import Message
from tests.rooms.conftest import received
from tests.rooms.test_pages import as_user
from tests.rooms.test_sockets import join

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def share(client, room, name="plan.png", text="our plan"):
    return client.post_form(f"/rooms/{room}/attachments", {"file": (io.BytesIO(PNG), name), "text": text,
                                                              "client_id": "file-1"},
                            content_type="multipart/form-data")


def test_a_file_is_shared_without_javascript_and_listed_on_the_shelf(client, login_as, cohort, main_room):
    as_user(client, login_as, cohort["aya"])
    assert share(client, main_room).status_code == 302
    message = db.session.execute(db.select(Message)).scalars().one()
    asset = db.session.get(MediaAsset, message.asset_id)
    assert asset.slot == f"room:{main_room}" and asset.owner_id == cohort["aya"].id and message.body == "our plan"
    page = client.get(f"/rooms/{main_room}").get_data(as_text=True)
    assert "plan.png" in page
    shelf = client.get(f"/rooms/{main_room}/shelf").get_data(as_text=True)
    assert "plan.png" in shelf and "Received, waiting to be checked" in shelf
    # Not checked yet: no original to hand out.
    assert client.get(f"/rooms/{main_room}/messages/{message.id}/attachment").status_code == 404

    asset.original_key = asset.quarantine_key  # as the worker's check leaves it, once verified
    db.session.commit()
    answer = client.get(f"/rooms/{main_room}/messages/{message.id}/attachment")
    assert answer.status_code == 302

    as_user(client, login_as, cohort["outsider"])
    assert client.get(f"/rooms/{main_room}/messages/{message.id}/attachment").status_code == 404
    assert client.get(f"/rooms/{main_room}/shelf").status_code == 404


def test_only_ones_own_file_uploaded_to_this_room_is_posted(client, login_as, cohort, main_room, connect):
    as_user(client, login_as, cohort["bo"])
    share(client, main_room, name="bo.png")
    bo_asset = db.session.execute(db.select(MediaAsset.id)).scalar_one()
    aya = connect(cohort["aya"])
    join(aya, main_room)
    answer = aya.emit("message.send", {"room": main_room, "client_id": "steal", "text": "", "asset": bo_asset},
                      callback=True)
    assert answer["ok"] is False and answer["error"] == "not_found"
    assert aya.emit("message.send", {"room": main_room, "client_id": "steal", "asset": "1"},
                    callback=True)["error"] == "bad_request"


def test_a_file_uploaded_to_the_room_slot_is_posted_over_the_socket(client, login_as, cohort, main_room, connect):
    from residency.accounts.models import User
    from residency.media import operations as media
    from werkzeug.datastructures import FileStorage

    user = db.session.get(User, cohort["aya"].id)
    asset = media.accept_form_upload(user, f"room:{main_room}", FileStorage(io.BytesIO(PNG), "sketch.png", "file",
                                                                            "image/png"), len(PNG))
    db.session.commit()
    asset_id = asset.id
    aya, bo = connect(cohort["aya"]), connect(cohort["bo"])
    join(aya, main_room)
    join(bo, main_room)
    bo.get_received()
    answer = aya.emit("message.send", {"room": main_room, "client_id": "f1", "text": "", "asset": asset_id},
                      callback=True)
    assert answer["ok"] and answer["message"]["attachment"]["name"] == "sketch.png"
    assert received(bo, "room.event")[0]["message"]["attachment"]["asset"] == asset_id
    again = aya.emit("message.send", {"room": main_room, "client_id": "f2", "text": "twice", "asset": asset_id},
                     callback=True)
    assert again["ok"] is False and again["error"] == "bad_request"


def test_the_room_slot_refuses_outsiders_and_muted_people(app, cohort, main_room):
    import pytest

    from residency.accounts.models import User
    from residency.core.errors import ActionRefused
    from residency.media.slots import resolve_slot
    from residency.residencies.models import Residency
    from residency.rooms import moderation

    with pytest.raises(ActionRefused) as refused:
        resolve_slot(f"room:{main_room}", db.session.get(User, cohort["outsider"].id))
    assert refused.value.status == 404
    moderation.mute(db.session.get(Residency, cohort["residency"]), cohort["bo"].id,
                    db.session.get(User, cohort["coordinator"].id))
    db.session.commit()
    with pytest.raises(ActionRefused) as refused:
        resolve_slot(f"room:{main_room}", db.session.get(User, cohort["bo"].id))
    assert refused.value.status == 403
