"""A user who gave the platform a bit of everything, and the checks that nothing of them is left.

:func:`rich_user` builds it: profile, a work with a file in two versions and a derivative (all
stored), a draft with a stored file, a submitted application nobody reviewed, one the jury
decided on, membership of someone else's submitted application, e-mail in the outbox, a login
throttle on the address. :func:`traces` scans every text and JSON column of every table.
"""

import hashlib
import io
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import JSON, String, Text

from residency.applications import operations as applications
from residency.applications.models import (
    Application, ApplicationMember, ApplicationMessage, ApplicationState, ArtistProfile,
)
from residency.calls.models import Call, CallState
from residency.core.types import utcnow
from residency.extensions import db
from residency.media.models import Derivative, MediaAsset, Work
from residency.notifications.operations import queue_email
from residency.storage import get_storage
from tests.applications.conftest import FORM, GOOD
from tests.conftest import create_user

NAME = "Zephyrine Quillfeather"
EMAIL = "zephyrine.quillfeather@example.org"
BIO = "Bio of Zephyrine: tidal sound sculptures since 2011"
ANSWER = "Salt marsh recordings answered by distant harbours."


@dataclass
class Built:
    user: object
    other: object
    stored_keys: list = field(default_factory=list)  # the user's stored files
    other_keys: list = field(default_factory=list)  # another person's stored files
    draft_id: int = 0
    unreviewed_id: int = 0
    decided_id: int = 0
    others_application_id: int = 0
    work_id: int = 0


def _call(n, city):
    now = utcnow()
    call = Call(slug=f"data-rights-{n}", city_id=city.id, main_language="en",
                texts={"en": {"title": f"Data rights call {n}"}}, timezone="Europe/Paris", state=CallState.OPEN,
                published_at=now - timedelta(days=2), opens_at=now - timedelta(days=1),
                closes_at=now + timedelta(days=7), form=FORM, eligibility={})
    db.session.add(call)
    db.session.commit()
    return call


def stored_asset(owner, slot, data, name="reel.mp4", work_id=None, **fields):
    """A processed file whose original (and a thumbnail) are really stored."""
    storage = get_storage()
    asset = MediaAsset(owner_id=owner.id, slot=slot, work_id=work_id, original_filename=name, size=len(data),
                       state="ready", kind="video", sha256=hashlib.sha256(data).hexdigest(), mime="video/mp4", ext="mp4",
                       **fields)
    db.session.add(asset)
    db.session.flush()
    prefix = f"works/{work_id}" if work_id else "slots/" + slot.replace(":", "-")
    asset.original_key = f"{prefix}/original/{asset.id}-{name}"
    storage.put(asset.original_key, io.BytesIO(data))
    thumb = f"{prefix}/derived/thumb/v1/{asset.id}.jpg"
    storage.put(thumb, io.BytesIO(b"thumb-" + data[:20]))
    asset.derivatives.append(Derivative(profile="thumbnail", state="done", key=thumb, meta={"by": owner.display_name}))
    db.session.commit()
    return asset, [asset.original_key, thumb]


def rich_user(city, password_user=None):
    """Build :class:`Built` (see the module)."""
    user = password_user or create_user(EMAIL, name=NAME, pronouns="they/them", city_id=city.id)
    other = create_user("other.artist@example.org", name="Orla Other")
    built = Built(user=user, other=other)
    db.session.add(ArtistProfile(user_id=user.id, bio=BIO, website="https://zephyrine.example.org",
                                 links=["https://zephyrine.example.org/works"], organisation="Quillfeather Studio"))
    work = Work(owner_id=user.id, title=f"Tides by {NAME}", credits=NAME, synopsis={"en": BIO})
    db.session.add(work)
    db.session.commit()
    built.work_id = work.id
    old, keys = stored_asset(user, f"work:{work.id}", b"version one of the reel", work_id=work.id, name="zq-reel.mp4")
    built.stored_keys += keys
    new, keys = stored_asset(user, f"work:{work.id}", b"version two of the reel", work_id=work.id, name="zq-reel.mp4",
                             version=2, supersedes_id=old.id)
    old.superseded_by_id = new.id
    built.stored_keys += keys
    now = utcnow()
    draft = applications.start_application(user, _call(1, city), {}, now)
    applications.save_draft(user, draft, {"title": "Draft by Zephyrine"}, now)
    db.session.commit()
    built.draft_id = draft.id
    _asset, keys = stored_asset(user, applications.slot_ref(draft, "reel"), b"draft reel bytes")
    built.stored_keys += keys

    unreviewed = applications.start_application(user, _call(2, city), {}, now)
    db.session.commit()
    applications.submit_application(user, unreviewed, dict(GOOD, statement=ANSWER), now)
    db.session.commit()
    built.unreviewed_id = unreviewed.id

    decided = applications.start_application(user, _call(3, city), {}, now)
    db.session.commit()
    _asset, keys = stored_asset(user, applications.slot_ref(decided, "reel"), b"decided reel bytes")
    built.stored_keys += keys
    applications.submit_application(user, decided, dict(GOOD, statement=ANSWER), now)
    decided.state = ApplicationState.SELECTED  # the jury decided
    db.session.add(ApplicationMessage(call_id=decided.call_id, application_id=decided.id, subject=f"Hello {NAME}",
                                      body=f"Dear {NAME}, write to {EMAIL}.", recipients=1))
    db.session.commit()
    built.decided_id = decided.id

    theirs = applications.start_application(other, _call(4, city), {}, now)
    db.session.add(ApplicationMember(application_id=theirs.id, email=EMAIL, user_id=user.id, accepted_at=now))
    db.session.commit()
    _asset, keys = stored_asset(other, applications.slot_ref(theirs, "reel"), b"the other person's reel")
    built.other_keys += keys
    applications.submit_application(other, theirs, GOOD, now)
    db.session.commit()
    built.others_application_id = theirs.id

    with current_app.test_request_context():
        queue_email(EMAIL, "verify_email", "Confirm", user=user, token="t" * 20, hours=1)
    db.session.commit()
    return built


def traces(*needles):
    """``[(table, column, needle)]`` for every text or JSON value holding one of ``needles``."""
    found = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (String, Text, JSON))]
        if not columns:
            continue
        for row in db.session.execute(db.select(*columns)).all():
            for column, value in zip(columns, row):
                text = str(value) if value is not None else ""
                for needle in needles:
                    if needle.lower() in text.lower():
                        found.append((table.name, column.name, needle))
    return found


def application_exists(application_id):
    db.session.expire_all()
    return db.session.get(Application, application_id) is not None
