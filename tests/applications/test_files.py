"""File questions: uploads go through the media pipeline into the application's slot, with the
question's kinds, size and count; only members upload, only while the call accepts; a file must
be verified before the application can be submitted."""

import io
from datetime import timedelta

import pytest

from residency.applications import operations
from residency.applications.validation import InvalidAnswers
from residency.core.errors import ActionRefused
from residency.core.types import utcnow
from residency.media.models import MediaAsset
from residency.media.slots import resolve_slot
from tests.applications.conftest import GOOD, submit
from tests.media.conftest import Uploader


def slot(application):
    return f"application:{application.id}.reel"


def test_slot_rules_come_from_the_question(db, artist, application):
    """The slot takes the question's kinds, size limit and count (also for the pipeline's check)."""
    rules = resolve_slot(slot(application), artist).rules
    assert rules.kinds == {"video"} and rules.max_size == 5_000_000 and rules.max_count == 2


def test_member_uploads_a_file_with_the_resumable_api(db, client, login_as, artist, application):
    """The resumable uploader puts a file into the question's slot; the question then lists it."""
    login_as(artist)
    _upload_id, completed = Uploader(client).upload(slot(application), "reel.mp4", b"\0" * 40_000)
    assert completed.status_code == 200, completed.get_json()
    asset = db.session.get(MediaAsset, completed.get_json()["asset"])
    assert asset.slot == slot(application) and asset.work_id is None
    assert operations.attached_files(application)["reel"] == [asset]
    page = client.get(f"/applications/{application.id}/files/reel").get_data(as_text=True)
    assert "reel.mp4" in page and f'data-slot="{slot(application)}"' in page and "data-plain-upload" in page


@pytest.mark.parametrize("filename, size, type_, status", [
    ("still.png", 1000, "image/png", 415),      # the question takes video only
    ("long.mp4", 6_000_000, "video/mp4", 413),  # over the question's 5 MB
])
def test_wrong_kind_or_too_large_is_refused_at_upload(db, client, login_as, artist, application, filename, size, type_, status):
    """A file of a kind the question does not take, or over its size, is refused with a message."""
    login_as(artist)
    response = Uploader(client).create(slot(application), filename, size, type_)
    assert response.status_code == status and response.get_json()["error"]


def test_non_member_cannot_upload_into_an_application(db, client, login_as, other_artist, application):
    """Another artist cannot upload into someone's application (404, as if it did not exist)."""
    login_as(other_artist)
    assert Uploader(client).create(slot(application), "reel.mp4", 1000).status_code == 404


def test_unknown_question_or_malformed_slot_is_refused(db, artist, application):
    """A slot naming no file question, or malformed, is refused."""
    with pytest.raises(ActionRefused) as refused:
        resolve_slot(f"application:{application.id}.title", artist)
    assert refused.value.status == 404
    with pytest.raises(ActionRefused) as refused:
        resolve_slot("application:abc", artist)
    assert refused.value.status == 400


def test_upload_after_the_deadline_is_refused(db, artist, application):
    """After the deadline no file can be added."""
    application.call.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(ActionRefused) as refused:
        resolve_slot(slot(application), artist)
    assert refused.value.status == 409


def test_count_limit_counts_everyones_files_and_frees_up_on_removal(db, client, login_as, artist, make_user,
                                                                     application, add_file):
    """At most max_count files, whoever uploaded them; removing one makes room again."""
    partner = make_user(email="kim@example.org")
    _member, token = operations.invite_member(artist, application, partner.email, utcnow())
    operations.accept_invitation(partner, token, utcnow())
    first = add_file(application, "reel", artist)
    add_file(application, "reel", partner)
    login_as(artist)
    assert Uploader(client).create(slot(application), "third.mp4", 1000).status_code == 400
    operations.detach_file(artist, application, "reel", first.id, utcnow())
    db.session.commit()
    assert Uploader(client).create(slot(application), "third.mp4", 1000).status_code == 201


def test_plain_form_upload_without_javascript(db, client, login_as, artist, application):
    """Without JavaScript a plain form uploads the file into the question."""
    login_as(artist)
    response = client.post(f"/applications/{application.id}/files/reel/upload", content_type="multipart/form-data",
                           data={"csrf_token": client.csrf_token(), "file": (io.BytesIO(b"\0" * 5000), "clip.mp4")})
    assert response.status_code == 302
    [asset] = operations.attached_files(application)["reel"]
    assert asset.original_filename == "clip.mp4"


def test_plain_form_refuses_a_wrong_kind_with_a_message(db, client, login_as, artist, application):
    """The plain form refuses a file of the wrong kind (415) and says so; nothing is stored."""
    login_as(artist)
    response = client.post(f"/applications/{application.id}/files/reel/upload", content_type="multipart/form-data",
                           data={"csrf_token": client.csrf_token(), "file": (io.BytesIO(b"%PDF-1.4"), "cv.pdf")})
    assert response.status_code == 415 and "not accepted" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(MediaAsset.id))) == 0


def test_member_removes_a_file_and_others_cannot(db, client, login_as, artist, other_artist, application, add_file):
    """A member removes a file from the answer; another artist cannot (404)."""
    asset = add_file(application, "reel", artist)
    login_as(other_artist)
    assert client.post_form(f"/applications/{application.id}/files/reel/{asset.id}/remove").status_code == 404
    assert operations.attached_files(application)["reel"] == [asset]
    login_as(artist)
    assert client.post_form(f"/applications/{application.id}/files/reel/{asset.id}/remove").status_code == 303
    db.session.expire_all()
    assert operations.attached_files(application)["reel"] == []
    assert db.session.get(MediaAsset, asset.id) is not None  # still stored for earlier versions


@pytest.mark.parametrize("fields, message", [
    ({"state": "processing", "sha256": None}, "still being checked"),
    ({"state": "failed", "failure_reason": "not a video"}, "could not be processed"),
    ({"kind": "image"}, "not a kind of file"),
])
def test_submission_needs_verified_files_of_the_right_kind(db, artist, application, add_file, fields, message):
    """A file still being checked, failed, or of the wrong kind refuses the submission."""
    add_file(application, "reel", artist, **fields)
    with pytest.raises(InvalidAnswers) as refused:
        submit(application, artist)
    assert message in str(refused.value.errors["reel"][0])


def test_required_file_question_needs_a_file(db, artist, make_call, add_file):
    """A required file question refuses the submission until a file is there."""
    form = [{"id": "reel", "type": "file", "required": True, "label": {"en": "Reel"}, "kinds": ["video"]}]
    call = make_call(form=form)
    application = operations.start_application(artist, call, {}, utcnow())
    with pytest.raises(InvalidAnswers):
        submit(application, artist, {})
    asset = add_file(application, "reel", artist, state="processing")  # verified, derivatives pending
    version = submit(application, artist, {})
    assert version.snapshot["answers"][0]["value"][0]["sha256"] == asset.sha256


def test_application_page_lists_files_and_links_to_their_page(db, client, login_as, artist, application, add_file):
    """The form shows each file question's files and a link to add or remove them."""
    add_file(application, "reel", artist, original_filename="tide.mp4")
    login_as(artist)
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "tide.mp4" in page and 'value="files:reel"' in page
    assert "At most 2 files" in page


def test_good_answers_with_a_ready_file_are_submitted(db, artist, application, add_file):
    """A ready file of the right kind is accepted and its SHA-256 frozen in the version."""
    asset = add_file(application, "reel", artist)
    version = submit(application, artist, GOOD)
    reel = next(item for item in version.snapshot["answers"] if item["id"] == "reel")
    assert reel["value"][0]["id"] == asset.id and reel["value"][0]["sha256"] == "ab" * 32
    assert application.answers["reel"] == [asset.id]
