"""Jobs reach the broker only once the transaction that makes them valid has committed."""

from pathlib import Path

from residency.core.jobs import enqueue_after_commit
from residency.core.models import SystemProbe
from residency.core.tasks import complete_probe


def queued_messages(app):
    folder = Path(app.config["CELERY"]["broker_transport_options"]["data_folder_in"])
    return sorted(folder.glob("*.msg"))


def test_a_job_is_sent_after_commit_and_not_before(app, db):
    """Nothing is queued while the row is uncommitted; the job is queued at commit."""
    before = len(queued_messages(app))
    probe = SystemProbe()
    db.session.add(probe)
    db.session.flush()
    enqueue_after_commit(complete_probe, probe.id)
    assert len(queued_messages(app)) == before
    db.session.commit()
    messages = queued_messages(app)
    assert len(messages) == before + 1
    assert b"core.complete_probe" in messages[-1].read_bytes()


def test_a_rolled_back_job_is_never_sent(app, db):
    """A job whose transaction rolls back is forgotten."""
    before = len(queued_messages(app))
    probe = SystemProbe()
    db.session.add(probe)
    db.session.flush()
    enqueue_after_commit(complete_probe, probe.id)
    db.session.rollback()
    db.session.commit()
    assert len(queued_messages(app)) == before


def test_the_task_is_idempotent(app, db):
    """Running the same job twice completes the probe once and keeps its first completion time."""
    probe = SystemProbe()
    db.session.add(probe)
    db.session.commit()
    complete_probe.run(probe.id)
    first = db.session.get(SystemProbe, probe.id).completed_at
    complete_probe.run(probe.id)
    assert db.session.get(SystemProbe, probe.id).completed_at == first is not None
