"""Creating, editing and archiving residencies: a coordinator of the city does it over the pages;
anyone else is refused, and bad input (dates, timezone, title) is refused with a message and
changes nothing."""

from datetime import timedelta

import pytest
from babel.dates import format_date

from residency.audit.models import AuditEntry
from residency.extensions import db
from residency.residencies.models import Residency, ResidencyStatus
from tests.residencies.conftest import local_form, next_monday, reload


def count_residencies():
    return db.session.scalar(db.select(db.func.count(Residency.id)))


def form(in_city, **overrides):
    first = next_monday()
    data = {"city": str(in_city.id), "title": "Lumières numériques", "description": "Week 1: visits.\nWeek 2: talks.",
            "timezone": "Europe/Paris", "starts_on": first.isoformat(),
            "ends_on": (first + timedelta(days=27)).isoformat()}
    data.update(overrides)
    return data


def test_a_coordinator_creates_a_residency_by_hand(client, login_as, lyon_coordinator, city):
    """The form creates an active residency of the city (audited) and leads to adding people."""
    login_as(lyon_coordinator)
    page = client.get("/residencies/new")
    assert page.status_code == 200
    assert '<option selected value="Europe/Paris">' in page.get_data(as_text=True)  # the city's zone first
    response = client.post_form("/residencies/new", form(city))
    assert response.status_code == 302
    residency = db.session.execute(db.select(Residency)).scalar_one()
    assert response.headers["Location"] == f"/residencies/{residency.id}/participants"
    assert (residency.city_id, residency.timezone, residency.status) == (city.id, "Europe/Paris", "active")
    assert residency.ends_on - residency.starts_on == timedelta(days=27)
    assert db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "residency.created")).scalar_one()
    page = client.get(f"/residencies/{residency.id}").get_data(as_text=True)
    assert "Week 1: visits.<br>Week 2: talks." in page
    assert f"{format_date(residency.starts_on, 'long', locale='en')} – {format_date(residency.ends_on, 'long', locale='en')}" \
        in page


def test_network_coordinators_and_admins_create_in_any_city(client, login_as, make_user, other_city):
    for roles in ([("city_coordinator", "network", 0)], [("network_admin", "network", 0)]):
        login_as(make_user(roles=roles))
        assert client.post_form("/residencies/new", form(other_city, title=f"In Linz {roles[0][0]}")).status_code == 302
    assert count_residencies() == 2


def test_a_coordinator_of_another_city_cannot_create_one_in_lyon(client, login_as, linz_coordinator, city):
    """The city list holds only their cities; posting Lyon anyway is refused and creates nothing."""
    login_as(linz_coordinator)
    page = client.get("/residencies/new").get_data(as_text=True)
    assert ">Linz<" in page and ">Lyon<" not in page
    response = client.post_form("/residencies/new", form(city))
    assert response.status_code == 400
    assert "Choose one of the cities you coordinate." in response.get_data(as_text=True)
    assert count_residencies() == 0


def test_artists_are_not_offered_creation(client, login_as, make_user, city):
    login_as(make_user())
    assert client.get("/residencies/new").status_code == 403
    assert client.post_form("/residencies/new", form(city)).status_code == 403
    assert "/residencies/new" not in client.get("/residencies/").get_data(as_text=True)
    assert count_residencies() == 0


@pytest.mark.parametrize("overrides, message", [
    ({"ends_on": (next_monday() - timedelta(days=1)).isoformat()}, "The last day cannot come before the first day."),
    ({"ends_on": (next_monday() + timedelta(days=600)).isoformat()}, "A residency lasts at most 550 days."),
    ({"starts_on": "2090-01-01", "ends_on": "2090-01-05"}, "years away: check the year"),
    ({"starts_on": "31/12/2026"}, "Enter a date in the form 2027-03-01."),
    ({"timezone": "Mars/Olympus_Mons"}, "Choose a timezone from the list"),
    ({"timezone": "Europe/Paris<script>"}, "Choose a timezone from the list"),
    ({"timezone": ""}, "Choose a timezone."),
    ({"title": "   "}, "Give the residency a title."),
    ({"title": "x" * 201}, "Field cannot be longer than 200 characters."),
    ({"city": "not-a-number"}, "Invalid Choice"),
    ({"city": "99999"}, "Choose one of the cities you coordinate."),
])
def test_bad_input_is_refused_and_creates_nothing(client, login_as, lyon_coordinator, city, overrides, message):
    login_as(lyon_coordinator)
    response = client.post_form("/residencies/new", form(city, **overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count_residencies() == 0


def test_editing_keeps_sessions_inside_the_dates(client, login_as, lyon_coordinator, residency):
    """New dates that would leave a scheduled session outside are refused until it is moved."""
    login_as(lyon_coordinator)
    day = residency.starts_on + timedelta(days=20)
    assert client.post_form(f"/residencies/{residency.id}/sessions/new", {
        "kind": "critique", "title": "Late critique", "starts_at": local_form(day, 10),
        "ends_at": local_form(day, 12)}).status_code == 302
    shorter = {"title": "Shorter", "description": "", "timezone": "Europe/Paris",
               "starts_on": residency.starts_on.isoformat(),
               "ends_on": (residency.starts_on + timedelta(days=13)).isoformat()}
    response = client.post_form(f"/residencies/{residency.id}/edit", shorter)
    assert response.status_code == 400
    assert "The session “Late critique” would fall outside these dates" in response.get_data(as_text=True)
    assert reload(Residency, residency.id).title == "Lumières numériques"
    shorter["ends_on"] = (residency.starts_on + timedelta(days=20)).isoformat()
    assert client.post_form(f"/residencies/{residency.id}/edit", shorter).status_code == 302
    assert reload(Residency, residency.id).title == "Shorter"


def test_a_timezone_change_that_moves_a_session_out_is_refused(client, login_as, lyon_coordinator, make_residency):
    """A session late on the last day in Paris falls on the next day in Tokyo: refused."""
    residency = make_residency(ends_on=next_monday() + timedelta(days=6))
    login_as(lyon_coordinator)
    last = residency.ends_on
    assert client.post_form(f"/residencies/{residency.id}/sessions/new", {
        "kind": "talk", "title": "Closing", "starts_at": local_form(last, 20),
        "ends_at": local_form(last, 21)}).status_code == 302
    response = client.post_form(f"/residencies/{residency.id}/edit", {
        "title": residency.title, "description": "", "timezone": "Asia/Tokyo",
        "starts_on": residency.starts_on.isoformat(), "ends_on": last.isoformat()})
    assert response.status_code == 400
    assert reload(Residency, residency.id).timezone == "Europe/Paris"


def test_participants_may_not_edit_or_archive(client, login_as, cohort):
    """An artist sees the residency but its coordinators' pages answer 403."""
    residency = cohort["residency"]
    login_as(cohort["artists"][0])
    for path in ("edit", "archive", "participants"):
        assert client.get(f"/residencies/{residency.id}/{path}").status_code == 403
    assert client.post_form(f"/residencies/{residency.id}/archive").status_code == 403
    assert reload(Residency, residency.id).status == ResidencyStatus.ACTIVE


def test_an_archived_residency_is_read_only(client, login_as, lyon_coordinator, cohort):
    residency = cohort["residency"]
    login_as(lyon_coordinator)
    assert client.post_form(f"/residencies/{residency.id}/archive").status_code == 302
    assert reload(Residency, residency.id).status == ResidencyStatus.ARCHIVED
    page = client.get(f"/residencies/{residency.id}").get_data(as_text=True)
    assert "Archived" in page and "Schedule a session" not in page
    day = residency.starts_on
    assert client.post_form(f"/residencies/{residency.id}/sessions/new", {
        "kind": "talk", "title": "Too late", "starts_at": local_form(day, 10),
        "ends_at": local_form(day, 11)}).status_code == 403
    response = client.post_form(f"/residencies/{residency.id}/participants", {"email": "new@example.org",
                                                                                "role": "artist"})
    assert response.status_code == 409
    assert "archived" in response.get_data(as_text=True)
    assert client.post_form(f"/residencies/{residency.id}/edit", {
        "title": "Changed", "description": "", "timezone": "UTC", "starts_on": day.isoformat(),
        "ends_on": day.isoformat()}).status_code == 409
    assert reload(Residency, residency.id).title == "Lumières numériques"


def test_the_list_shows_ones_residencies(client, login_as, cohort, make_residency, lyon_coordinator, linz_coordinator):
    """Participants see the residencies they are in; coordinators also those of their cities; a
    coordinator of another city sees none of Lyon's."""
    other = make_residency(title="Second Lyon residency")
    login_as(cohort["artists"][0])
    page = client.get("/residencies/").get_data(as_text=True)
    assert "Lumières numériques" in page and "Second Lyon residency" not in page
    login_as(lyon_coordinator)
    page = client.get("/residencies/").get_data(as_text=True)
    assert "Lumières numériques" in page and other.title in page
    login_as(linz_coordinator)
    page = client.get("/residencies/").get_data(as_text=True)
    assert "Lumières numériques" not in page and "No other residency in your cities." in page


def test_the_menu_offers_residencies_to_participants_and_coordinators(client, login_as, cohort, make_user):
    login_as(cohort["artists"][1])
    assert 'href="/residencies/"' in client.get("/").get_data(as_text=True)
    login_as(make_user())
    assert 'href="/residencies/"' not in client.get("/").get_data(as_text=True)
    assert client.get("/residencies/").status_code == 200  # an empty list, not an error


def test_visitors_are_sent_to_log_in(client):
    assert client.get("/residencies/").status_code == 302
    assert client.get("/residencies/new").headers["Location"].startswith("/login")

