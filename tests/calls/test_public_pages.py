"""The public side: the list with filters, each call's page in the viewer's language and zones, the
countdown as an enhancement, and no script or markup from a call's texts."""

import re
from datetime import timedelta

import pytest

from residency.calls import operations
from tests.calls.conftest import NOW, details


@pytest.fixture
def calls(db, make_call, network_coordinator, linz_coordinator, other_city):
    """Lyon: open (closes in 10 days, sound) and upcoming; Linz: open (closes in 20 days, games);
    network-wide for every city: open (closes in 5 days); a Lyon draft."""
    made = {
        "lyon_open": make_call(title="Lyon open", disciplines=["sound"], opens=NOW - timedelta(days=1),
                               closes=NOW + timedelta(days=10), publish=True),
        "lyon_upcoming": make_call(title="Lyon upcoming", opens=NOW + timedelta(days=3),
                                   closes=NOW + timedelta(days=30), publish=True),
        "linz_open": make_call(title="Linz open", owner=other_city, actor=linz_coordinator, disciplines=["games"],
                               opens=NOW - timedelta(days=1), closes=NOW + timedelta(days=20), publish=True),
        "network_open": make_call(title="Network open", owner=None, actor=network_coordinator,
                                  opens=NOW - timedelta(days=1), closes=NOW + timedelta(days=5), publish=True),
        "lyon_draft": make_call(title="Lyon draft"),
    }
    return made


def titles(html):
    return re.findall(r'<h3 id="call-\d+-title"><a href="[^"]+"><span>([^<]+)</span>', html)


def test_the_list_shows_published_calls_grouped_and_never_drafts(client, calls):
    html = client.get("/calls/").get_data(as_text=True)
    assert titles(html) == ["Network open", "Lyon open", "Linz open", "Lyon upcoming"]
    assert "Lyon draft" not in html
    assert html.index('id="calls-open"') < html.index('id="calls-upcoming"')


@pytest.mark.parametrize("query, expected", [
    ("city=lyon", ["Network open", "Lyon open", "Lyon upcoming"]),
    ("city=linz", ["Network open", "Linz open"]),
    ("discipline=games", ["Linz open"]),
    ("status=open", ["Network open", "Lyon open", "Linz open"]),
    ("status=closing_soon", ["Network open", "Lyon open"]),
    ("city=lyon&discipline=sound&status=open", ["Lyon open"]),
    ("city=atlantis&discipline=knitting&status=whatever", ["Network open", "Lyon open", "Linz open", "Lyon upcoming"]),
])
def test_the_list_filters_by_city_discipline_open_now_and_closing_soon(client, calls, query, expected):
    """Closing soon means open and closing within 14 days; unknown filter values are ignored."""
    assert titles(client.get(f"/calls/?{query}").get_data(as_text=True)) == expected


def test_the_list_shows_each_deadline_in_the_viewer_zone_and_the_call_zone(client, calls):
    client.set_cookie("tz", "America/Bogota")
    html = client.get("/calls/?city=linz&discipline=games").get_data(as_text=True)
    closes = calls["linz_open"].closes_at
    assert f'<time datetime="{closes.isoformat()}">' in html
    assert "America/Bogota, UTC-05:00" in html and "Europe/Vienna, UTC+0" in html


def test_the_call_page_is_in_the_viewer_language_with_fallback_marked(db, client, calls, coordinator):
    """French visitor: translated title in French; untranslated summary in English, marked lang="en"."""
    call = calls["lyon_open"]
    operations.update_translation(coordinator, call, "fr", {"title": "Lyon ouvert"})
    db.session.commit()
    client.set_cookie("lang", "fr")
    html = client.get(f"/calls/{call.slug}").get_data(as_text=True)
    assert '<html lang="fr"' in html
    assert '<h1 id="call-title"><span>Lyon ouvert</span></h1>' in html
    assert '<p class="lead" lang="en">A residency about light.</p>' in html


def test_the_call_page_shows_the_deadline_in_full_in_both_zones_and_a_countdown_enhancement(client, calls):
    """Without JavaScript the full date is there; countdown.js is a separate file (no inline script)."""
    client.set_cookie("tz", "Asia/Seoul")
    call = calls["lyon_open"]
    html = client.get(f"/calls/{call.slug}").get_data(as_text=True)
    assert f'<time datetime="{call.closes_at.isoformat()}">' in html
    assert "Asia/Seoul, UTC+09:00" in html and "the call's time, Europe/Paris" in html
    assert f'data-countdown="{call.closes_at.isoformat()}"' in html and "hidden" in html.split("data-countdown")[0][-200:]
    assert '<script src="/static/js/countdown.js" defer></script>' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert f'href="/calls/{call.slug}/deadlines.ics"' in html


def test_an_upcoming_call_counts_down_to_its_opening(client, calls):
    call = calls["lyon_upcoming"]
    html = client.get(f"/calls/{call.slug}").get_data(as_text=True)
    assert f'data-countdown="{call.opens_at.isoformat()}"' in html and "Upcoming" in html


def test_a_closed_call_has_no_countdown(db, client, calls, coordinator):
    call = calls["lyon_open"]
    operations.move_call(coordinator, call, "closed")
    db.session.commit()
    html = client.get(f"/calls/{call.slug}").get_data(as_text=True)
    assert "data-countdown" not in html and "Closed" in html


def test_the_call_page_lists_eligibility_and_announced_changes(db, client, calls, coordinator, other_city):
    call = calls["lyon_open"]
    operations.add_condition(coordinator, calls["lyon_upcoming"], {"label": "Do you live in Lyon?", "required_answer": "yes"})
    operations.update_details(coordinator, calls["lyon_upcoming"], details(title="Lyon upcoming", countries=["FR", "SN"]))
    operations.update_translation(coordinator, call, "fr", {"title": "Lyon ouvert"})
    db.session.commit()
    html = client.get(f"/calls/{calls['lyon_upcoming'].slug}").get_data(as_text=True)
    assert "France, Senegal" in html and "Do you live in Lyon?" in html
    html = client.get(f"/calls/{call.slug}").get_data(as_text=True)
    assert "Changes since the call opened" in html and "The texts of the call were edited." in html


def test_texts_with_markup_are_escaped_on_the_public_pages(db, client, make_call):
    """A title or summary holding HTML shows as text, never as markup or script."""
    call = make_call(title='<script>alert("x")</script>', summary='<img src=x onerror=alert(1)>',
                     opens=NOW - timedelta(days=1), closes=NOW + timedelta(days=3), publish=True)
    for url in ("/calls/", f"/calls/{call.slug}"):
        html = client.get(url).get_data(as_text=True)
        assert '<script>alert("x")</script>' not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
