"""Calendars: an .ics per session (for participants and the city's coordinators), and each
participant's feed at a secret address they can replace or revoke; a revoked, replaced, unknown or
malformed address, or one of someone who left, answers 404 like any missing page."""

import re
from datetime import datetime, timedelta

from icalendar import Calendar

from residency.extensions import db
from residency.residencies import scheduling
from residency.residencies.models import CalendarFeed, Participant


def schedule(residency, actor, day_offset=1, hour=18, title="Opening talk"):
    day = residency.starts_on + timedelta(days=day_offset)
    session, _ = scheduling.schedule_session(actor, residency, "talk", title, "Ten minutes each", "Online",
                                             datetime(day.year, day.month, day.day, hour),
                                             datetime(day.year, day.month, day.day, hour + 1))
    db.session.commit()
    return session


def feed_address(client, residency):
    """Make a feed address through the page and return its path."""
    page = client.post_form(f"/residencies/{residency.id}/calendar/new").get_data(as_text=True)
    match = re.search(r'value="https?://[^/"]+(/residencies/calendar/[^"]+\.ics)"', page)
    assert match, page
    return match.group(1)


def events(response):
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data).walk("VEVENT")


def test_a_session_downloads_as_an_ics_in_the_residency_timezone(client, login_as, cohort, lyon_coordinator):
    residency = cohort["residency"]
    session = schedule(residency, lyon_coordinator)
    login_as(cohort["artists"][1])
    response = client.get(f"/residencies/{residency.id}/sessions/{session.id}.ics")
    assert response.headers["Content-Disposition"].startswith("attachment")
    (event,) = events(response)
    start = event.decoded("dtstart")
    assert start == session.starts_at and str(start.tzinfo) == "Europe/Paris" and start.hour == 18
    assert event["summary"] == "Talk: Opening talk" and event["location"] == "Online"
    assert int(event["sequence"]) == 0 and event["status"] == "CONFIRMED"
    assert b"BEGIN:VTIMEZONE" in response.data and b"TZID:Europe/Paris" in response.data


def test_a_participant_subscribes_to_every_session_without_logging_in(app, client, login_as, cohort,
                                                                     lyon_coordinator):
    residency = cohort["residency"]
    schedule(residency, lyon_coordinator)
    cancelled = schedule(residency, lyon_coordinator, day_offset=2, title="Cancelled critique")
    scheduling.cancel_session(lyon_coordinator, cancelled)
    db.session.commit()
    login_as(cohort["artists"][0])
    path = feed_address(client, residency)
    stored = db.session.execute(db.select(CalendarFeed)).scalar_one()
    assert path.split("/")[-1].removesuffix(".ics") not in stored.token_hash  # only its hash is kept
    calendar_program = app.test_client()  # no login session, no cookie
    found = {str(e["summary"]): e for e in events(calendar_program.get(path))}
    # Written in Ana's language (French): "Conférence : …"
    assert {summary.split(":", 1)[0].strip() for summary in found} == {"Conférence"}
    found = {summary.split(":", 1)[1].strip(): event for summary, event in found.items()}
    assert set(found) == {"Opening talk", "Cancelled critique"}
    assert found["Cancelled critique"]["status"] == "CANCELLED"
    assert int(found["Cancelled critique"]["sequence"]) == 1


def test_a_new_address_replaces_the_old_and_revoking_stops_it(client, login_as, cohort):
    residency = cohort["residency"]
    login_as(cohort["artists"][0])
    first = feed_address(client, residency)
    second = feed_address(client, residency)
    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    page = client.get(f"/residencies/{residency.id}/calendar").get_data(as_text=True)
    assert second not in page  # shown once, never again
    assert client.post_form(f"/residencies/{residency.id}/calendar/revoke").status_code == 302
    assert client.get(second).status_code == 404
    assert client.get(second).get_data() == client.get("/residencies/calendar/no-such-token.ics").get_data()


def test_someone_who_leaves_loses_the_feed(client, login_as, cohort, lyon_coordinator):
    residency = cohort["residency"]
    login_as(cohort["artists"][3])
    path = feed_address(client, residency)
    participant = db.session.execute(db.select(Participant).where(
        Participant.user_id == cohort["artists"][3].id)).scalar_one()
    login_as(lyon_coordinator)
    client.post_form(f"/residencies/{residency.id}/participants/{participant.id}/remove")
    assert client.get(path).status_code == 404


def test_malformed_addresses_are_missing_pages(client):
    for token in ("x" * 200, "%00", "é", "-" * 43, "'; DROP TABLE residencies; --"):
        assert client.get(f"/residencies/calendar/{token}.ics").status_code == 404


def test_only_participants_have_a_feed(client, login_as, lyon_coordinator, cohort):
    """The city's coordinator sees the residency but, not being in it, has no feed page."""
    login_as(lyon_coordinator)
    residency = cohort["residency"]
    assert client.get(f"/residencies/{residency.id}").status_code == 200
    assert client.get(f"/residencies/{residency.id}/calendar").status_code == 404
    assert client.post_form(f"/residencies/{residency.id}/calendar/new").status_code == 404


def test_feed_requests_without_a_valid_form_are_refused(client, login_as, cohort):
    residency = cohort["residency"]
    login_as(cohort["artists"][0])
    assert client.post(f"/residencies/{residency.id}/calendar/new", data={}).status_code == 400  # no CSRF token
    assert db.session.scalar(db.select(db.func.count(CalendarFeed.id))) == 0

