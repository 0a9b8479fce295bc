"""Fixtures of the coordinators' view: calls, submitted applications with frozen versions, files.

Built directly with the models (not through the applications feature's operations), so these
tests hold the coordinators' view to its own rules; each frozen version is indexed for the list
with ``listing.index_version``, as submitting does.
"""

import hashlib
from datetime import datetime, timedelta, timezone

import pytest

from residency.applications.listing import index_version
from residency.applications.models import Application, ApplicationMember, ApplicationVersion
from residency.calls.models import Call
from residency.extensions import db as _db
from residency.media.models import MediaAsset

FORM = [
    {"id": "statement", "type": "long_text", "label": {"en": "Artist statement", "fr": "Démarche artistique"},
     "required": True, "word_limit": 300},
    {"id": "disciplines", "type": "multiple_choice", "label": {"en": "Disciplines", "fr": "Disciplines"},
     "choices": [{"value": "sound", "label": {"en": "Sound", "fr": "Son"}},
                 {"value": "video", "label": {"en": "Video", "fr": "Vidéo"}},
                 {"value": "games", "label": {"en": "Games", "fr": "Jeux"}}]},
    {"id": "format", "type": "single_choice", "label": {"en": "Format", "fr": "Format"},
     "choices": [{"value": "online", "label": {"en": "Online", "fr": "En ligne"}},
                 {"value": "hybrid", "label": {"en": "Hybrid", "fr": "Hybride"}}]},
    {"id": "website", "type": "url", "label": {"en": "Website", "fr": "Site web"}},
    {"id": "portfolio", "type": "file", "label": {"en": "Portfolio", "fr": "Portfolio"}, "kinds": ["document"],
     "max_count": 3},
]

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


def sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def coordinator(make_user, city):
    return make_user(name="Camille Coordinator", roles=[("city_coordinator", "city", city.id)])


@pytest.fixture
def make_call(app, city):
    counter = {"n": 0}

    def make(owner_city=None, main_language="en", form=None, texts=None):
        counter["n"] += 1
        call = Call(
            slug=f"review-call-{counter['n']}", city_id=(owner_city or city).id, main_language=main_language,
            texts=texts or {"en": {"title": f"Sound residency {counter['n']}"}},
            state="open", published_at=T0 - timedelta(days=10), opens_at=T0 - timedelta(days=9),
            closes_at=T0 + timedelta(days=30), form=FORM if form is None else form,
        )
        _db.session.add(call)
        _db.session.commit()
        return call

    return make


@pytest.fixture
def call(make_call):
    return make_call()


@pytest.fixture
def make_asset(app):
    def make(owner, filename, content=None):
        asset = MediaAsset(owner_id=owner.id, slot="library", original_filename=filename,
                           sha256=sha(content or filename), state="ready", kind="document")
        _db.session.add(asset)
        _db.session.flush()
        return asset

    return make


def snapshot_of(call, owner, answers, files, country, city):
    """A frozen version in the applications feature's format 1."""
    items = []
    for question in call.form or []:
        if question["type"] == "file":
            value = [{"id": a.id, "filename": a.original_filename, "size": 1000, "sha256": a.sha256, "kind": a.kind}
                     for a in files] if question["id"] == "portfolio" else []
        else:
            value = answers.get(question["id"])
        items.append({"id": question["id"], "type": question["type"], "label": question["label"]["en"],
                      "label_lang": "en", "value": value})
    return {
        "format": 1,
        "owner": {"user_id": owner.id, "profile": {"name": owner.display_name, "country_of_residence": country,
                                                   "bio": "Works with sound."}},
        "members": [],
        "eligibility": {"country": country, **({"city": city.id} if city else {})},
        "answers": items,
    }


@pytest.fixture
def make_application(app, make_user):
    """``make_application(call, owner=None, state="submitted", answers={...}, files=[assets], …)``.

    A submitted application gets ``versions`` frozen versions; the last one holds ``answers``
    and the ``files`` (media assets, moved into the application's upload slot). A draft
    (``state="draft"``) has none. ``city`` is the network city the artist said they live in.
    """
    counter = {"n": 0}

    def make(call, owner=None, state="submitted", answers=None, files=(), city=None, country="FR",
             eligible=None, notes=(), submitted_at=None, versions=1, live_answers=None, members=(), commit=True):
        counter["n"] += 1
        owner = owner or make_user(name=f"Artist {counter['n']:03d}")
        submitted_at = submitted_at or T0 + timedelta(hours=counter["n"])
        answers = dict(answers or {"statement": f"Statement {counter['n']}"})
        draft = state == "draft"
        application = Application(
            call_id=call.id, owner_id=owner.id, state=state,
            answers=live_answers or {**answers, **({"portfolio": [a.id for a in files]} if files else {})},
            eligibility_answers={"country": country, **({"city": city.id} if city else {})},
            eligible=eligible, eligibility_notes=list(notes), current_version=0 if draft else versions,
            submitted_at=None if draft else submitted_at,
        )
        _db.session.add(application)
        _db.session.flush()
        for a in files:  # uploaded into this application's slot, as the applications feature does
            a.slot = f"application:{application.id}.portfolio"
        for user, accepted in members:
            _db.session.add(ApplicationMember(application_id=application.id, email=user.email, user_id=user.id,
                                              accepted_at=T0 if accepted else None))
        if not draft:
            for number in range(1, versions + 1):
                last = number == versions
                fingerprint = sha(f"{application.id}-{number}")
                snapshot = snapshot_of(call, owner, answers if last else {"statement": "an older version"},
                                       files if last else (), country, city)
                _db.session.add(ApplicationVersion(
                    application_id=application.id, number=number, submitted_by_id=owner.id,
                    submitted_at=submitted_at - timedelta(minutes=versions - number), fingerprint=fingerprint,
                    snapshot=snapshot,
                ))
                index_version(application, snapshot)  # as submitting does, for the version now current
            application.fingerprint = fingerprint
        if commit:
            _db.session.commit()
        return application

    return make


def list_url(call, **args):
    from urllib.parse import urlencode

    return f"/manage/calls/{call.id}/applications" + (f"?{urlencode(args)}" if args else "")
