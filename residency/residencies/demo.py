"""The demo residency: "Lumières numériques — online residency" of Lyon, with four artists from
four cities, a mentor, the demo coordinator, and a talk next week at 18:00 Lyon time.

Rows are written directly (no operation), so loading the demo sends no e-mail and writes no notice.
Idempotent: run twice, it finds the residency it made the first time. The caller commits.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from residency.accounts.demo import DEMO_PASSWORD
from residency.accounts.models import User
from residency.accounts.operations import find_user_by_email
from residency.accounts.passwords import hash_password
from residency.cities.models import City
from residency.core.types import utcnow
from residency.extensions import db
from residency.residencies.models import Participant, ParticipantRole, Residency, Session, SessionKind

TITLE = "Lumières numériques — online residency"
COORDINATOR = "coordinator@demo.example.org"

#: (e-mail, name, city slug, language, role): four artists from four cities, a mentor.
PEOPLE = [
    ("artist@demo.example.org", "Ana Artist", "cali", "es", ParticipantRole.ARTIST),
    ("kwame.artist@demo.example.org", "Kwame Mensah", "toronto", "en", ParticipantRole.ARTIST),
    ("sofia.artist@demo.example.org", "Sofia Lima", "campina-grande", "pt", ParticipantRole.ARTIST),
    ("tamar.artist@demo.example.org", "Tamar Levi", "tel-aviv-yafo", "en", ParticipantRole.ARTIST),
    ("mentor@demo.example.org", "Mo Mentor", "enghien-les-bains", "fr", ParticipantRole.MENTOR),
]

PROGRAMME = (
    "Four weeks online between Lyon, Cali, Toronto, Campina Grande and Tel Aviv-Yafo.\n"
    "Week 1: introductions and studio visits. Week 2: a talk on light and the city.\n"
    "Weeks 3–4: work in progress, critiques, and a shared presentation."
)


def load_demo_residency(now=None):
    """The demo residency; returns lines to print."""
    now = now or utcnow()
    cities = {city.slug: city for city in db.session.execute(db.select(City)).scalars()}
    lyon = cities.get("lyon")
    if lyon is None:
        return ["Residencies: no Lyon city in the database, demo residency skipped"]
    residency = db.session.execute(
        db.select(Residency).where(Residency.title == TITLE, Residency.city_id == lyon.id)).scalars().first()
    if residency is None:
        residency = _residency(lyon, now)
    lines = [f"Residency: {residency.title} (/residencies/{residency.id}), participants:"]
    for participant in db.session.execute(
            db.select(Participant).where(Participant.residency_id == residency.id).order_by(Participant.id)).scalars():
        city = participant.user.city.name if participant.user.city else "—"
        lines.append(f"  {participant.user.email:<32} {participant.role} ({city})")
    return lines


def _residency(lyon, now):
    today = now.astimezone(ZoneInfo(lyon.timezone)).date()
    coordinator = find_user_by_email(COORDINATOR)
    residency = Residency(city_id=lyon.id, title=TITLE, description=PROGRAMME, timezone=lyon.timezone,
                          starts_on=today - timedelta(days=3), ends_on=today + timedelta(days=27),
                          created_by_id=coordinator.id if coordinator else None, created_at=now, updated_at=now)
    db.session.add(residency)
    db.session.flush()
    if coordinator is not None:
        db.session.add(Participant(residency_id=residency.id, user_id=coordinator.id,
                                   role=ParticipantRole.COORDINATOR, joined_at=now))
    cities = {city.slug: city for city in db.session.execute(db.select(City)).scalars()}
    for email, name, city_slug, locale, role in PEOPLE:
        user = _account(email, name, cities.get(city_slug), locale)
        db.session.add(Participant(residency_id=residency.id, user_id=user.id, role=role, joined_at=now,
                                   added_by_id=coordinator.id if coordinator else None))
    zone = ZoneInfo(residency.timezone)
    starts = datetime.combine(today + timedelta(days=7), time(18, 0), tzinfo=zone)
    db.session.add(Session(
        residency_id=residency.id, kind=SessionKind.TALK, title="Light and the city: opening talk",
        description="Each artist presents their practice in ten minutes, then questions.",
        location="The residency's room", starts_at=starts, ends_at=starts + timedelta(minutes=90),
        created_by_id=coordinator.id if coordinator else None, created_at=now, updated_at=now))
    db.session.flush()
    return residency


def _account(email, name, city, locale):
    """The demo account ``email``, created (confirmed, the demo password) when missing."""
    user = find_user_by_email(email)
    if user is None:
        user = User(email=email, display_name=name, password_hash=hash_password(DEMO_PASSWORD),
                    city_id=city.id if city else None, timezone=city.timezone if city else "UTC", locale=locale,
                    email_verified_at=utcnow())
        db.session.add(user)
        db.session.flush()
    return user
