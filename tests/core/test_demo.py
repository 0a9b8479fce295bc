"""`flask residency demo` loads a demo network a newcomer can log into at once; twice changes nothing."""

from residency.accounts.models import User
from residency.applications.models import Application
from residency.calls.models import Call
from residency.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from residency.media.models import MediaAsset, Work
from tests.services import require_binary


def counts(db):
    return tuple(db.session.scalar(db.select(db.func.count()).select_from(model)) for model in (User, Work, MediaAsset, Call, Application))


def test_demo_network_loads_and_is_idempotent(app, db, client):
    require_binary("ffmpeg")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["residency", "demo"])
    assert first.exit_code == 0, first.output
    assert DEMO_PASSWORD in first.output
    for email, *_rest in DEMO_ACCOUNTS:
        assert email in first.output
    loaded = counts(db)
    assert loaded[1] >= 1 and loaded[2] >= 1 and loaded[3] >= 2 and loaded[4] >= 1
    second = runner.invoke(args=["residency", "demo"])
    assert second.exit_code == 0, second.output
    assert counts(db) == loaded
    response = client.post_form("/login", {"email": "coordinator@demo.example.org", "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
