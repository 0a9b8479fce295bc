"""Retention periods: drafts untouched for DRAFT_RETENTION_DAYS are deleted with their files (their
owner warned once beforehand), declined and withdrawn applications past REJECTED_RETENTION_DAYS
lose their content (withdrawn ones nobody relies on are deleted); nothing else is touched, and a
second run changes nothing."""

from datetime import timedelta

import pytest

from residency.applications import operations, retention
from residency.applications.models import Application, ApplicationState, ApplicationVersion
from residency.audit.operations import verify_log
from residency.core.types import utcnow
from residency.core.workers import celery
from residency.notifications.models import EmailMessage
from residency.storage import get_storage
from tests.accounts.data_rights_support import stored_asset
from tests.applications.conftest import GOOD, submit


def age(db, application, days):
    """Make ``application`` last changed ``days`` ago."""
    db.session.execute(db.update(Application).where(Application.id == application.id)
                       .values(updated_at=utcnow() - timedelta(days=days)))
    db.session.commit()
    db.session.expire_all()


def exists(db, application_id):
    db.session.expire_all()
    return db.session.get(Application, application_id) is not None


@pytest.fixture
def periods(app):
    return app.config["DRAFT_RETENTION_DAYS"], app.config["DRAFT_RETENTION_WARNING_DAYS"], app.config["REJECTED_RETENTION_DAYS"]


def test_stale_drafts_are_deleted_with_their_files_and_nothing_else(db, artist, other_artist, make_call, periods):
    draft_days, _warning, _rejected = periods
    stale = operations.start_application(artist, make_call(), {}, utcnow())
    fresh = operations.start_application(other_artist, make_call(), {}, utcnow())
    submitted = operations.start_application(other_artist, make_call(), {}, utcnow())
    db.session.commit()
    submit(submitted, other_artist)
    db.session.commit()
    _asset, keys = stored_asset(artist, operations.slot_ref(stale, "reel"), b"stale draft reel")
    _asset, fresh_keys = stored_asset(other_artist, operations.slot_ref(fresh, "reel"), b"fresh draft reel")
    age(db, stale, draft_days + 1)
    age(db, fresh, draft_days - 1)
    age(db, submitted, draft_days * 3)

    counts = retention.run()
    assert counts["drafts_deleted"] == 1
    assert not exists(db, stale.id) and exists(db, fresh.id) and exists(db, submitted.id)
    storage = get_storage()
    assert not any(storage.exists(key) for key in keys) and all(storage.exists(key) for key in fresh_keys)
    assert retention.run() == {"warned": 0, "drafts_deleted": 0, "rejected_deleted": 0, "rejected_stripped": 0}
    assert verify_log()[0] is None


def test_the_owner_is_warned_once_before_a_draft_is_deleted(db, artist, make_call, periods):
    draft_days, warning_days, _rejected = periods
    draft = operations.start_application(artist, make_call(), {}, utcnow())
    quiet = operations.start_application(artist, make_call(), {}, utcnow())
    db.session.commit()
    age(db, draft, draft_days - warning_days + 1)
    age(db, quiet, draft_days - warning_days - 1)

    def warnings():
        return db.session.execute(db.select(EmailMessage).where(
            EmailMessage.to_address == artist.email, EmailMessage.subject == "Your draft application will be deleted",
        )).scalars().all()

    assert retention.warn_stale_drafts() == [draft.id]
    db.session.commit()
    [message] = warnings()
    assert "Digital Lights" in message.body_text
    assert f"/applications/{draft.id}" in message.body_text
    assert retention.warn_stale_drafts() == []  # once
    assert exists(db, draft.id) and exists(db, quiet.id)  # warning deletes nothing
    # Touched, then left stale again: told again.
    db.session.execute(db.update(Application).where(Application.id == draft.id).values(updated_at=utcnow()))
    db.session.commit()
    later = utcnow() + timedelta(days=draft_days - warning_days + 1)
    assert retention.warn_stale_drafts(now=later) == [draft.id]
    db.session.commit()
    assert len(warnings()) == 2


def test_declined_and_withdrawn_applications_past_their_period_lose_their_content(db, artist, other_artist, make_call, periods):
    _draft, _warning, rejected_days = periods
    now = utcnow()
    made = {}
    for name, state, owner in (("declined", ApplicationState.DECLINED, artist),
                               ("withdrawn", ApplicationState.WITHDRAWN, other_artist),
                               ("selected", ApplicationState.SELECTED, artist),
                               ("recent", ApplicationState.DECLINED, other_artist)):
        application = operations.start_application(owner, make_call(), {}, now)
        db.session.commit()
        made[name] = application
        made[name + "_keys"] = stored_asset(owner, operations.slot_ref(application, "reel"), name.encode() * 3)[1]
        submit(application, owner)
        application.state = state
        db.session.commit()
    for name in ("declined", "withdrawn", "selected"):
        age(db, made[name], rejected_days + 1)
    age(db, made["recent"], rejected_days - 1)

    counts = retention.run()
    assert counts["rejected_stripped"] == 1 and counts["rejected_deleted"] == 1
    storage = get_storage()
    declined = db.session.get(Application, made["declined"].id)
    assert declined.state == ApplicationState.DECLINED and declined.current_version == 1 and declined.fingerprint
    assert set(declined.answers) == {"_erased_at"} and declined.eligibility_answers == {}
    snapshot = db.session.execute(db.select(ApplicationVersion.snapshot).where(
        ApplicationVersion.application_id == declined.id)).scalar_one()
    assert snapshot["erased"] and GOOD["title"] not in str(snapshot)
    assert not any(storage.exists(key) for key in made["declined_keys"])
    assert not exists(db, made["withdrawn"].id)
    assert not any(storage.exists(key) for key in made["withdrawn_keys"])
    for name in ("selected", "recent"):
        kept = db.session.get(Application, made[name].id)
        assert kept.answers.get("title") == GOOD["title"]
        assert all(storage.exists(key) for key in made[name + "_keys"])
    assert retention.run()["rejected_stripped"] == 0  # idempotent
    assert verify_log()[0] is None


def test_the_daily_task_is_on_the_beat(app):
    entry = celery.conf.beat_schedule["applications-retention"]
    assert entry["task"] == "applications.purge_expired" and entry["schedule"] == 86400.0
    assert app.config["DRAFT_RETENTION_DAYS"] > app.config["DRAFT_RETENTION_WARNING_DAYS"] > 0
