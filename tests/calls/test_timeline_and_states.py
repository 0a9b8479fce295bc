"""The timeline (local times in the call's zone, stored in UTC), publishing, the clock and manual moves."""

from datetime import datetime, timedelta, timezone

import pytest

from residency.calls import operations
from residency.calls.models import CallState
from residency.calls.tasks import tick
from residency.core.errors import ActionRefused
from tests.calls.conftest import NOW, details

UTC = timezone.utc


def test_local_times_are_stored_as_utc_instants(db, coordinator, city):
    """18:00 in Paris in summer is 16:00 UTC, in winter 17:00 UTC."""
    call = operations.create_call(coordinator, city, details())
    notes = operations.set_timeline(coordinator, call, datetime(2026, 12, 1, 18, 0), datetime(2027, 7, 1, 18, 0),
                                    "Europe/Paris", now=datetime(2026, 11, 1, tzinfo=UTC))
    assert notes == []
    assert call.opens_at == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    assert call.closes_at == datetime(2027, 7, 1, 16, 0, tzinfo=UTC)
    db.session.commit()
    db.session.refresh(call)
    assert call.closes_at == datetime(2027, 7, 1, 16, 0, tzinfo=UTC) and call.closes_at.tzinfo is not None


def test_a_time_skipped_by_the_spring_change_is_refused_with_a_suggestion(coordinator, city):
    """02:30 on 29 March 2026 does not exist in Europe/Paris: refused, suggesting 03:30; nothing saved."""
    call = operations.create_call(coordinator, city, details())
    with pytest.raises(operations.InvalidCall) as refusal:
        operations.set_timeline(coordinator, call, datetime(2026, 3, 29, 2, 30), datetime(2026, 4, 30, 18, 0),
                                "Europe/Paris", now=datetime(2026, 3, 1, tzinfo=UTC))
    field, message = refusal.value.problems[0]
    assert field == "opens_at"
    assert "does not exist in Europe/Paris" in str(message) and "03:30" in str(message)
    assert call.opens_at is None and call.closes_at is None


def test_a_time_that_happens_twice_in_autumn_takes_the_first_occurrence_and_says_so(coordinator, city):
    """02:30 on 25 October 2026 in Paris happens twice: the first one (UTC+02:00, 00:30 UTC) is used."""
    call = operations.create_call(coordinator, city, details())
    notes = operations.set_timeline(coordinator, call, datetime(2026, 10, 1, 9, 0), datetime(2026, 10, 25, 2, 30),
                                    "Europe/Paris", now=datetime(2026, 9, 1, tzinfo=UTC))
    assert call.closes_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert len(notes) == 1 and "first occurrence, UTC+02:00" in str(notes[0])


@pytest.mark.parametrize("opens, closes", [
    (datetime(2027, 5, 1, 18, 0), datetime(2027, 5, 1, 18, 0)),
    (datetime(2027, 5, 1, 18, 0), datetime(2027, 4, 1, 18, 0)),
])
def test_a_call_cannot_close_before_or_when_it_opens(coordinator, city, opens, closes):
    """Closing at or before the opening is refused on the closing field."""
    call = operations.create_call(coordinator, city, details())
    with pytest.raises(operations.InvalidCall) as refusal:
        operations.set_timeline(coordinator, call, opens, closes, "Europe/Paris", now=datetime(2027, 1, 1, tzinfo=UTC))
    assert refusal.value.problems[0][0] == "closes_at"
    assert call.closes_at is None


@pytest.mark.parametrize("zone, opens, closes, field", [
    ("Mars/Olympus_Mons", datetime(2027, 5, 1), datetime(2027, 6, 1), "timezone"),
    ("Europe/Paris", None, datetime(2027, 6, 1), "opens_at"),
    ("Europe/Paris", datetime(2020, 5, 1), datetime(2020, 6, 1), "closes_at"),
])
def test_unknown_zone_missing_time_or_past_deadline_are_refused(coordinator, city, zone, opens, closes, field):
    """The timezone must be a real one, both times given, and the deadline still ahead."""
    call = operations.create_call(coordinator, city, details())
    with pytest.raises(operations.InvalidCall) as refusal:
        operations.set_timeline(coordinator, call, opens, closes, zone, now=datetime(2027, 1, 1, tzinfo=UTC))
    assert field in {f for f, _message in refusal.value.problems}


def test_publishing_a_future_call_shows_it_as_upcoming_and_the_clock_opens_and_closes_it(db, make_call):
    """Published: still draft until opens_at; the tick opens it at opens_at and closes it at closes_at."""
    opens, closes = NOW + timedelta(days=1), NOW + timedelta(days=2)
    call = make_call(opens=opens, closes=closes, publish=True)
    assert (call.state, call.published_at) == (CallState.DRAFT, NOW)
    assert tick(now=opens - timedelta(seconds=1)) == ([], [])
    assert call.state == CallState.DRAFT
    assert tick(now=opens) == ([call.id], [])
    assert call.state == CallState.OPEN
    assert tick(now=closes - timedelta(seconds=1)) == ([], [])
    assert tick(now=closes) == ([], [call.id])
    assert call.state == CallState.CLOSED


def test_an_application_one_second_early_is_on_time_and_one_at_the_deadline_is_late(make_call):
    """accepting() is True one second before closes_at and False at closes_at exactly (and before opening)."""
    opens, closes = NOW + timedelta(days=1), NOW + timedelta(days=2)
    call = make_call(opens=opens, closes=closes, publish=True)
    assert call.accepting(opens - timedelta(seconds=1)) is False
    assert call.accepting(opens) is True
    assert call.accepting(closes - timedelta(seconds=1)) is True
    assert call.accepting(closes) is False


def test_an_unpublished_call_never_accepts_nor_opens_by_the_clock(make_call):
    """A draft with a timeline is not opened by the clock until it is published."""
    call = make_call(opens=NOW + timedelta(hours=1), closes=NOW + timedelta(days=2))
    assert tick(now=NOW + timedelta(hours=2)) == ([], [])
    assert call.state == CallState.DRAFT and not call.accepting(NOW + timedelta(hours=2))


def test_publishing_a_call_whose_opening_has_passed_opens_it_at_once(db, make_call):
    """The opening time is past: publishing opens the call through the state machine (audited)."""
    from residency.audit.models import AuditEntry

    call = make_call(opens=NOW - timedelta(hours=1), closes=NOW + timedelta(days=2), publish=True)
    assert call.state == CallState.OPEN
    moves = db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "call.state_changed")).scalars().all()
    assert [(m.data["to"], m.data["reason"]) for m in moves] == [("open", "published")]


@pytest.mark.parametrize("missing", ["timeline", "summary"])
def test_a_call_without_timeline_or_summary_cannot_be_published(coordinator, city, missing):
    """Publishing needs the times the clock uses and the summary the list shows."""
    call = operations.create_call(coordinator, city, details(summary="" if missing == "summary" else "A summary"))
    if missing != "timeline":
        operations.set_timeline(coordinator, call, datetime(2030, 5, 1, 9, 0), datetime(2030, 6, 1, 18, 0), "Europe/Paris")
    with pytest.raises(operations.InvalidCall) as refusal:
        operations.publish(coordinator, call)
    assert missing in {field for field, _message in refusal.value.problems}
    assert call.published_at is None


def test_publishing_twice_is_refused(make_call, coordinator):
    call = make_call(opens=NOW + timedelta(days=1), closes=NOW + timedelta(days=2), publish=True)
    with pytest.raises(ActionRefused) as refusal:
        operations.publish(coordinator, call)
    assert refusal.value.status == 409


def test_coordinators_move_a_call_through_its_states_in_order(open_call, coordinator):
    """Close early, start review, decided, archived; skipping a state or opening by hand is refused."""
    with pytest.raises(ActionRefused) as refusal:
        operations.move_call(coordinator, open_call, CallState.IN_REVIEW)
    assert refusal.value.status == 409
    with pytest.raises(ActionRefused):
        operations.move_call(coordinator, open_call, CallState.OPEN)
    for target in (CallState.CLOSED, CallState.IN_REVIEW, CallState.DECIDED, CallState.ARCHIVED):
        operations.move_call(coordinator, open_call, target)
        assert open_call.state == target
    assert open_call.accepting(NOW) is False


def test_closing_early_stops_applications_before_the_deadline(open_call, coordinator):
    """A call closed by hand accepts nothing, even before its planned deadline."""
    assert open_call.accepting(NOW)
    operations.move_call(coordinator, open_call, CallState.CLOSED)
    assert not open_call.accepting(NOW)


def test_a_closed_call_keeps_its_form_and_timeline(open_call, coordinator):
    """After closing, the form, eligibility and timeline are frozen (texts may still be fixed)."""
    operations.move_call(coordinator, open_call, CallState.CLOSED)
    with pytest.raises(ActionRefused) as refusal:
        operations.add_question(coordinator, open_call, {"type": "short_text", "label": "Late"})
    assert refusal.value.status == 409
    operations.update_translation(coordinator, open_call, "fr", {"title": "Lumière et code"})
    assert open_call.text("title", "fr") == "Lumière et code"
