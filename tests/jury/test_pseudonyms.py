"""One name per application: in a blind round a juror meets each application under one pseudonym,
"Application N", on the conflict and bid pages as on the scoring pages, from the round's set-up
(when conflicts are declared and bids made) to its scoring; and none of those pages names who
applied."""

import re
from datetime import timedelta
from html import unescape

import pytest

from residency.core.types import utcnow
from residency.extensions import db
from residency.jury import blind, round_moves
from residency.jury.models import Assignment, Round, RoundPhase

#: What would tell a juror who applied: the artist's and co-applicant's names and addresses, the city.
SECRETS = ("zelda", "quartermaine", "ottoline", "bramblewood", "linz")


def set_title(application, title):
    """Give the application's frozen version a short-text answer, its title (the call's form has none)."""
    version = application.versions[-1]
    version.snapshot = {**version.snapshot, "answers": [
        {"id": "title", "type": "short_text", "label": "Project title", "label_lang": "en", "value": title},
        *version.snapshot["answers"]]}
    db.session.commit()


def page(response):
    assert response.status_code == 200, response.status_code
    return unescape(response.get_data(as_text=True))


def leaks(html):
    lowered = html.lower()
    return [secret for secret in SECRETS if secret in lowered]


def conflict_labels(html):
    """``{application id: label}`` of the conflict page's rows."""
    return {int(app_id): label.strip() for app_id, label in
            re.findall(r'<th scope="row" id="application-(\d+)">(Application \d+)', html)}


def bid_labels(html):
    """``{application id: label}`` of the open bid form's fieldsets."""
    return {int(app_id): label for label, app_id in
            re.findall(r'<legend>(Application \d+)</legend>.*?name="bid-(\d+)"', html, flags=re.DOTALL)}


@pytest.fixture
def zelda(make_user, make_application, call, other_city):
    """Zelda's application, from Linz, with a co-applicant and a title; four others, one untitled."""
    artist = make_user(email="zelda.quartermaine@example.org", name="Zelda Quartermaine")
    co_applicant = make_user(email="ottoline@bramblewood.example", name="Ottoline Bramblewood")
    application = make_application(call, owner=artist, city=other_city, country="AT", eligible=True,
                                   members=[(co_applicant, True)])
    set_title(application, "Listening to rivers at dawn")
    others = [make_application(call, eligible=True) for _ in range(4)]
    set_title(others[0], "Tidal Signals")
    return application, others


@pytest.fixture
def juror(make_user, make_member, call):
    user = make_user(name="Jules Juror", email="jules@jury.example")
    return user, make_member(call, user=user)


def test_a_blind_round_names_each_application_alike_on_every_page_a_juror_reaches(
        call, zelda, juror, client, login_as):
    """Set up: the conflict and bid pages give every application its pseudonym in the round (the
    untitled one too), never the artist. Scoring: the application's page, the juror's list, the
    conflict page and the closed bid page give it the same pseudonym, and still nobody's name."""
    application, others = zelda
    user, member = juror
    round_ = Round(call_id=call.id, number=1, name="Shortlist", blind=True, reviews_per_application=1,
                   scoring_closes_at=utcnow() + timedelta(days=5))
    db.session.add(round_)
    db.session.commit()
    login_as(user)

    conflicts_page = page(client.get(f"/jury/calls/{call.id}/conflicts"))
    bids_page = page(client.get(f"/jury/calls/{call.id}/bids"))
    assert leaks(conflicts_page) == [] and leaks(bids_page) == []
    named = conflict_labels(conflicts_page)
    expected = {app_id: f"Application {number}" for app_id, number in blind.label_numbers(round_).items()}
    assert named == expected and len(set(named.values())) == 5
    assert bid_labels(bids_page) == expected
    assert "Listening to rivers at dawn" in conflicts_page and "Untitled" not in conflicts_page

    now = utcnow()
    for assigned in (application, *others):
        db.session.add(Assignment(round_id=round_.id, member_id=member.id, application_id=assigned.id,
                                  confirmed_at=now))
    round_.assignment_confirmed_at = now
    db.session.commit()
    round_moves.move_round(round_, RoundPhase.SCORING)
    db.session.commit()

    score_page = page(client.get(f"/jury/rounds/{round_.id}/applications/{application.id}"))
    assert re.search(r"<h1>\s*(Application \d+)", score_page).group(1) == expected[application.id]
    listing = page(client.get(f"/jury/rounds/{round_.id}/applications"))
    assert re.search(rf'/applications/{application.id}">(Application \d+)</a>', listing).group(1) \
        == expected[application.id]
    conflicts_page = page(client.get(f"/jury/calls/{call.id}/conflicts"))
    assert conflict_labels(conflicts_page) == expected
    closed_bids = page(client.get(f"/jury/calls/{call.id}/bids"))
    assert "bids can no longer change" in closed_bids
    assert set(re.findall(r'<th scope="row">(Application \d+)', closed_bids)) == set(expected.values())
    for html in (score_page, listing, conflicts_page, closed_bids):
        assert leaks(html) == []


def test_an_application_the_round_does_not_cover_gets_a_name_of_its_own(call, zelda, juror, make_application,
                                                                       client, login_as):
    """An application not checked for eligibility yet is listed for conflicts, but the round does not
    cover it: it is named after the round's applications, never with one of their names."""
    application, others = zelda
    unchecked = make_application(call, eligible=None)
    round_ = Round(call_id=call.id, number=1, name="Shortlist", blind=True)
    db.session.add(round_)
    db.session.commit()
    login_as(juror[0])

    named = conflict_labels(page(client.get(f"/jury/calls/{call.id}/conflicts")))
    assert set(named) == {application.id, unchecked.id, *(other.id for other in others)}
    assert named[unchecked.id] == "Application 6"
    assert sorted(named.values()) == [f"Application {number}" for number in range(1, 7)]


def assignment_options(html):
    """``{application id: label}`` of the assignment page's hand-change form."""
    return {int(app_id): label.strip() for app_id, label in
            re.findall(r'<option[^>]*value="(\d+)"[^>]*>(Application [^<]*)</option>', html)}


@pytest.mark.parametrize("blind_round", [True, False])
def test_the_chairs_assignment_page_names_applications_as_the_jurors_pages_do(
        blind_round, call, zelda, juror, make_user, make_member, client, login_as):
    """The chair's assignment page (its table, its hand-change form, what cannot be met, its
    messages) names each application "Application N" as the round's scoring pages do, never by its
    database id; in a blind round it names nobody who applied, otherwise the applicant follows."""
    application, _others = zelda
    _user, member = juror
    chair = make_user(name="Carla Chair", email="carla@jury.example")
    make_member(call, user=chair, role="chair")
    round_ = Round(call_id=call.id, number=1, name="Shortlist", blind=blind_round, reviews_per_application=2,
                   scoring_closes_at=utcnow() + timedelta(days=5))
    db.session.add(round_)
    db.session.commit()
    expected = {app_id: f"Application {number}" for app_id, number in blind.label_numbers(round_).items()}
    login_as(chair)
    url = f"/manage/calls/{call.id}/jury/rounds/{round_.id}/assignment"

    response = client.post_form(f"{url}/pairs", {"application": application.id, "member": member.id, "action": "add"})
    assert response.status_code == 303
    html = page(client.get(url))
    label = expected[application.id]
    assert f"Jules Juror now reviews application {label.split()[1]}." in html
    rows = dict(re.findall(r'<th scope="row">(Application \d+)(?: · ([^<]*))?</th>', html))
    assert set(rows) == set(expected.values())
    assert f"{label} has only 1 unconflicted juror for k = 2." in html
    options = assignment_options(html)
    if blind_round:
        assert leaks(html) == []
        assert options == expected and set(rows.values()) == {""}
    else:
        assert options[application.id] == f"{label} · Zelda Quartermaine"
        assert rows[label] == "Zelda Quartermaine"
    for app_id in expected:
        if f"Application {app_id}" not in expected.values():  # a database id that is nobody's pseudonym
            assert f"Application {app_id}" not in html and f"application {app_id}" not in html

    again = client.post_form(f"{url}/pairs", {"application": application.id, "member": member.id, "action": "add"})
    assert again.status_code == 409
    assert f"Jules Juror already reviews application {label.split()[1]}." in page_text(again)
    elsewhere = client.post_form(f"{url}/pairs", {"application": 2_000_000_001, "member": member.id, "action": "add"})
    assert elsewhere.status_code == 400 and "Choose an application of this round." in page_text(elsewhere)


def page_text(response):
    return unescape(response.get_data(as_text=True))
