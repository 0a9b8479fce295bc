"""The demo: the demo artist gets a submitted application and a draft to the Lyon call, once."""

from residency.applications.demo import load_demo_applications
from residency.applications.models import Application


def test_demo_applications_are_made_once(db, make_user, make_call):
    """Loading the demo twice gives the same submitted application and draft, nothing more."""
    artist = make_user(email="artist@demo.example.org", name="Ana Artist")
    make_call(slug="lumieres-numeriques-2026", allow_multiple_applications=True)
    first = load_demo_applications()
    db.session.commit()
    second = load_demo_applications()
    db.session.commit()
    applications = db.session.execute(db.select(Application).where(Application.owner_id == artist.id)).scalars().all()
    assert sorted(a.state for a in applications) == ["draft", "submitted"]
    assert first == second and any("submitted" in line for line in first)


def test_demo_with_one_application_per_artist_shows_unsubmitted_changes(db, make_user, make_call):
    """With one application per artist, the demo draft is a change not yet submitted again."""
    from residency.applications.operations import unsubmitted_changes

    artist = make_user(email="artist@demo.example.org", name="Ana Artist")
    make_call(slug="lumieres-numeriques-2026")
    load_demo_applications()
    load_demo_applications()
    [application] = db.session.execute(db.select(Application).where(Application.owner_id == artist.id)).scalars().all()
    assert application.current_version == 1 and unsubmitted_changes(application)


def test_demo_without_the_lyon_call_says_so(db, make_user):
    """Without the calls demo, the applications demo explains what is missing and creates nothing."""
    make_user(email="artist@demo.example.org")
    lines = load_demo_applications()
    assert "Lyon call" in lines[0]
    assert db.session.scalar(db.select(db.func.count(Application.id))) == 0


def test_demo_submits_with_a_sample_file_when_a_file_is_required(db, make_user, make_call):
    """A required video question gets a generated, verified sample so the demo application is submitted."""
    import shutil

    from tests.services import service_missing

    if shutil.which("ffmpeg") is None:
        service_missing("ffmpeg is not installed")
    artist = make_user(email="artist@demo.example.org", name="Ana Artist")
    form = [{"id": "clip", "type": "file", "required": True, "kinds": ["video"], "max_count": 1, "label": {"fr": "Extrait"}}]
    make_call(slug="lumieres-numeriques-2027", form=form)
    lines = load_demo_applications()
    [application] = db.session.execute(db.select(Application).where(Application.owner_id == artist.id)).scalars().all()
    assert application.current_version == 1, lines
    [clip] = application.versions[0].snapshot["answers"][0]["value"]
    assert clip["kind"] == "video" and len(clip["sha256"]) == 64
