"""Coordinators' eligibility decisions on submitted applications, with their notes.

An application is eligible (``True``), not eligible (``False``) or not checked yet (``None``);
each decision keeps a note in ``eligibility_notes`` with who wrote it and when, and an audit entry.
Nothing here reads ``request`` or commits: the view commits once.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l

from residency.audit.operations import record
from residency.core.errors import ActionRefused
from residency.core.types import utcnow
from residency.extensions import db

NOTE_MAX_LENGTH = 1000

ELIGIBILITY_LABELS = {"yes": _l("Eligible"), "no": _l("Not eligible"), "unknown": _l("Not checked yet")}


def eligibility_key(value):
    """``True``/``False``/``None`` → ``"yes"``/``"no"``/``"unknown"``."""
    return "unknown" if value is None else ("yes" if value else "no")


def set_eligibility(application, actor, eligible, note="", now=None):
    """Mark ``application`` eligible (True), not eligible (False) or not checked (None), with a note.

    The note is kept in ``eligibility_notes`` with who wrote it and when; an audit entry records
    the change.

    :raise ActionRefused 400: "not eligible" without a note, or a note over the length limit.
    :raise ActionRefused 409: the application was never submitted.
    """
    note = (note or "").strip()
    if application.current_version <= 0:
        raise ActionRefused(_l("This application has not been submitted."), status=409)
    if eligible is False and not note:
        raise ActionRefused(_l("Say why the application is not eligible."), field="note")
    if len(note) > NOTE_MAX_LENGTH:
        raise ActionRefused(_l("Keep the note under %(max)d characters.", max=NOTE_MAX_LENGTH), field="note")
    now = now or utcnow()
    previous = application.eligible
    application.eligible = eligible
    entry = {"at": now.isoformat(), "by": actor.id, "by_name": actor.display_name,
             "eligible": eligible, "note": note, "source": "coordinator"}
    # A new list, not an in-place append: a JSON column only notices assignment.
    application.eligibility_notes = [*(application.eligibility_notes or []), entry]
    application.updated_at = now
    db.session.flush()
    record("application.eligibility_set", actor=actor, obj=application, call_id=application.call_id,
           previous=eligibility_key(previous), eligible=eligibility_key(eligible), with_note=bool(note))
    return application


def eligibility_notes(application):
    """The notes as dicts ``{"at" (datetime or None), "by_name", "eligible", "note"}``, newest
    first; plain strings (written by an automatic check) become ``{"note": text}``."""
    notes = []
    for item in application.eligibility_notes or []:
        note = dict(item) if isinstance(item, dict) else {"note": str(item)}
        try:
            note["at"] = datetime.fromisoformat(note["at"]) if note.get("at") else None
        except (TypeError, ValueError):
            note["at"] = None
        notes.append(note)
    return list(reversed(notes))


def last_note(notes):
    """The text of the last of ``eligibility_notes`` (a dict or a plain string), or ``""``."""
    last = notes[-1] if notes else None
    if isinstance(last, dict):
        return str(last.get("note") or "")
    return str(last or "")
