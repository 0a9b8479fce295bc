"""Times are stored in UTC and shown in the viewer's timezone, across the cities' DST changeovers."""

from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from flask import g

from residency.accounts.sessions import start_session

PATTERN = "yyyy-MM-dd HH:mm:ss xxx"


@contextmanager
def viewing_as(app, user=None, cookies=None):
    """A request by ``user`` (or an anonymous visitor), yielding the ``datetime`` template filter."""
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in (cookies or {}).items())} if cookies else {}
    with app.test_request_context("/", headers=headers):
        g._get_current_object().__dict__.clear()  # the test's app context outlives the request
        if user is not None:
            start_session(user)  # logs this request in, as the login form does
        try:
            yield app.jinja_env.filters["datetime"]
        finally:
            g._get_current_object().__dict__.clear()


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def zoneinfo_shows(instant, zone):
    """What zoneinfo's rules give for ``instant`` in ``zone``, written as the filter's PATTERN."""
    text = instant.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S %z")
    return text[:-2] + ":" + text[-2:]


@pytest.mark.parametrize("zone, shown", [
    ("Europe/Lisbon", "2026-07-14 19:30:00 +01:00"),
    ("America/Toronto", "2026-07-14 14:30:00 -04:00"),
    ("Asia/Seoul", "2026-07-15 03:30:00 +09:00"),
    ("UTC", "2026-07-14 18:30:00 +00:00"),
])
def test_a_stored_utc_time_is_shown_in_the_viewers_timezone(app, make_user, zone, shown):
    """A stored UTC time is shown in the logged-in viewer's own timezone."""
    stored = utc(2026, 7, 14, 18, 30)
    user = make_user(timezone=zone)

    with viewing_as(app, user) as datetime_filter:
        assert datetime_filter(stored, PATTERN) == shown
    assert shown == zoneinfo_shows(stored, zone)


# (zone, UTC instant just before, shown then, UTC instant of the change, shown then)
CHANGEOVERS = [
    # Lyon, Enghien-les-Bains: summer time starts (02:00 → 03:00) and ends (03:00 → 02:00).
    ("Europe/Paris", utc(2026, 3, 29, 0, 59, 59), "2026-03-29 01:59:59 +01:00", "2026-03-29 03:00:00 +02:00"),
    ("Europe/Paris", utc(2026, 10, 25, 0, 59, 59), "2026-10-25 02:59:59 +02:00", "2026-10-25 02:00:00 +01:00"),
    # Braga: the same instants, an hour behind.
    ("Europe/Lisbon", utc(2026, 3, 29, 0, 59, 59), "2026-03-29 00:59:59 +00:00", "2026-03-29 02:00:00 +01:00"),
    ("Europe/Lisbon", utc(2026, 10, 25, 0, 59, 59), "2026-10-25 01:59:59 +01:00", "2026-10-25 01:00:00 +00:00"),
    # Toronto: summer time starts on the second Sunday of March.
    ("America/Toronto", utc(2026, 3, 8, 6, 59, 59), "2026-03-08 01:59:59 -05:00", "2026-03-08 03:00:00 -04:00"),
    ("America/Toronto", utc(2026, 11, 1, 5, 59, 59), "2026-11-01 01:59:59 -04:00", "2026-11-01 01:00:00 -05:00"),
    # Austin: summer time ends on the first Sunday of November.
    ("America/Chicago", utc(2026, 11, 1, 6, 59, 59), "2026-11-01 01:59:59 -05:00", "2026-11-01 01:00:00 -06:00"),
    ("America/Chicago", utc(2026, 3, 8, 7, 59, 59), "2026-03-08 01:59:59 -06:00", "2026-03-08 03:00:00 -05:00"),
]


@pytest.mark.parametrize("zone, before, shown_before, shown_after", CHANGEOVERS)
def test_times_around_a_dst_changeover_are_shown_right(app, make_user, zone, before, shown_before, shown_after):
    """One second apart in UTC, the local clock jumps (or falls back) by an hour at the changeover."""
    after = before + timedelta(seconds=1)
    user = make_user(timezone=zone)

    with viewing_as(app, user) as datetime_filter:
        assert datetime_filter(before, PATTERN) == shown_before
        assert datetime_filter(after, PATTERN) == shown_after
    # The expectations agree with zoneinfo's rules for the zone.
    for instant, shown in ((before, shown_before), (after, shown_after)):
        assert zoneinfo_shows(instant, zone) == shown


@pytest.mark.parametrize("zone, offset", [("Asia/Seoul", "+09:00"), ("America/Bogota", "-05:00")])
def test_zones_without_dst_keep_their_offset_at_the_european_and_american_changeovers(app, make_user, zone, offset):
    """Gwangju, Bogotá: no summer time, so the offset is the same all year, even on changeover days."""
    user = make_user(timezone=zone)
    hours = int(offset[:3])
    instants = [utc(2026, 3, 8, 7), utc(2026, 3, 29, 1), utc(2026, 7, 1, 12), utc(2026, 10, 25, 1), utc(2026, 11, 1, 7)]

    with viewing_as(app, user) as datetime_filter:
        for instant in instants:
            local = (instant + timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M:%S")
            assert datetime_filter(instant, PATTERN) == f"{local} {offset}"


def test_a_visitor_sees_the_timezone_their_browser_reported_else_utc(app):
    """Without an account, times follow the browser's reported timezone (the tz cookie), else UTC."""
    stored = utc(2026, 3, 29, 1, 0, 0)

    with viewing_as(app, cookies={"tz": "America/Bogota"}) as datetime_filter:
        assert datetime_filter(stored, PATTERN) == "2026-03-28 20:00:00 -05:00"
    with viewing_as(app, cookies={"tz": "Not/AZone"}) as datetime_filter:
        assert datetime_filter(stored, PATTERN) == "2026-03-29 01:00:00 +00:00"
    with viewing_as(app) as datetime_filter:
        assert datetime_filter(stored, PATTERN) == "2026-03-29 01:00:00 +00:00"
        assert datetime_filter(None) == ""


def test_the_accounts_timezone_wins_over_the_browsers(app, make_user):
    """A logged-in user's own timezone setting wins over the timezone their browser reports."""
    user = make_user(timezone="Asia/Seoul")

    with viewing_as(app, user, cookies={"tz": "America/Toronto"}) as datetime_filter:
        assert datetime_filter(utc(2026, 3, 8, 7), PATTERN) == "2026-03-08 16:00:00 +09:00"


def test_a_page_shows_a_stored_time_in_the_viewers_timezone_and_language(client, make_user, login_as):
    """The account page shows "member since" in the viewer's timezone and language."""
    user = make_user(timezone="America/Toronto", locale="fr", created_at=utc(2026, 3, 8, 7, 0, 0))
    login_as(user)

    html = client.get("/account").get_data(as_text=True)

    assert "8 mars 2026, 03:00:00" in html
    assert 'datetime="2026-03-08T07:00:00+00:00"' in html
