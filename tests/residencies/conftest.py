"""Fixtures of the residencies tests: a Lyon residency (Europe/Paris, four weeks from next Monday)
with its city's coordinator, artists of other cities and a mentor; sessions made through the
operations, as the pages make them."""

from datetime import date, datetime, timedelta

import pytest

from residency.extensions import db as _db
from residency.residencies import operations
from residency.residencies.models import Participant, ParticipantRole


def next_monday(today=None):
    today = today or date.today()
    return today + timedelta(days=7 - today.weekday())


@pytest.fixture
def lyon_coordinator(make_user, city):
    return make_user(email="camille@lyon.example.org", name="Camille Coordinator",
                     roles=[("city_coordinator", "city", city.id)], city_id=city.id, timezone="Europe/Paris")


@pytest.fixture
def linz_coordinator(make_user, other_city):
    return make_user(email="lena@linz.example.org", name="Lena Linz",
                     roles=[("city_coordinator", "city", other_city.id)], city_id=other_city.id)


@pytest.fixture
def cities(app):
    from residency.cities.models import City

    return {city.slug: city for city in _db.session.execute(_db.select(City)).scalars()}


@pytest.fixture
def make_residency(app, city, lyon_coordinator):
    """``make_residency(**fields)``: a committed active Lyon residency with nobody in it."""

    def make(**fields):
        starts_on = fields.pop("starts_on", next_monday())
        residency = operations.create_residency(
            lyon_coordinator, fields.pop("city", city), fields.pop("title", "Lumières numériques"),
            fields.pop("description", "Week 1: studio visits.\nWeek 2: talks."),
            fields.pop("timezone", "Europe/Paris"), starts_on, fields.pop("ends_on", starts_on + timedelta(days=27)))
        _db.session.commit()
        return residency

    return make


@pytest.fixture
def residency(make_residency):
    return make_residency()


@pytest.fixture
def join(app):
    """``join(residency, user, role="artist")``: a committed active participant (no notice, no e-mail)."""

    def make(residency, user, role=ParticipantRole.ARTIST):
        participant = Participant(residency_id=residency.id, user_id=user.id, role=role)
        _db.session.add(participant)
        _db.session.commit()
        return participant

    return make


@pytest.fixture
def artists(make_user, cities):
    """Four artists of four cities, each in their own timezone; Ana reads French."""
    return [
        make_user(email="ana@example.org", name="Ana Artist", city_id=cities["cali"].id, locale="fr",
                  timezone="America/Bogota"),
        make_user(email="kwame@example.org", name="Kwame Mensah", city_id=cities["toronto"].id,
                  timezone="America/Toronto"),
        make_user(email="sofia@example.org", name="Sofia Lima", city_id=cities["campina-grande"].id, locale="pt",
                  timezone="America/Fortaleza"),
        make_user(email="tamar@example.org", name="Tamar Levi", city_id=cities["tel-aviv-yafo"].id,
                  timezone="Asia/Jerusalem"),
    ]


@pytest.fixture
def cohort(residency, artists, join, make_user):
    """The residency with the four artists and a mentor in it."""
    for artist in artists:
        join(residency, artist)
    mentor = make_user(email="mo@example.org", name="Mo Mentor")
    join(residency, mentor, ParticipantRole.MENTOR)
    return {"residency": residency, "artists": artists, "mentor": mentor}


def local_form(day, hour, minute=0):
    """A datetime-local form value."""
    return datetime(day.year, day.month, day.day, hour, minute).strftime("%Y-%m-%dT%H:%M")


def reload(model, id_):
    _db.session.expire_all()
    return _db.session.get(model, id_)

