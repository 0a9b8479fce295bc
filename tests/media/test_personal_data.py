"""Media's part of a user's personal data, on local storage and S3: the export lists works and
every file version and carries the originals; erasing deletes every stored file of the user (all
versions, derivatives, uploads in progress) but never a key another person's file uses, deletes
works nobody else points at and anonymises those others rely on; a second erase changes nothing."""


from residency.extensions import db
from residency.festivals.models import CatalogueEntry
from residency.media import personal_data
from residency.media.models import Derivative, MediaAsset, Upload, Work
from tests.accounts.data_rights_support import stored_asset, traces


def test_export_lists_works_and_every_version_with_their_originals(db, artist, work, backend):
    old, _keys = stored_asset(artist, f"work:{work.id}", b"first cut", work_id=work.id, name="cut.mp4")
    new, _keys = stored_asset(artist, f"work:{work.id}", b"second cut", work_id=work.id, name="cut.mp4",
                              version=2, supersedes_id=old.id)
    data, files = personal_data.export(artist)
    assert [w["title"] for w in data["works"]] == ["Night Signals"]
    assert [(f["id"], f["version"]) for f in data["files"]] == [(old.id, 1), (new.id, 2)]
    assert files == [(old.original_key, f"files/media/{old.id}-v1-cut.mp4"),
                     (new.original_key, f"files/media/{new.id}-v2-cut.mp4")]


def test_erase_deletes_every_file_of_the_user_but_not_a_shared_key(db, artist, work, uploader, backend, make_user):
    other = make_user(email="other@example.org", name="Other Person")
    old, old_keys = stored_asset(artist, f"work:{work.id}", b"first cut", work_id=work.id, name="aya-cut.mp4")
    new, new_keys = stored_asset(artist, f"work:{work.id}", b"second cut", work_id=work.id, name="aya-cut.mp4",
                                 version=2, supersedes_id=old.id)
    old.superseded_by_id = new.id
    # Another person's file that uses the same derived key (the same bytes under the same prefix).
    theirs = MediaAsset(owner_id=other.id, slot=f"work:{work.id}", original_filename="theirs.mp4", state="ready")
    db.session.add(theirs)
    db.session.flush()
    shared = new_keys[1]
    theirs.derivatives.append(Derivative(profile="thumbnail", state="done", key=shared))
    db.session.commit()
    created = uploader.create(f"work:{work.id}", "in-progress.mp4", 6 * 1024 * 1024)
    assert created.status_code == 201, created.get_json()

    personal_data.erase(artist)
    db.session.commit()
    db.session.expire_all()
    gone = [key for key in old_keys + new_keys if key != shared]
    assert not any(backend.exists(key) for key in gone)
    assert backend.exists(shared)
    assert db.session.scalar(db.select(db.func.count(Upload.id)).where(Upload.owner_id == artist.id)) == 0
    assert db.session.get(Work, work.id) is None  # nobody else pointed at it
    assert traces("aya-cut", "Night Signals", "in-progress.mp4") == []
    personal_data.erase(artist)  # idempotent
    db.session.commit()
    assert backend.exists(shared)


def test_a_work_others_rely_on_stays_anonymised(db, artist, work, backend):
    work.credits, work.synopsis = "Aya and friends", {"en": "Night signals over Lyon"}
    db.session.add(CatalogueEntry(work_id=work.id))
    _asset, keys = stored_asset(artist, f"work:{work.id}", b"festival cut", work_id=work.id)
    db.session.commit()
    personal_data.erase(artist)
    db.session.commit()
    db.session.expire_all()
    kept = db.session.get(Work, work.id)
    assert kept is not None and kept.title == "Deleted work" and kept.credits == "" and kept.synopsis == {}
    assert not any(backend.exists(key) for key in keys)
    assert traces("Night Signals", "Aya and friends", "Night signals over Lyon") == []
