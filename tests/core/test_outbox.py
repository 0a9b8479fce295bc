"""The jobs' transactional outbox: a job exists exactly when its change is committed, survives a
process killed between commit and publish, and leaves the outbox when a worker starts it."""

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

import config as settings
from residency import create_app
from residency.core.jobs import GRACE, acknowledge, enqueue_after_commit, relay
from residency.core.models import OutboxJob, SystemProbe
from residency.core.tasks import complete_probe
from residency.core.types import utcnow
from residency.extensions import db as _db
from tests import services

ROOT = Path(__file__).resolve().parents[2]


def queued_ids(app):
    """The task ids of the messages waiting in the (filesystem) broker Celery publishes to (its
    connection pool keeps the folder of the first application the process configured)."""
    from residency.extensions import celery

    with celery.producer_or_acquire() as producer:
        folder = Path(producer.connection.transport_options["data_folder_in"])
    ids = set()
    for path in folder.glob("*.msg"):
        ids.add(json.loads(path.read_bytes())["headers"]["id"])
    return ids


def outbox(db):
    return db.session.execute(db.select(OutboxJob)).scalars().all()


def test_a_committed_job_is_in_the_outbox_and_published_under_its_id(app, db):
    """The job is written with the change and published at commit, under the outbox's message id."""
    probe = SystemProbe()
    db.session.add(probe)
    db.session.flush()
    enqueue_after_commit(complete_probe, probe.id)
    db.session.commit()

    [job] = [job for job in outbox(db) if job.args == [probe.id]]
    assert job.task == "core.complete_probe" and job.message_id.startswith("ob-")
    assert job.message_id in queued_ids(app)


def test_a_rolled_back_change_leaves_no_job(app, db):
    """Rolling back takes the job with it: nothing in the outbox, nothing published."""
    before = queued_ids(app)
    probe = SystemProbe()
    db.session.add(probe)
    db.session.flush()
    enqueue_after_commit(complete_probe, probe.id)
    db.session.rollback()
    db.session.commit()
    assert outbox(db) == [] and queued_ids(app) == before


def test_the_relay_waits_for_the_grace_then_backs_off(app, db):
    """A job still in the outbox is published again only after its grace, then at growing
    intervals; a started job is no longer relayed."""
    probe = SystemProbe()
    db.session.add(probe)
    db.session.flush()
    enqueue_after_commit(complete_probe, probe.id, countdown=0)
    db.session.commit()
    [job] = outbox(db)
    message_id = job.message_id

    assert relay() == 0  # within its grace: the first publication may still be on its way
    later = utcnow() + GRACE + timedelta(seconds=1)
    assert relay(now=later) == 1
    assert relay(now=later + timedelta(seconds=1)) == 0  # backed off
    db.session.expire_all()
    assert outbox(db)[0].attempts == 1

    db.session.commit()
    acknowledge(message_id)  # in its own transaction: not visible inside this test's one
    complete_probe.run(probe.id)
    assert _db.session.get(SystemProbe, probe.id).completed_at is not None


CRASH = r"""
import os, signal, sys
import config as settings
from sqlalchemy import event
from sqlalchemy.orm import Session
from residency import create_app
from residency.core.jobs import enqueue_after_commit
from residency.core.models import SystemProbe
from residency.core.tasks import complete_probe
from residency.extensions import db

config = settings.TestingConfig(sys.argv[2])
config.SQLALCHEMY_DATABASE_URI = sys.argv[1]
app = create_app(config)
with app.app_context():
    # Registered before the outbox's own listener: the process dies after the commit, before
    # anything is published.
    event.listen(Session, "after_commit", lambda session: os.kill(os.getpid(), signal.SIGKILL), insert=True)
    probe = SystemProbe()
    db.session.add(probe)
    db.session.flush()
    print(probe.id, flush=True)
    enqueue_after_commit(complete_probe, probe.id)
    db.session.commit()
"""


@pytest.fixture
def own_database(tmp_path):
    if not services.TEST_DATABASE_URL:
        if services.CI:
            pytest.fail("CI=true needs TEST_DATABASE_URL (PostgreSQL)", pytrace=False)
        pytest.skip("a process killed after its commit: PostgreSQL")
    from flask_migrate import upgrade

    url = services.create_postgres_database("residency_outbox")
    config = settings.TestingConfig(tmp_path / "relay")
    config.SQLALCHEMY_DATABASE_URI = url
    app = create_app(config)
    try:
        with app.app_context():
            upgrade()
        yield app, url
    finally:
        with app.app_context():
            _db.engine.dispose()
        services.drop_postgres_database(url)


def test_a_process_killed_between_commit_and_publish_loses_no_job(own_database, tmp_path):
    """A web process SIGKILLed right after committing: its change and its job are in the
    database, nothing reached the broker; the relay publishes the job, a worker runs it once."""
    app, url = own_database
    result = subprocess.run([sys.executable, "-c", CRASH, url, str(tmp_path / "crashed")], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == -9, result.stderr[-2000:]
    probe_id = int(result.stdout.split()[0])
    crashed_broker = tmp_path / "crashed" / "broker" / "messages"
    assert not list(crashed_broker.glob("*.msg"))  # nothing was published

    with app.app_context():
        [job] = _db.session.execute(_db.select(OutboxJob)).scalars().all()
        assert job.args == [probe_id] and _db.session.get(SystemProbe, probe_id) is not None
        message_id = job.message_id
        assert relay(now=utcnow() + GRACE + timedelta(seconds=1)) == 1
        assert message_id in queued_ids(app)

        # What the worker does with the message: acknowledge, then run (twice: at least once).
        acknowledge(message_id)
        complete_probe.run(probe_id)
        complete_probe.run(probe_id)
        _db.session.expire_all()
        assert _db.session.execute(_db.select(OutboxJob)).scalars().all() == []
        assert _db.session.get(SystemProbe, probe_id).completed_at is not None
        _db.session.remove()
