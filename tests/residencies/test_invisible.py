"""A residency is invisible to whoever may not see it (an artist not in it, a coordinator of
another city, a participant of another residency, someone who left it, a festival programmer):
every residency route taking an id answers exactly as for an id that names nothing (404, same
page), for GET and for writes; visitors are sent to log in whatever the id. Inside a residency
one sees, a participant or session of another residency is answered as a missing one.

Those who see the residency but may not act (an artist on the coordinators' pages) get 403: see
the areas' own tests."""

from datetime import datetime, timedelta

import pytest

from residency.audit.models import AuditEntry
from residency.extensions import db
from residency.residencies import calendar, scheduling
from residency.residencies.models import CalendarFeed, Notice, Participant, Residency, Session
from tests.invisible import Route, assert_routes_listed, differences, to_login

SESSION_FORM = {"kind": "talk", "title": "Hijacked", "location": "", "description": ""}

#: The residency's own routes (and the participant's).
RESIDENCY_ROUTES = [
    Route("residencies.residency", ("GET",), ("residency_id",)),
    Route("residencies.edit", ("GET", "POST"), ("residency_id",),
          form={"title": "Hijacked", "timezone": "UTC", "starts_on": "2030-01-01", "ends_on": "2030-01-02"}),
    Route("residencies.archive", ("GET", "POST"), ("residency_id",)),
    Route("residencies.participants", ("GET", "POST"), ("residency_id",),
          form={"email": "intruder@example.org", "role": "coordinator"}),
    Route("residencies.leave", ("GET", "POST"), ("residency_id",)),
    Route("residencies.new_session", ("GET", "POST"), ("residency_id",), form=lambda: {
        **SESSION_FORM, "starts_at": "2030-01-01T10:00", "ends_at": "2030-01-01T11:00"}),
    Route("residencies.calendar_page", ("GET",), ("residency_id",)),
    Route("residencies.new_feed", ("POST",), ("residency_id",)),
    Route("residencies.revoke_feed", ("POST",), ("residency_id",)),
    Route("residencies.read_residency_notices", ("POST",), ("residency_id",)),
]

#: Routes of one participant of the residency.
PARTICIPANT_ROUTES = [
    Route("residencies.person", ("GET",), ("residency_id", "participant_id")),
    Route("residencies.change_role", ("POST",), ("residency_id", "participant_id"), form={"role": "coordinator"}),
    Route("residencies.remove", ("GET", "POST"), ("residency_id", "participant_id")),
]

#: Routes of one session of the residency.
SESSION_ROUTES = [
    Route("residencies.edit_session", ("GET", "POST"), ("residency_id", "session_id"), form=lambda: {
        **SESSION_FORM, "starts_at": "2030-01-01T10:00", "ends_at": "2030-01-01T11:00"}),
    Route("residencies.cancel_session", ("GET", "POST"), ("residency_id", "session_id")),
    Route("residencies.session_ics", ("GET",), ("residency_id", "session_id")),
]

ROUTES = RESIDENCY_ROUTES + PARTICIPANT_ROUTES + SESSION_ROUTES

EXEMPT = {
    "residencies.feed": "named by the participant's secret feed token: holding it is the authority; an unknown, "
                        "revoked or replaced token, or one of someone who left, is refused whatever exists "
                        "(tests/residencies/test_calendar.py)",
}

WHO = ["artist of no residency", "coordinator of another city", "participant of another residency",
       "former participant", "festival programmer"]


def _session(residency, coordinator, day_offset=1, title="Studio visit"):
    day = residency.starts_on + timedelta(days=day_offset)
    session, _notes = scheduling.schedule_session(
        coordinator, residency, "studio_visit", title, "", "", datetime(day.year, day.month, day.day, 10),
        datetime(day.year, day.month, day.day, 11))
    return session


@pytest.fixture
def existing(db, cohort, lyon_coordinator, join, make_user):
    """A Lyon residency with artists, a mentor, someone who left, a session, a notice and a feed."""
    residency = cohort["residency"]
    former = join(residency, make_user(email="former@example.org"))
    former.left_at = former.joined_at
    session = _session(residency, lyon_coordinator)
    mentor_participation = db.session.execute(db.select(Participant).where(
        Participant.user_id == cohort["mentor"].id)).scalar_one()
    calendar.new_feed(mentor_participation)
    db.session.commit()
    return {"residency_id": residency.id, "participant_id": mentor_participation.id, "session_id": session.id,
            "former": former.user}


@pytest.fixture
def people(make_user, make_residency, join, linz_coordinator, existing):
    other = make_residency(title="Another residency")
    elsewhere = join(other, make_user(email="elsewhere@example.org")).user
    return {
        "artist of no residency": make_user(email="artist@example.org"),
        "coordinator of another city": linz_coordinator,
        "participant of another residency": elsewhere,
        "former participant": existing["former"],
        "festival programmer": make_user(email="fest@example.org", roles=[("festival_programmer", "festival", 1)]),
    }


def snapshot():
    """What the refused requests could have changed."""
    db.session.expire_all()
    return {
        "audit": db.session.scalar(db.select(db.func.count(AuditEntry.id))),
        "residencies": sorted(db.session.execute(db.select(Residency.id, Residency.title, Residency.status,
                                                           Residency.ends_on)).tuples()),
        "participants": sorted(db.session.execute(db.select(Participant.id, Participant.role,
                                                            Participant.left_at)).tuples()),
        "sessions": sorted(db.session.execute(db.select(Session.id, Session.title, Session.sequence,
                                                        Session.cancelled_at)).tuples()),
        "feeds": sorted(db.session.execute(db.select(CalendarFeed.id, CalendarFeed.revoked_at)).tuples()),
        "notices": sorted(db.session.execute(db.select(Notice.id, Notice.read_at)).tuples()),
    }


def test_every_residency_route_taking_an_id_is_in_the_table(app):
    """A new route with an id fails here until it is added to the tables (or exempted, with a reason)."""
    assert_routes_listed(app, "residencies", ROUTES, EXEMPT)


@pytest.mark.parametrize("who", WHO)
def test_a_residency_one_may_not_see_is_answered_as_a_missing_one(app, client, login_as, people, existing, who):
    """Every route of the residency, its participants and sessions: 404 and the same page as for no
    such residency, participant or session."""
    login_as(people[who])
    assert differences(app, client, ROUTES, existing) == []


def test_visitors_are_sent_to_log_in_for_every_id(app, client, existing):
    """Not logged in: the login page for an existing id and for a missing one alike."""
    assert differences(app, client, ROUTES, existing, expected=to_login) == []


def test_nothing_changed(app, client, login_as, people, existing):
    """The refused writes changed nothing: no residency, participant, session, feed, notice or audit entry."""
    before = snapshot()
    for who in WHO:
        login_as(people[who])
        differences(app, client, ROUTES, existing)
    assert snapshot() == before


@pytest.fixture
def foreign(db, existing, make_residency, join, make_user, lyon_coordinator):
    """A participant and a session of another Lyon residency, named under the first one."""
    other = make_residency(title="Another residency")
    stranger = join(other, make_user(email="stranger@example.org"))
    session = _session(other, lyon_coordinator, title="Elsewhere")
    db.session.commit()
    return {**existing, "participant_id": stranger.id, "session_id": session.id}


@pytest.mark.parametrize("who", ["participant", "coordinator of the city"])
def test_a_participant_or_session_of_another_residency_is_a_missing_one(app, client, login_as, cohort,
                                                                         lyon_coordinator, foreign, who):
    """Under a residency one sees (and even runs), the ids of another residency's participant or
    session answer exactly as missing ones."""
    login_as(cohort["artists"][0] if who == "participant" else lyon_coordinator)
    routes = PARTICIPANT_ROUTES + SESSION_ROUTES if who != "participant" else [
        PARTICIPANT_ROUTES[0], SESSION_ROUTES[2]]
    assert differences(app, client, routes, foreign) == []


def test_a_former_participant_page_is_missing_for_the_others(app, client, login_as, cohort, existing):
    """Someone who left is no longer shown to the participants (their page answers 404, as a missing
    one); the coordinators still read it."""
    former = db.session.execute(db.select(Participant).where(Participant.user_id == existing["former"].id)).scalar_one()
    login_as(cohort["artists"][1])
    values = {**existing, "participant_id": former.id}
    assert differences(app, client, [PARTICIPANT_ROUTES[0]], values) == []

