"""When a call opens and closes, publishing it, and the coordinators' moves of its state."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l

from residency.audit.operations import record
from residency.calls import states
from residency.calls.models import CallState
from residency.calls.operations.changes import apply_change
from residency.calls.operations.common import _Problems
from residency.calls.operations.times import local_to_utc
from residency.core.errors import ActionRefused
from residency.core.i18n import is_valid_timezone
from residency.core.types import utcnow
from residency.extensions import db

CLOSING_SOON = timedelta(days=14)
#: Manual moves a coordinator may make; opening is done by publishing and by the clock.
MANUAL_TARGETS = (CallState.CLOSED, CallState.IN_REVIEW, CallState.DECIDED, CallState.ARCHIVED)


def set_timeline(actor, call, opens_local, closes_local, zone_name, now=None):
    """Set when the call opens and closes, given as wall-clock times (naive) in ``zone_name``.

    An unchanged minute keeps the stored instant. Returns notes to show (a time that happens twice).
    :raise InvalidCall: unknown zone, missing or nonexistent time, closing not after opening or past.
    """
    now = now or utcnow()
    problems, notes, instants = _Problems(), [], {}
    if not problems.check(bool(zone_name) and is_valid_timezone(zone_name), "timezone", _l("Choose a timezone from the list.")):
        problems.raise_any()
    for field, local, current in (("opens_at", opens_local, call.opens_at), ("closes_at", closes_local, call.closes_at)):
        if not problems.check(local is not None, field, _l("Enter a date and a time.")):
            continue
        try:
            instant, note = local_to_utc(local, zone_name, field)
        except ActionRefused as refusal:
            problems.check(False, field, refusal.message)
            continue
        if current is not None and current.replace(second=0, microsecond=0) == instant:
            instant = current
        instants[field] = instant
        if note is not None:
            notes.append(note)
    opens, closes = instants.get("opens_at"), instants.get("closes_at")
    if opens and closes:
        problems.check(closes > opens, "closes_at", _l("The call must close after it opens."))
        problems.check(closes > now or closes == call.closes_at, "closes_at", _l("This closing time has already passed."))
    problems.raise_any()
    apply_change(actor, call, "call.timeline_set", {"opens_at": opens, "closes_at": closes, "timezone": zone_name}, now=now)
    return notes


def publish(actor, call, now=None):
    """Publish a draft: it shows as upcoming and the clock opens it at ``opens_at`` (at once if past).

    :raise InvalidCall: something the public page or the clock needs is missing.
    """
    now = now or utcnow()
    if call.published_at is not None:
        raise ActionRefused(_l("This call is already published."), status=409)
    problems = _Problems()
    problems.check(bool(call.text("title")), "title", _l("Give the call a title."))
    problems.check(bool(call.text("summary")), "summary", _l("Write a summary: it shows in the list of calls."))
    problems.check(bool(call.disciplines), "disciplines", _l("Choose at least one discipline."))
    has_times = problems.check(call.opens_at is not None and call.closes_at is not None, "timeline",
                               _l("Set when the call opens and closes."))
    if has_times:
        problems.check(call.closes_at > now, "timeline", _l("The closing time has already passed: set a new timeline."))
    problems.raise_any()
    call.published_at = now
    call.updated_at = now
    record("call.published", actor=actor, obj=call)
    if call.opens_at <= now:
        states.move(call, CallState.OPEN, actor=actor, reason="published")
    db.session.flush()
    return call


def move_call(actor, call, target):
    """A coordinator's move: close early, start the review, mark decided, archive.

    :raise ActionRefused: not a manual move (400) or not allowed from the current state (409).
    """
    if target not in MANUAL_TARGETS:
        raise ActionRefused(_l("This is not a move a coordinator can make."))
    states.move(call, target, actor=actor, reason="manual")
    db.session.flush()
    return call
