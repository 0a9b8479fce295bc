"""The juror's dashboard (their panels, progress per round, the deadline in their time and the
call's, counting down), the chair's progress table, and the e-mail reminders before a round
closes."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime

from residency.extensions import db as _db
from residency.jury import scoring
from residency.jury.models import Conflict, MemberRole, Reminder, RoundPhase
from residency.jury.reminders import send_reminders
from residency.jury.tasks import send_reminders_task
from tests.accounts.support import page_text
from tests.conftest import deliver_outbox
from tests.jury.scoring_support import assign, make_round


def save(member, assignment, abstain=None):
    values = {} if abstain else {"c1": 3, "c2": 3, "c3": 5}
    review = scoring.submit_review(member, assignment, values, abstain_reason=abstain,
                                   loaded_review_id=getattr(scoring.current_review(assignment.id), "id", None))
    _db.session.commit()
    return review


@pytest.fixture
def panel(call, submitted, make_member, make_user):
    """A round in scoring: Ana (3 assigned: 1 scored, 1 abstained, 1 missing), Ben (2 assigned, both
    scored), the chair Chloé (nothing assigned)."""
    ana = make_member(call, make_user(name="Ana Juror", timezone="America/New_York"))
    ben = make_member(call, make_user(name="Ben Juror"))
    chair = make_member(call, make_user(name="Chloé Chair"), role=MemberRole.CHAIR)
    round_ = make_round(call, applications=submitted, name="Shortlist", closes_in=timedelta(days=2))
    ana_work = [assign(round_, ana, application) for application in submitted[:3]]
    ben_work = [assign(round_, ben, application) for application in submitted[2:4]]
    save(ana, ana_work[0])
    save(ana, ana_work[1], abstain="I know this artist.")
    for assignment in ben_work:
        save(ben, assignment)
    return {"round": round_, "ana": ana, "ben": ben, "chair": chair}


# The juror's dashboard -------------------------------------------------------------------------

def test_the_dashboard_shows_progress_and_the_deadline_in_both_zones_with_a_countdown(client, login_as, call,
                                                                                     panel):
    """"1 of 3 scored, 1 abstention", the closing time in the juror's zone and the call's, and a
    countdown element (countdown.js) holding the exact instant; rounds not assigned yet say so."""
    later = make_round(call, phase=RoundPhase.SETUP, name="Final", closes_in=timedelta(days=20))
    login_as(panel["ana"].user)
    response = client.get("/jury")
    assert response.status_code == 200
    text = page_text(response)
    assert "1 of 3 scored, 1 abstention" in text
    assert "Shortlist" in text and "Final" in text and "The applications are not assigned yet." in text
    closes = panel["round"].scoring_closes_at
    assert "America/New_York" in text and "Europe/Paris" in text
    assert format_datetime(closes, "full", tzinfo=ZoneInfo("America/New_York"), locale="en") in text
    html = response.get_data(as_text=True)
    assert f'data-countdown="{closes.isoformat()}"' in html and "js/countdown.js" in html
    assert f'href="/jury/rounds/{panel["round"].id}/applications"' in html
    assert f"/jury/rounds/{panel['round'].id}/progress" not in html  # not the chair
    assert f'data-countdown="{later.scoring_closes_at.isoformat()}"' not in html  # not open: no countdown
    assert 'href="/jury" aria-current="page"' in html  # the menu's entry


def test_the_round_list_shows_each_assigned_application_and_its_state(client, login_as, panel, submitted):
    login_as(panel["ana"].user)
    response = client.get(f"/jury/rounds/{panel['round'].id}/applications")
    text = page_text(response)
    assert response.status_code == 200 and "1 of 3 scored" in text
    assert text.count(">scored<") == 1 and text.count(">abstained<") == 1 and text.count(">not scored yet<") == 1
    assert "Artist" in text  # not blind: the applicants' names are listed


def test_the_csv_of_ones_scores_has_a_column_per_criterion(client, login_as, panel):
    login_as(panel["ben"].user)
    response = client.get(f"/jury/rounds/{panel['round'].id}/my-scores.csv")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Application,Applicant,Status,Artistic quality,Fit with the residency,"
                               "Feasibility online")
    assert len(lines) == 3 and all(",scored,3,3,5," in line for line in lines[1:])


# The chair's progress table --------------------------------------------------------------------

def test_the_chair_sees_per_juror_and_per_application_progress(client, login_as, panel):
    login_as(panel["chair"].user)
    response = client.get(f"/jury/rounds/{panel['round'].id}/progress")
    assert response.status_code == 200
    html = page_text(response)
    assert "4 of 5 reviews scored" not in html
    assert "3 of 5 reviews scored, 1 abstained, 1 missing" in html
    ana_row = html.split(f'data-member="{panel["ana"].id}"')[1].split("</tr>")[0]
    ben_row = html.split(f'data-member="{panel["ben"].id}"')[1].split("</tr>")[0]
    assert [cell.split("</td>")[0] for cell in ana_row.split("<td>")[1:]] == ["3", "1", "1", "1"]
    assert [cell.split("</td>")[0] for cell in ben_row.split("<td>")[1:]] == ["2", "2", "0", "0"]
    assert html.count("data-application=") == 4
    assert "Ana Juror: abstained" in html and "Ana Juror: not scored yet" in html and "Ben Juror: scored" in html
    dashboard = client.get("/jury").get_data(as_text=True)
    assert f"/jury/rounds/{panel['round'].id}/progress" in dashboard


def test_a_blind_rounds_progress_table_names_no_applicant(db, client, login_as, panel, coordinator):
    """Applicants are named in an open round's table, only labelled in a blind round's."""
    url = f"/jury/rounds/{panel['round'].id}/progress"
    login_as(coordinator)
    assert "Artist 0" in page_text(client.get(url))
    panel["round"].blind = True
    db.session.commit()
    response = client.get(url)
    assert response.status_code == 200
    assert "Artist 0" not in page_text(response)
    assert len(re.findall(r"Application \d+</th>", page_text(response))) == 4


def test_only_the_chair_and_the_calls_coordinators_see_the_progress_table(client, login_as, panel, coordinator,
                                                                         make_user, other_city, submitted):
    """The call's coordinator sees it; a juror who is not the chair is refused (403); another city's
    coordinator and an applicant are answered as if the round did not exist (404)."""
    url = f"/jury/rounds/{panel['round'].id}/progress"
    login_as(coordinator)
    assert client.get(url).status_code == 200
    login_as(panel["ben"].user)
    assert client.get(url).status_code == 403
    for user in (make_user(roles=[("city_coordinator", "city", other_city.id)]), submitted[0].owner):
        login_as(user)
        assert client.get(url).status_code == 404
    assert client.get("/jury/rounds/2147483000/progress").status_code == 404


# Reminders -------------------------------------------------------------------------------------

def mails(mailbox, member):
    return mailbox.to(member.user.email)


def test_reminders_go_once_to_the_jurors_with_unscored_work_in_their_language(db, call, submitted, make_member,
                                                                            make_user, mailbox):
    """The beat task e-mails, through the real SMTP server, the active jurors who have unscored
    applications (not those who are done, withdrew, or whose assignments are removed, proposed or
    conflicted), the deadline in their language and timezone; running it again sends nothing."""
    round_ = make_round(call, applications=submitted, closes_in=timedelta(hours=50))
    amelie = make_member(call, make_user(name="Amélie", locale="fr", timezone="America/Montreal"))
    done = make_member(call, make_user(name="Done"))
    gone = make_member(call, make_user(name="Gone"))
    elsewhere = make_member(call, make_user(name="Elsewhere"))
    conflicted = make_member(call, make_user(name="Conflicted"))
    assign(round_, amelie, submitted[0])
    assign(round_, amelie, submitted[1])
    save(done, assign(round_, done, submitted[2]))
    assign(round_, gone, submitted[3])
    gone.status = "withdrawn"
    assign(round_, elsewhere, submitted[4], removed=True)
    assign(round_, elsewhere, submitted[5], confirmed=False)
    assign(round_, conflicted, submitted[5])
    db.session.add(Conflict(call_id=call.id, member_id=conflicted.id, application_id=submitted[5].id,
                            source="automatic", reason="same_city"))
    db.session.commit()

    assert send_reminders_task() == 1
    deliver_outbox()
    [mail] = mails(mailbox, amelie)
    body = mail.get_body(preferencelist=("plain",)).get_content()
    when = format_datetime(round_.scoring_closes_at, "full", tzinfo=ZoneInfo("America/Montreal"), locale="fr")
    assert when in body and "America/Montreal" in body
    assert format_datetime(round_.scoring_closes_at, "full", tzinfo=ZoneInfo("Europe/Paris"), locale="fr") in body
    assert f"/jury/rounds/{round_.id}/applications" in body and "Amélie" in body
    assert " 2 " in mail["Subject"]
    for member in (done, gone, elsewhere, conflicted):
        assert mails(mailbox, member) == []
    assert send_reminders_task() == 0
    deliver_outbox()
    assert len(mails(mailbox, amelie)) == 1


def test_a_reminder_at_three_days_then_one_day_each_once(db, call, submitted, make_member, mailbox):
    """72 hours before the close, then 24 hours before: one e-mail each, however often the beat
    runs; none before the first threshold or once scoring has closed."""
    round_ = make_round(call, applications=submitted, closes_in=timedelta(hours=100))
    juror = make_member(call)
    assign(round_, juror, submitted[0])
    closes = round_.scoring_closes_at
    expected = []
    for hours_left, sent in ((99, False), (71, True), (60, False), (25, False), (23, True), (2, False), (-1, False)):
        now = closes - timedelta(hours=hours_left)
        got = send_reminders(now)
        db.session.commit()
        assert bool(got) == sent, hours_left
        expected += [1] if sent else []
    deliver_outbox()
    assert len(mails(mailbox, juror)) == len(expected) == 2
    rows = db.session.execute(db.select(Reminder.hours_before).where(Reminder.member_id == juror.id)).scalars().all()
    assert sorted(rows) == [24, 72]


def test_a_round_that_opens_late_sends_one_reminder_not_two(db, call, submitted, make_member, mailbox):
    """A round closing in 10 hours whose juror was never reminded gets one e-mail, which stands for
    both thresholds."""
    round_ = make_round(call, applications=submitted, closes_in=timedelta(hours=10))
    juror = make_member(call)
    assign(round_, juror, submitted[0])
    assert len(send_reminders()) == 1
    assert send_reminders() == []
    db.session.commit()
    deliver_outbox()
    assert len(mails(mailbox, juror)) == 1


def test_no_reminder_for_a_round_not_in_scoring(db, call, submitted, make_member, mailbox):
    for phase in (RoundPhase.SETUP, RoundPhase.CLOSED):
        round_ = make_round(call, phase=phase, applications=submitted, closes_in=timedelta(hours=10))
        assign(round_, make_member(call), submitted[0])
    assert send_reminders() == []
