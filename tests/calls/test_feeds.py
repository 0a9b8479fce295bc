"""The Atom feed (RFC 4287) and the iCalendar deadlines (RFC 5545) of published calls."""

from datetime import datetime, timedelta, timezone
from xml.etree import ElementTree as ET

import icalendar
import pytest

from tests.calls.conftest import NOW

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture
def published(make_call):
    return make_call(title='Light, code; and <b>"sound"</b> & more', summary="Résumé: a residency\nabout light.",
                     opens=NOW - timedelta(days=1), closes=NOW + timedelta(days=10), publish=True,
                     disciplines=["sound", "film"])


@pytest.fixture
def host(app):
    """The host name of BASE_URL, which ends every UID."""
    from urllib.parse import urlsplit

    return urlsplit(app.config["BASE_URL"]).hostname


@pytest.fixture
def draft(make_call):
    return make_call(title="Secret draft", opens=NOW + timedelta(days=1), closes=NOW + timedelta(days=10))


def test_the_atom_feed_is_valid_and_lists_published_calls_only(app, client, published, draft):
    """id, title, updated, link and author on the feed and each entry; markup in titles stays text."""
    base = app.config["BASE_URL"]
    response = client.get("/calls/feed.atom")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert response.data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{tag}") is not None, tag
    assert feed.find(f"{ATOM}id").text == f"{base}/calls/"
    assert {link.get("rel") for link in feed.findall(f"{ATOM}link")} == {"self", "alternate"}
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 1
    entry = entries[0]
    assert entry.find(f"{ATOM}id").text == f"{base}/calls/{published.slug}"
    assert entry.find(f"{ATOM}title").text == 'Light, code; and <b>"sound"</b> & more'
    assert entry.find(f"{ATOM}title").get(XML_LANG) == "en"
    assert entry.find(f"{ATOM}link").get("href") == f"{base}/calls/{published.slug}"
    assert entry.find(f"{ATOM}author/{ATOM}name").text == "Lyon"
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == ["sound", "film"]
    updated = entry.find(f"{ATOM}updated").text
    assert datetime.strptime(updated, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc) <= datetime.now(timezone.utc)
    assert "Deadline:" in entry.find(f"{ATOM}summary").text
    assert b"<b>" not in response.data and b"&lt;b&gt;" in response.data


def test_script_in_a_title_is_escaped_in_the_feed(client, make_call):
    make_call(title="<script>alert(1)</script>", opens=NOW - timedelta(days=1), closes=NOW + timedelta(days=2), publish=True)
    body = client.get("/calls/feed.atom").data
    assert b"<script>" not in body and b"&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert ET.fromstring(body).find(f"{ATOM}entry/{ATOM}title").text == "<script>alert(1)</script>"


def test_an_empty_feed_is_still_valid(client):
    feed = ET.fromstring(client.get("/calls/feed.atom").data)
    assert feed.find(f"{ATOM}updated").text.endswith("Z") and feed.findall(f"{ATOM}entry") == []


def raw_lines(data):
    """The physical lines of an iCalendar file: CRLF-separated."""
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    return data.split(b"\r\n")[:-1]


def test_a_call_ics_has_the_opening_and_the_deadline_in_utc_with_stable_uids(client, published, host):
    response = client.get(f"/calls/{published.slug}/deadlines.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    lines = raw_lines(response.data)
    assert all(len(line) <= 75 for line in lines), max(lines, key=len)
    assert lines[0] == b"BEGIN:VCALENDAR" and b"VERSION:2.0" in lines
    calendar = icalendar.Calendar.from_ical(response.data)
    events = calendar.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [f"call-{published.id}-opens@{host}", f"call-{published.id}-closes@{host}"]
    assert [e.decoded("DTSTART") for e in events] == [published.opens_at, published.closes_at]
    assert f"DTSTART:{published.closes_at:%Y%m%dT%H%M%S}Z".encode() in lines
    assert all(b"DTSTAMP:" in response.data and e.decoded("DTSTAMP").tzinfo is not None for e in events)
    assert str(events[1]["SUMMARY"]) == 'Deadline: Light, code; and <b>"sound"</b> & more'
    unfolded = response.data.replace(b"\r\n ", b"")
    assert b"SUMMARY:Deadline: Light\\, code\\; and" in unfolded
    assert b"X-WR-CALNAME:Light\\, code\\; and" in unfolded
    assert client.get(f"/calls/{published.slug}/deadlines.ics").data == response.data  # stable between requests


def test_long_non_ascii_lines_are_folded_at_75_octets(client, make_call):
    """A long title in Korean (3 bytes a character) is folded without splitting a character."""
    call = make_call(title="미디어 아트 " * 25, opens=NOW - timedelta(days=1), closes=NOW + timedelta(days=2), publish=True)
    data = client.get(f"/calls/{call.slug}/deadlines.ics").data
    lines = raw_lines(data)
    assert all(len(line) <= 75 for line in lines)
    assert all(line.decode("utf-8") for line in lines)  # each physical line is valid UTF-8 by itself
    summary = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]["SUMMARY"]
    assert str(summary) == "Call opens: " + ("미디어 아트 " * 25).strip()


def test_the_ics_of_all_calls_holds_every_published_call_and_no_draft(client, published, draft, make_call, host):
    other = make_call(title="Upcoming", opens=NOW + timedelta(days=5), closes=NOW + timedelta(days=9), publish=True)
    calendar = icalendar.Calendar.from_ical(client.get("/calls/deadlines.ics").data)
    uids = {str(e["UID"]) for e in calendar.walk("VEVENT")}
    assert uids == {f"call-{c.id}-{kind}@{host}" for c in (published, other) for kind in ("opens", "closes")}
    assert client.get(f"/calls/{draft.slug}/deadlines.ics").status_code == 404
