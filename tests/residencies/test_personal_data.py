"""A participant's residency data is part of their export (never a feed's address) and goes when
they erase their account; the residency and its sessions stay for the others."""

import json
from datetime import datetime, timedelta

from residency.core.personal_data import export_all
from residency.extensions import db
from residency.residencies import calendar, scheduling
from residency.residencies.models import CalendarFeed, Notice, Participant, Residency, Session
from residency.residencies.personal_data import erase


def test_export_and_erase(cohort, lyon_coordinator, join, make_user):
    residency = cohort["residency"]
    ana = cohort["artists"][0]
    organiser = make_user(email="organiser@example.org")
    join(residency, organiser, "coordinator")
    day = residency.starts_on + timedelta(days=2)
    scheduling.schedule_session(organiser, residency, "talk", "Ana's talk", "", "",
                                datetime(day.year, day.month, day.day, 10), datetime(day.year, day.month, day.day, 11))
    participant = db.session.execute(db.select(Participant).where(Participant.user_id == ana.id)).scalar_one()
    token = calendar.new_feed(participant)
    db.session.commit()

    data, files = export_all(ana)
    mine = data["residencies"]
    assert files == [] or all(not path.startswith("files/residencies") for _key, path in files)
    assert mine["participations"] == [{"residency": "Lumières numériques", "city": "Lyon", "role": "artist",
                                       "joined_at": participant.joined_at.isoformat(), "left_at": None}]
    assert [n["kind"] for n in mine["notices"]] == ["session_added"]
    assert len(mine["calendar_feeds"]) == 1 and token not in json.dumps(data)
    assert export_all(organiser)[0]["residencies"]["sessions_scheduled"][0]["title"] == "Ana's talk"

    erase(ana)
    erase(organiser)
    erase(ana)  # twice changes nothing
    db.session.commit()
    assert db.session.execute(db.select(Participant).where(Participant.user_id == ana.id)).first() is None
    assert db.session.execute(db.select(Notice).where(Notice.user_id == ana.id)).first() is None
    assert db.session.scalar(db.select(db.func.count(CalendarFeed.id))) == 0
    session = db.session.execute(db.select(Session)).scalar_one()
    assert session.title == "Ana's talk" and session.created_by_id is None
    assert db.session.get(Residency, residency.id) is not None
    assert calendar.feed_by_token(token) is None
