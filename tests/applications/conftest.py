"""Fixtures of the application tests: artists, coordinators, an open call built with the model
(not through the calls editor), an application, and files already in its upload slots."""

from datetime import timedelta

import pytest

from residency.applications import operations
from residency.calls.models import Call, CallState
from residency.core.types import utcnow
from residency.media.models import MediaAsset

FORM = [
    {"id": "title", "type": "short_text", "required": True,
     "label": {"fr": "Titre du projet", "en": "Project title"}},
    {"id": "statement", "type": "long_text", "required": True, "word_limit": 10,
     "label": {"fr": "Note d'intention"}, "help": {"fr": "Dix mots au plus."}},
    {"id": "format", "type": "single_choice", "required": True, "label": {"en": "Format", "fr": "Format"},
     "choices": [{"value": "online", "label": {"en": "Online", "fr": "En ligne"}},
                 {"value": "hybrid", "label": {"en": "Hybrid", "fr": "Hybride"}}]},
    {"id": "tools", "type": "multiple_choice", "label": {"en": "Tools"},
     "choices": [{"value": "code", "label": {"en": "Code"}}, {"value": "sound", "label": {"en": "Sound"}}]},
    {"id": "site", "type": "url", "label": {"en": "Project website"}},
    {"id": "start", "type": "date", "label": {"en": "Earliest start"}},
    {"id": "reel", "type": "file", "label": {"en": "Showreel"}, "kinds": ["video"], "max_size": 5_000_000, "max_count": 2},
]

GOOD = {"title": "Tidal Signals", "statement": "Tides heard between two cities, live.", "format": "online",
        "tools": ["code"], "site": "https://example.org/tidal", "start": "2026-10-01"}


def form_data(values):
    """The application form's fields for ``values`` (as the browser posts them)."""
    data = {}
    for qid, value in values.items():
        data[f"answer-{qid}"] = value
    return data


@pytest.fixture
def artist(make_user):
    return make_user(email="aya@example.org", name="Aya", timezone="America/Bogota", locale="en")


@pytest.fixture
def other_artist(make_user):
    return make_user(email="bo@example.org", name="Bo")


@pytest.fixture
def coordinator(make_user, city):
    return make_user(email="coord@example.org", name="Camille", roles=[("city_coordinator", "city", city.id)])


@pytest.fixture
def other_coordinator(make_user, other_city):
    return make_user(email="linz@example.org", name="Lena", roles=[("city_coordinator", "city", other_city.id)])


@pytest.fixture
def make_call(db, city):
    """An open Lyon call by default; any column can be given."""
    counter = {"n": 0}

    def make(**fields):
        counter["n"] += 1
        now = utcnow()
        values = {
            "slug": f"lumieres-numeriques-{counter['n']}", "city_id": city.id, "main_language": "fr",
            "texts": {"fr": {"title": "Lumières numériques"}, "en": {"title": "Digital Lights"}},
            "timezone": "Europe/Paris", "state": CallState.OPEN, "published_at": now - timedelta(days=2),
            "opens_at": now - timedelta(days=1), "closes_at": now + timedelta(days=7), "form": FORM, "eligibility": {},
        }
        values.update(fields)
        call = Call(**values)
        db.session.add(call)
        db.session.commit()
        return call

    return make


@pytest.fixture
def call(make_call):
    return make_call()


@pytest.fixture
def application(db, artist, call):
    application = operations.start_application(artist, call, {}, utcnow())
    db.session.commit()
    return application


@pytest.fixture
def add_file(db):
    """``add_file(application, question_id, owner, **asset fields)``: a file already uploaded into the slot."""

    def add(application, question_id, owner, **fields):
        values = {"original_filename": "reel.mp4", "size": 1_000_000, "state": "ready", "kind": "video",
                  "sha256": "ab" * 32, "mime": "video/mp4", "ext": "mp4"}
        values.update(fields)
        asset = MediaAsset(owner_id=owner.id, slot=operations.slot_ref(application, question_id), **values)
        db.session.add(asset)
        db.session.commit()
        return asset

    return add


def submit(application, actor, values=None, now=None):
    """Submit through the operation, with GOOD answers by default."""
    return operations.submit_application(actor, application, GOOD if values is None else values, now or utcnow())
