"""Fixtures of the call tests: one user per role, calls built through the operations, applicants."""

from datetime import timedelta

import pytest

from residency.calls import operations
from residency.core.types import utcnow

#: "Now" for the operations that take one: the start of the current minute (pages use the real clock).
NOW = utcnow().replace(second=0, microsecond=0)


def details(**overrides):
    """Valid details of a call, as the editor's form gives them."""
    values = {
        "main_language": "en", "title": "Light and Code", "summary": "A residency about light.",
        "body": "The full text.", "benefits": "A fee.", "disciplines": ["media_arts"], "format": "online",
        "residency_starts_on": None, "residency_ends_on": None, "places": 2, "countries": [],
        "eligible_city_ids": [], "career_stages": [], "allow_multiple_applications": False,
        "participating_city_ids": [],
    }
    values.update(overrides)
    return values


@pytest.fixture
def coordinator(make_user, city):
    """A coordinator of Lyon."""
    return make_user(email="lyon@example.org", name="Lyon Coordinator", roles=[("city_coordinator", "city", city.id)],
                     timezone="Europe/Paris")


@pytest.fixture
def linz_coordinator(make_user, other_city):
    return make_user(email="linz@example.org", name="Linz Coordinator", roles=[("city_coordinator", "city", other_city.id)])


@pytest.fixture
def network_coordinator(make_user):
    return make_user(email="network@example.org", roles=[("city_coordinator", "network", 0)])


@pytest.fixture
def admin(make_user):
    return make_user(email="admin@example.org", roles=[("network_admin", "network", 0)])


@pytest.fixture
def artist(make_user):
    return make_user(email="artist@example.org", name="Ana Artist")


@pytest.fixture
def make_call(db, coordinator, city):
    """``make_call(opens=…, closes=…, publish=True, city=…, **details)``: a committed call of Lyon by default.

    ``opens``/``closes`` are aware instants; ``now`` is the moment the operations act at.
    """

    def make(opens=None, closes=None, publish=False, owner=city, actor=None, now=None, questions=(), **overrides):
        actor = actor or coordinator
        now = now or NOW
        call = operations.create_call(actor, owner, details(**overrides))
        for spec in questions:
            operations.add_question(actor, call, spec, now=now)
        if opens is not None:
            zone = call.timezone
            from zoneinfo import ZoneInfo

            local = lambda instant: instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None)  # noqa: E731
            operations.set_timeline(actor, call, local(opens), local(closes), zone, now=now)
        if publish:
            operations.publish(actor, call, now=now)
        db.session.commit()
        return call

    return make


@pytest.fixture
def open_call(make_call):
    """A published call of Lyon, open from NOW - 1 day to NOW + 10 days, with a few questions."""
    return make_call(
        opens=NOW - timedelta(days=1), closes=NOW + timedelta(days=10), publish=True,
        questions=[
            {"type": "long_text", "label": "Project", "word_limit": 300, "required": True},
            {"type": "file", "label": "Video", "kinds": ["video"], "max_size": 500_000_000, "max_count": 2},
            {"type": "single_choice", "label": "Language", "choices": ["French", "English"]},
            {"type": "short_text", "label": "Nickname"},
        ],
    )


@pytest.fixture
def submit(db):
    """``submit(call, user, answers)``: an application with a submitted version (as the applications feature makes it)."""
    from residency.applications.models import Application

    def make(call, user, answers=None, version=1):
        application = Application(call_id=call.id, owner_id=user.id, state="submitted", answers=answers or {},
                                  current_version=version, submitted_at=NOW)
        db.session.add(application)
        db.session.commit()
        return application

    return make
