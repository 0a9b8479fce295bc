"""The demo residency (four artists from four cities, a mentor, the demo coordinator, a talk next
week), which timezone each person sees sessions in, and the notices page."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from residency.accounts.demo import DEMO_PASSWORD, load_demo_accounts
from residency.core.types import utcnow
from residency.extensions import db
from residency.residencies import scheduling
from residency.residencies.demo import load_demo_residency
from residency.residencies.models import Notice, Participant, Residency, Session
from residency.residencies.zones import zone_of
from tests.residencies.conftest import local_form


def test_the_demo_residency_loads_once(app, client):
    load_demo_accounts()
    lines = load_demo_residency()
    db.session.commit()
    residency = db.session.execute(db.select(Residency)).scalar_one()
    people = db.session.execute(db.select(Participant).where(Participant.residency_id == residency.id)).scalars().all()
    artists = [p.user for p in people if p.role == "artist"]
    assert len(artists) == 4 and len({a.city_id for a in artists}) == 4 and None not in {a.city_id for a in artists}
    assert {p.role for p in people} == {"artist", "mentor", "coordinator"}
    (session,) = db.session.execute(db.select(Session)).scalars().all()
    paris = session.starts_at.astimezone(ZoneInfo("Europe/Paris"))
    assert paris.hour == 18 and paris.date() == (utcnow().astimezone(ZoneInfo("Europe/Paris")) + timedelta(days=7)).date()
    assert any("coordinator@demo.example.org" in line for line in lines)
    assert db.session.scalar(db.select(db.func.count(Notice.id))) == 0  # the demo tells nobody
    load_demo_residency()
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(Participant.id))) == len(people)
    assert db.session.scalar(db.select(db.func.count(Session.id))) == 1
    response = client.post_form("/login", {"email": "artist@demo.example.org", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    page = client.get(f"/residencies/{residency.id}").get_data(as_text=True)
    assert "Light and the city: opening talk" in page and "Kwame Mensah" in page


def test_sessions_are_shown_in_the_accounts_zone_else_the_citys(make_user, cities):
    assert zone_of(make_user(timezone="Asia/Seoul", city_id=cities["lyon"].id)) == "Asia/Seoul"
    assert zone_of(make_user(timezone="Not/AZone", city_id=cities["toronto"].id)) == "America/Toronto"
    assert zone_of(make_user(timezone="Not/AZone")) == "UTC"


def test_the_notices_page_lists_and_clears_notices(client, login_as, lyon_coordinator, cohort):
    residency = cohort["residency"]
    day = residency.starts_on + timedelta(days=3)
    session, _ = scheduling.schedule_session(lyon_coordinator, residency, "critique", "Work in progress", "", "",
                                             datetime(day.year, day.month, day.day, 15),
                                             datetime(day.year, day.month, day.day, 17))
    scheduling.cancel_session(lyon_coordinator, session)
    db.session.commit()
    login_as(cohort["mentor"])
    page = client.get("/residencies/notices").get_data(as_text=True)
    assert "New session: Work in progress" in page and "Session cancelled: Work in progress" in page
    assert "Residencies (2 new)" in page
    assert client.post_form("/residencies/notices/read").status_code == 302
    page = client.get("/residencies/notices").get_data(as_text=True)
    assert "Residencies (2 new)" not in page and "New:" not in page
    assert db.session.scalar(db.select(db.func.count(Notice.id)).where(
        Notice.user_id == cohort["mentor"].id, Notice.read_at.is_(None))) == 0
    assert client.post("/residencies/notices/read", data={}).status_code == 400  # no CSRF token


def test_notices_of_a_residency_one_left_are_not_shown(client, login_as, lyon_coordinator, cohort):
    residency = cohort["residency"]
    day = residency.starts_on + timedelta(days=1)
    login_as(lyon_coordinator)
    client.post_form(f"/residencies/{residency.id}/sessions/new", {
        "kind": "talk", "title": "Secret plans", "starts_at": local_form(day, 9), "ends_at": local_form(day, 10)})
    ana = cohort["artists"][0]
    participant = db.session.execute(db.select(Participant).where(Participant.user_id == ana.id)).scalar_one()
    client.post_form(f"/residencies/{residency.id}/participants/{participant.id}/remove")
    login_as(ana)
    page = client.get("/residencies/notices").get_data(as_text=True)
    assert "Secret plans" not in page and "Residencies (1 new)" not in page
