"""Sessions: scheduled in the residency's timezone, shown to each participant in their own, told
to every other participant (in-app notice and e-mail in their language), changed and cancelled;
bad times are refused with a message and change nothing."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

import pytest

from residency.extensions import db
from residency.notifications.models import EmailMessage
from residency.residencies.models import Notice, ParticipantRole, Session
from tests.conftest import deliver_outbox
from tests.residencies.conftest import local_form, reload


def sessions():
    db.session.expire_all()
    return db.session.execute(db.select(Session).order_by(Session.id)).scalars().all()


def post_session(client, residency, **overrides):
    day = residency.starts_on + timedelta(days=1)
    data = {"kind": "studio_visit", "title": "Studio visit: Sofia", "starts_at": local_form(day, 18),
            "ends_at": local_form(day, 19, 30), "location": "https://meet.example.org/sofia", "description": "Bring work"}
    data.update(overrides)
    return client.post_form(f"/residencies/{residency.id}/sessions/new", data)


def test_a_session_is_stored_at_the_instant_of_the_residency_time(client, login_as, lyon_coordinator, cohort):
    residency = cohort["residency"]
    login_as(lyon_coordinator)
    response = post_session(client, residency)
    assert response.status_code == 302
    (session,) = sessions()
    day = residency.starts_on + timedelta(days=1)
    expected = datetime(day.year, day.month, day.day, 18, tzinfo=ZoneInfo("Europe/Paris"))
    assert session.starts_at == expected.astimezone(timezone.utc)
    assert session.ends_at - session.starts_at == timedelta(minutes=90)
    assert session.sequence == 0


def test_each_participant_sees_the_session_in_their_own_timezone(client, login_as, lyon_coordinator, cohort):
    """Kwame (Toronto) reads 12:00 – 13:30 in America/Toronto with the residency's 18:00 Paris time
    beside it; the coordinator in Paris reads only 18:00."""
    residency = cohort["residency"]
    login_as(lyon_coordinator)
    post_session(client, residency)
    session = sessions()[0]
    toronto = session.starts_at.astimezone(ZoneInfo("America/Toronto"))
    login_as(cohort["artists"][1])
    page = client.get(f"/residencies/{residency.id}").get_data(as_text=True)
    assert f"{toronto:%H:%M} – " in page and "(America/Toronto, UTC-0" in page
    assert "Residency time: " in page and "18:00 – 19:30" in page and "(Europe/Paris)" in page
    login_as(lyon_coordinator)
    page = client.get(f"/residencies/{residency.id}").get_data(as_text=True)
    assert "18:00 – 19:30" in page and "Residency time:" not in page


def test_participants_are_told_in_app_and_by_email_in_their_language(client, login_as, lyon_coordinator, cohort,
                                                                     mailbox):
    """Every participant but the one who scheduled it gets a notice and an e-mail; Ana's is in
    French, with the time in her zone (Bogota) and in the residency's."""
    residency = cohort["residency"]
    login_as(lyon_coordinator)
    post_session(client, residency)
    recipients = db.session.execute(db.select(Notice.user_id).where(Notice.kind == "session_added")).scalars().all()
    assert sorted(recipients) == sorted([a.id for a in cohort["artists"]] + [cohort["mentor"].id])
    deliver_outbox()
    (mail,) = mailbox.to("ana@example.org")
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Lumières numériques" in mail["Subject"]
    assert "America/Bogota" in body and "Europe/Paris" in body
    session = sessions()[0]
    in_bogota = format_datetime(session.starts_at, "EEEE d MMMM y, HH:mm", tzinfo=ZoneInfo("America/Bogota"),
                                locale="fr")
    assert body.startswith("Bonjour Ana Artist,") and in_bogota in body  # "lundi 7 décembre 2026, 12:00"
    assert f"/residencies/{residency.id}/sessions/" in body and ".ics" in body
    assert mailbox.to(lyon_coordinator.email) == []
    login_as(cohort["artists"][2])
    page = client.get(f"/residencies/{residency.id}").get_data(as_text=True)
    assert "Nova sessão: " in page and "Sofia" in page  # the notice in her language (Portuguese)
    assert "Residências (1 nova)" in client.get("/residencies/").get_data(as_text=True)  # the menu counts it
    client.post_form(f"/residencies/{residency.id}/notices/read")
    assert db.session.scalar(db.select(db.func.count(Notice.id)).where(
        Notice.user_id == cohort["artists"][2].id, Notice.read_at.is_(None))) == 0


@pytest.mark.parametrize("overrides, message", [
    ({"ends_at": "START-1h"}, "The session must end after it starts."),
    ({"ends_at": "START"}, "The session must end after it starts."),
    ({"ends_at": "START+13h"}, "A session lasts at most 12 hours."),
    ({"starts_at": "BEFORE", "ends_at": "BEFORE+1h"}, "Sessions take place during the residency"),
    ({"starts_at": "AFTER", "ends_at": "AFTER+1h"}, "Sessions take place during the residency"),
    ({"starts_at": "tomorrow at six"}, "Enter a day and time in the form 2027-03-01 18:00."),
    ({"starts_at": ""}, "Enter a day and time in the form 2027-03-01 18:00."),
    ({"kind": "party"}, "Not a valid choice"),
    ({"title": ""}, "Give the session a title."),
    ({"location": "x" * 301}, "Field cannot be longer than 300 characters."),
])
def test_bad_times_and_fields_are_refused(client, login_as, lyon_coordinator, cohort, overrides, message):
    residency = cohort["residency"]
    start = datetime.combine(residency.starts_on + timedelta(days=2), datetime.min.time()).replace(hour=10)
    values = {"START": start, "BEFORE": datetime.combine(residency.starts_on - timedelta(days=1),
                                                          datetime.min.time()).replace(hour=10),
              "AFTER": datetime.combine(residency.ends_on + timedelta(days=1), datetime.min.time()).replace(hour=10)}

    def resolve(text):
        for name, base in values.items():
            if text.startswith(name):
                rest = text[len(name):]
                hours = int(rest[:-1]) if rest else 0
                return (base + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")
        return text

    data = {"starts_at": start.strftime("%Y-%m-%dT%H:%M"), "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")}
    data.update({key: resolve(value) for key, value in overrides.items()})
    login_as(lyon_coordinator)
    response = post_session(client, residency, **data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert sessions() == []
    assert db.session.scalar(db.select(db.func.count(EmailMessage.id))) == 0


def test_a_time_the_clocks_skip_is_refused(client, login_as, lyon_coordinator, make_residency):
    """02:30 on the last Sunday of March does not exist in Paris."""
    from datetime import date

    year = date.today().year + 1
    last_sunday = max(date(year, 3, d) for d in range(25, 32) if date(year, 3, d).weekday() == 6)
    residency = make_residency(starts_on=last_sunday - timedelta(days=3), ends_on=last_sunday + timedelta(days=3))
    login_as(lyon_coordinator)
    response = post_session(client, residency, starts_at=local_form(last_sunday, 2, 30),
                            ends_at=local_form(last_sunday, 4))
    assert response.status_code == 400
    assert "does not exist in Europe/Paris" in response.get_data(as_text=True)
    assert sessions() == []
    # The same wall-clock hours a week earlier are one hour shorter than after the change: 10:00
    # Paris on each side of the change is 09:00 then 08:00 UTC.
    assert post_session(client, residency, starts_at=local_form(last_sunday - timedelta(days=1), 10),
                        ends_at=local_form(last_sunday - timedelta(days=1), 11)).status_code == 302
    assert post_session(client, residency, starts_at=local_form(last_sunday + timedelta(days=1), 10),
                        ends_at=local_form(last_sunday + timedelta(days=1), 11)).status_code == 302
    before, after = sessions()
    assert before.starts_at.astimezone(timezone.utc).hour == 9 and after.starts_at.astimezone(timezone.utc).hour == 8


def test_artists_and_mentors_may_not_schedule_but_participant_coordinators_may(client, login_as, cohort, join,
                                                                               make_user):
    residency = cohort["residency"]
    login_as(cohort["artists"][0])
    assert client.get(f"/residencies/{residency.id}/sessions/new").status_code == 403
    assert post_session(client, residency).status_code == 403
    login_as(cohort["mentor"])
    assert post_session(client, residency).status_code == 403
    assert sessions() == []
    coordinator = make_user(email="co@example.org")
    join(residency, coordinator, ParticipantRole.COORDINATOR)
    login_as(coordinator)
    assert post_session(client, residency).status_code == 302
    assert len(sessions()) == 1


def test_changing_a_session_raises_its_sequence_and_tells_everyone(client, login_as, lyon_coordinator, cohort,
                                                                   mailbox):
    residency = cohort["residency"]
    login_as(lyon_coordinator)
    post_session(client, residency)
    session = sessions()[0]
    page = client.get(f"/residencies/{residency.id}/sessions/{session.id}/edit").get_data(as_text=True)
    day = residency.starts_on + timedelta(days=1)
    assert f'value="{local_form(day, 18)}"' in page  # shown in the residency's time
    unchanged = {"kind": "studio_visit", "title": "Studio visit: Sofia", "starts_at": local_form(day, 18),
                 "ends_at": local_form(day, 19, 30), "location": "https://meet.example.org/sofia",
                 "description": "Bring work"}
    assert client.post_form(f"/residencies/{residency.id}/sessions/{session.id}/edit", unchanged).status_code == 302
    assert reload(Session, session.id).sequence == 0
    assert db.session.scalar(db.select(db.func.count(Notice.id)).where(Notice.kind == "session_changed")) == 0
    moved = {**unchanged, "starts_at": local_form(day, 20), "ends_at": local_form(day, 21)}
    assert client.post_form(f"/residencies/{residency.id}/sessions/{session.id}/edit", moved).status_code == 302
    assert reload(Session, session.id).sequence == 1
    assert db.session.scalar(db.select(db.func.count(Notice.id)).where(Notice.kind == "session_changed")) == 5
    bad = {**unchanged, "ends_at": local_form(day, 17)}
    response = client.post_form(f"/residencies/{residency.id}/sessions/{session.id}/edit", bad)
    assert response.status_code == 400 and reload(Session, session.id).sequence == 1
    deliver_outbox()
    assert any("changed" in mail["Subject"] for mail in mailbox.to("kwame@example.org"))


def test_cancelling_keeps_the_session_listed_and_tells_everyone(client, login_as, lyon_coordinator, cohort):
    residency = cohort["residency"]
    login_as(lyon_coordinator)
    post_session(client, residency)
    session = sessions()[0]
    assert client.get(f"/residencies/{residency.id}/sessions/{session.id}/cancel").status_code == 200
    assert client.post_form(f"/residencies/{residency.id}/sessions/{session.id}/cancel").status_code == 302
    session = reload(Session, session.id)
    assert session.cancelled and session.sequence == 1
    assert db.session.scalar(db.select(db.func.count(Notice.id)).where(Notice.kind == "session_cancelled")) == 5
    page = client.get(f"/residencies/{residency.id}").get_data(as_text=True)
    assert "Cancelled" in page and "No session is scheduled." in page
    client.post_form(f"/residencies/{residency.id}/sessions/{session.id}/cancel")
    assert reload(Session, session.id).sequence == 1  # cancelling twice changes nothing
    day = residency.starts_on + timedelta(days=1)
    response = client.post_form(f"/residencies/{residency.id}/sessions/{session.id}/edit", {
        "kind": "talk", "title": "Revived", "starts_at": local_form(day, 10), "ends_at": local_form(day, 11)})
    assert response.status_code == 409 and reload(Session, session.id).title == "Studio visit: Sofia"


def test_html_in_a_session_is_shown_as_text(client, login_as, lyon_coordinator, cohort):
    residency = cohort["residency"]
    login_as(lyon_coordinator)
    post_session(client, residency, title="<script>alert(1)</script>", description="<img src=x onerror=alert(1)>")
    login_as(cohort["artists"][0])
    page = client.get(f"/residencies/{residency.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page


def test_a_flood_of_writes_is_slowed_down(app, client, login_as, lyon_coordinator, cohort, monkeypatch):
    """Past the limit (RATELIMIT_RESIDENCY_WRITES) further sessions are refused with 429."""
    monkeypatch.setitem(app.config, "RATELIMIT_RESIDENCY_WRITES", "3 per hour")
    residency = cohort["residency"]
    login_as(lyon_coordinator)
    answers = [post_session(client, residency, title=f"Session {n}").status_code for n in range(4)]
    assert answers == [302, 302, 302, 429]
    assert len(sessions()) == 3


def test_a_time_that_happens_twice_is_taken_at_its_first_occurrence(client, login_as, lyon_coordinator,
                                                                    make_residency):
    """02:30 on the last Sunday of October happens twice in Paris: the first (summer time, UTC+2)
    is used and the coordinator is told."""
    from datetime import date

    year = date.today().year + 1
    last_sunday = max(date(year, 10, d) for d in range(25, 32) if date(year, 10, d).weekday() == 6)
    residency = make_residency(starts_on=last_sunday - timedelta(days=2), ends_on=last_sunday + timedelta(days=2))
    login_as(lyon_coordinator)
    response = post_session(client, residency, starts_at=local_form(last_sunday, 2, 30),
                            ends_at=local_form(last_sunday, 4))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "happens twice in Europe/Paris" in page
    (session,) = sessions()
    assert session.starts_at == datetime(last_sunday.year, 10, last_sunday.day, 0, 30, tzinfo=timezone.utc)
    assert session.ends_at - session.starts_at == timedelta(hours=2, minutes=30)  # the clocks went back
