"""Submitting: every answer checked, the version frozen with a SHA-256 fingerprint, a receipt on
screen and by e-mail; new versions and withdrawal until the deadline, nothing after it."""

import hashlib
import json
from datetime import datetime, timedelta, timezone

import pytest

from residency import signals
from residency.applications import operations
from residency.applications.models import Application, ApplicationVersion
from residency.applications.validation import InvalidAnswers
from residency.audit.models import AuditEntry
from residency.core.errors import ActionRefused
from residency.core.types import utcnow
from tests.applications.conftest import GOOD, form_data, submit
from tests.conftest import deliver_outbox


def post(client, application, values, action="submit"):
    return client.post_form(f"/applications/{application.id}", {**form_data(values), "action": action})


def test_complete_application_is_submitted_with_a_receipt(db, client, login_as, artist, application):
    """A complete application is submitted: version 1, state submitted, a receipt page with its fingerprint."""
    login_as(artist)
    response = post(client, application, GOOD)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/applications/{application.id}/versions/1")
    db.session.expire_all()
    stored = db.session.get(Application, application.id)
    version = stored.versions[0]
    assert (stored.state, stored.current_version, stored.fingerprint) == ("submitted", 1, version.fingerprint)
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert version.fingerprint in receipt and "Tidal Signals" in receipt
    assert "Europe/Paris" in receipt  # the time in the call's timezone too


def test_fingerprint_is_the_sha256_of_the_canonical_snapshot(db, client, login_as, artist, application):
    """Anyone can recompute the fingerprint: SHA-256 of the snapshot as sorted, compact UTF-8 JSON."""
    version = submit(application, artist)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(ApplicationVersion, version.id)
    canonical = json.dumps(stored.snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert hashlib.sha256(canonical).hexdigest() == stored.fingerprint
    login_as(artist)
    download = client.get(f"/applications/{application.id}/versions/1.json")
    assert hashlib.sha256(download.data).hexdigest() == stored.fingerprint


def test_snapshot_holds_answers_labels_as_shown_profile_and_members(db, artist, application):
    """The frozen version holds the answers, the labels as the artist saw them, and the profile."""
    operations.update_profile(artist, bio="Sound and light.", links=["https://aya.example.org"])
    version = operations.submit_application(artist, application, GOOD, utcnow(), locale="fr")
    by_id = {item["id"]: item for item in version.snapshot["answers"]}
    assert by_id["title"]["label"] == "Titre du projet" and by_id["title"]["value"] == "Tidal Signals"
    assert by_id["format"]["choices"] == ["En ligne"]
    assert version.snapshot["owner"]["profile"]["bio"] == "Sound and light."
    assert version.snapshot["call"]["title"] == "Lumières numériques"


@pytest.mark.parametrize("values, question", [
    ({**GOOD, "title": ""}, "title"),
    ({**GOOD, "statement": "one two three four five six seven eight nine ten eleven"}, "statement"),
    ({**GOOD, "format": "onsite"}, "format"),
    ({**GOOD, "start": "2026-02-30"}, "start"),
])
def test_incomplete_or_wrong_answers_refuse_submission_and_keep_the_draft(db, client, login_as, artist, application,
                                                                          values, question):
    """Missing, too long, not offered or impossible answers refuse the submission; the draft stays as saved."""
    operations.save_draft(artist, application, {"title": "Saved before"}, utcnow())
    db.session.commit()
    login_as(artist)
    response = post(client, application, values)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'href="#q-{question}' in page and "not submitted yet" in page
    db.session.expire_all()
    stored = db.session.get(Application, application.id)
    assert stored.state == "draft" and stored.current_version == 0 and stored.answers["title"] == "Saved before"
    assert values["statement"] in page  # what was typed is still in the form


def test_submission_one_second_before_the_deadline_is_taken_at_the_deadline_refused(db, artist, application):
    """On time by the clock: a second before closes_at is accepted, at closes_at it is refused."""
    closes = application.call.closes_at
    with pytest.raises(ActionRefused) as refused:
        submit(application, artist, now=closes)
    assert refused.value.status == 409 and "deadline" in str(refused.value.message)
    assert application.current_version == 0
    version = submit(application, artist, now=closes - timedelta(seconds=1))
    assert version.number == 1


def test_submission_to_a_closed_call_is_refused(db, client, login_as, artist, application):
    """A call closed by its coordinators takes no submission, even before its deadline."""
    application.call.state = "closed"
    db.session.commit()
    login_as(artist)
    response = post(client, application, GOOD)
    assert response.status_code == 409 and "closed" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Application, application.id).current_version == 0


def test_new_versions_until_the_deadline_and_the_last_counts(db, client, login_as, artist, application):
    """Submitting again makes version 2; both are kept and the last one counts."""
    first = submit(application, artist)
    second = submit(application, artist, {**GOOD, "title": "Tidal Signals II"})
    db.session.commit()
    assert [v.number for v in application.versions] == [1, 2]
    assert application.fingerprint == second.fingerprint != first.fingerprint
    assert first.snapshot["answers"][0]["value"] == "Tidal Signals"


def test_editing_after_submission_needs_a_new_submission_to_count(db, client, login_as, artist, application):
    """After a change the page says the jury still sees the submitted version until it is submitted again."""
    submit(application, artist)
    db.session.commit()
    login_as(artist)
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "Version 1 is submitted and counts" in page
    post(client, application, {**GOOD, "title": "Changed"}, action="save")
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "The jury will see version 1 unless you submit again" in page and "Submit a new version" in page
    db.session.expire_all()
    stored = db.session.get(Application, application.id)
    assert stored.versions[-1].snapshot["answers"][0]["value"] == "Tidal Signals"


def test_withdraw_then_submit_again_before_the_deadline(db, client, login_as, artist, application):
    """An artist may withdraw (history kept) and submit again until the deadline."""
    submit(application, artist)
    db.session.commit()
    login_as(artist)
    assert "Withdraw" in client.get(f"/applications/{application.id}/withdraw").get_data(as_text=True)
    assert client.post_form(f"/applications/{application.id}/withdraw").status_code == 302
    db.session.expire_all()
    stored = db.session.get(Application, application.id)
    assert stored.state == "withdrawn" and stored.withdrawn_at is not None and len(stored.versions) == 1
    assert post(client, application, GOOD).status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, application.id).state == "submitted"


def test_withdrawing_a_draft_is_refused(db, artist, application):
    """Only a submitted application can be withdrawn."""
    with pytest.raises(ActionRefused) as refused:
        operations.withdraw_application(artist, application, utcnow())
    assert refused.value.status == 409


def test_after_the_deadline_nothing_can_change(db, client, login_as, artist, application):
    """After the deadline: no new version, no withdrawal, no draft change (409 and a clear message)."""
    submit(application, artist)
    application.call.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    login_as(artist)
    assert post(client, application, GOOD).status_code == 409
    response = client.post_form(f"/applications/{application.id}/withdraw")
    assert response.status_code == 303
    assert "deadline" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    stored = db.session.get(Application, application.id)
    assert (stored.state, stored.current_version) == ("submitted", 1)


def test_frozen_version_does_not_change_when_the_profile_or_files_change(db, artist, call, add_file):
    """The version the jury sees stays as submitted when the profile or a file changes later."""
    operations.update_profile(artist, bio="Before.")
    application = operations.start_application(artist, call, {}, utcnow())
    asset = add_file(application, "reel", artist)
    version = submit(application, artist)
    db.session.commit()
    frozen, print_before = json.dumps(version.snapshot, sort_keys=True), version.fingerprint
    operations.update_profile(artist, bio="After.")
    operations.detach_file(artist, application, "reel", asset.id, utcnow())
    asset.original_filename, asset.sha256 = "renamed.mp4", "cd" * 32
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(ApplicationVersion, version.id)
    assert json.dumps(stored.snapshot, sort_keys=True) == frozen and stored.fingerprint == print_before
    reel = next(item for item in stored.snapshot["answers"] if item["id"] == "reel")
    assert reel["value"] == [{"id": asset.id, "filename": "reel.mp4", "size": 1_000_000, "sha256": "ab" * 32, "kind": "video"}]
    assert stored.snapshot["owner"]["profile"]["bio"] == "Before."


def test_submit_and_withdraw_send_signals_and_leave_audit_entries(db, artist, application):
    """Submitting and withdrawing send their signals and are recorded in the audit log."""
    seen = []
    with signals.application_submitted.connected_to(lambda sender, **kw: seen.append(("submitted", kw["version"].number))), \
         signals.application_withdrawn.connected_to(lambda sender, **kw: seen.append(("withdrawn", kw["application"].id))):
        submit(application, artist)
        operations.withdraw_application(artist, application, utcnow())
    assert seen == [("submitted", 1), ("withdrawn", application.id)]
    db.session.commit()  # audit entries are written with the commit, as the views'
    actions = db.session.execute(
        db.select(AuditEntry.action).where(AuditEntry.object_type == "applications", AuditEntry.object_id == application.id)
    ).scalars().all()
    assert {"application.submitted", "application.withdrawn"} <= set(actions)


def test_receipt_arrives_by_email_with_fingerprint_and_local_time(db, mailbox, artist, make_user, make_call):
    """The receipt reaches owner and co-applicants by e-mail, with the fingerprint and their own local time."""
    now = datetime(2026, 5, 4, 15, 30, tzinfo=timezone.utc)
    call = make_call(opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=1), published_at=now - timedelta(days=2))
    application = operations.start_application(artist, call, {}, now)
    partner = make_user(email="kim@example.org", name="Kim", timezone="Asia/Seoul")
    _member, token = operations.invite_member(artist, application, partner.email, now)
    operations.accept_invitation(partner, token, now)
    version = submit(application, artist, now=now)
    db.session.commit()
    mailbox.clear()
    deliver_outbox()
    [mine] = [m for m in mailbox.to(artist.email) if "Receipt" in m["Subject"]]
    [theirs] = [m for m in mailbox.to(partner.email) if "Receipt" in m["Subject"]]
    body = mine.get_body(preferencelist=("plain",)).get_content()
    assert version.fingerprint in body and "Digital Lights" in mine["Subject"]
    assert "May 4, 2026, 10:30" in body and "America/Bogota" in body  # 15:30 UTC in Bogotá
    other = theirs.get_body(preferencelist=("plain",)).get_content()
    assert version.fingerprint in other and "May 5, 2026, 12:30" in other and "Asia/Seoul" in other  # past midnight in Seoul
    assert f"/applications/{application.id}/versions/1" in body


def test_operations_refuse_non_members(db, other_artist, application):
    """The operations themselves refuse someone who is not a member (403), whatever the caller."""
    for action in (lambda: operations.save_draft(other_artist, application, {"title": "x"}, utcnow()),
                   lambda: submit(application, other_artist),
                   lambda: operations.withdraw_application(other_artist, application, utcnow())):
        with pytest.raises(ActionRefused) as refused:
            action()
        assert refused.value.status == 403


def test_invalid_answers_report_every_problem_at_once(db, artist, application):
    """A refused submission lists every answer that needs attention, not just the first."""
    with pytest.raises(InvalidAnswers) as refused:
        submit(application, artist, {})
    assert {"title", "statement", "format"} <= set(refused.value.errors)


def test_each_submission_indexes_its_files_and_residence_for_the_coordinators_list(db, artist, call, add_file):
    """What the list filters and flags duplicates on follows the last submitted version: a file
    removed and replaced before a new version is no longer compared, the new one is."""
    from residency.applications.models import ApplicationFile

    operations.update_profile(artist, country="PT")
    application = operations.start_application(artist, call, {}, utcnow())
    first = add_file(application, "reel", artist)
    submit(application, artist)
    db.session.commit()
    assert application.residence_country == "PT"
    assert [(f.asset_id, f.sha256, f.filename) for f in db.session.query(ApplicationFile)] == [
        (first.id, "ab" * 32, "reel.mp4")]

    operations.detach_file(artist, application, "reel", first.id, utcnow())
    second = add_file(application, "reel", artist, original_filename="new-cut.mp4", sha256="cd" * 32)
    submit(application, artist)
    db.session.commit()
    assert application.detached_asset_ids == [first.id]
    assert [(f.asset_id, f.sha256, f.filename) for f in db.session.query(ApplicationFile)] == [
        (second.id, "cd" * 32, "new-cut.mp4")]
