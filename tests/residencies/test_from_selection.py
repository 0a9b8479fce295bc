"""A residency formed from a call's selected applications: once the jury's final decisions are
published, a coordinator of the call's city creates it and the people of each selected
application (its owner and the co-applicants who accepted) become its artists, in decision order;
waitlisted, declined, unpublished or withdrawn people are not in it."""

import pytest

from residency import signals
from residency.extensions import db
from residency.jury import decisions
from residency.jury.models import MemberRole, RoundPhase
from residency.residencies.models import Notice, Participant, Residency
from tests.jury.conftest import call, make_call, make_member  # noqa: F401  (fixtures)
from tests.jury.scoring_support import make_round
from tests.residencies.conftest import next_monday
from tests.review.conftest import make_application  # noqa: F401  (fixture)


@pytest.fixture
def decided(call, make_application, make_member, make_user):
    """Four applications of a Lyon call in a closed round: the first two selected (the second with
    an accepted and a pending co-applicant), one waitlisted, one selected but not yet published."""
    owners = [make_user(name=name) for name in ("Ana Artist", "Kwame Mensah", "Wendy Waitlisted", "Late Larry")]
    partner, pending = make_user(name="Pat Partner"), make_user(name="Pending Pia")
    applications = [make_application(call, owner=owners[0], eligible=True),
                    make_application(call, owner=owners[1], eligible=True,
                                     members=[(partner, True), (pending, False)]),
                    make_application(call, owner=owners[2], eligible=True),
                    make_application(call, owner=owners[3], eligible=True)]
    chair = make_member(call, make_user(name="Chris Chair"), role=MemberRole.CHAIR)
    round_ = make_round(call, applications=applications, phase=RoundPhase.CLOSED, closes_in=None)
    for application, outcome in zip(applications[:3], ("selected", "selected", "waitlisted")):
        decisions.decide(chair.user, round_, application.id, outcome, "The panel's reasons.")
    db.session.commit()
    decisions.publish(chair.user, call)
    db.session.commit()
    decisions.decide(chair.user, round_, applications[3].id, "selected", "Decided after publication.")
    db.session.commit()
    return {"call": call, "owners": owners, "partner": partner, "pending": pending, "applications": applications}


def form(call, **overrides):
    first = next_monday()
    data = {"call": str(call.id), "title": "Sound residency cohort", "description": "", "timezone": "Europe/Paris",
            "starts_on": first.isoformat(), "ends_on": first.replace(day=first.day).isoformat()}
    data.update(overrides)
    return data


def test_the_selected_people_become_the_artists(client, login_as, lyon_coordinator, decided):
    login_as(lyon_coordinator)
    page = client.get("/residencies/new/from-call").get_data(as_text=True)
    assert "Ana Artist, Kwame Mensah, Pat Partner" in page  # who would join, before creating
    response = client.post_form("/residencies/new/from-call", form(decided["call"]))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    residency = db.session.execute(db.select(Residency)).scalar_one()
    assert residency.call_id == decided["call"].id and residency.city_id == decided["call"].city_id
    people = db.session.execute(db.select(Participant).where(Participant.residency_id == residency.id)
                                .order_by(Participant.id)).scalars().all()
    assert [(p.user.display_name, p.role) for p in people] == [
        ("Ana Artist", "artist"), ("Kwame Mensah", "artist"), ("Pat Partner", "artist")]
    assert [p.application_id for p in people] == [decided["applications"][0].id] + [decided["applications"][1].id] * 2
    told = set(db.session.execute(db.select(Notice.user_id).where(Notice.kind == "joined")).scalars())
    assert told == {p.user_id for p in people}


def test_a_call_without_published_selection_is_not_offered(client, login_as, lyon_coordinator, call):
    login_as(lyon_coordinator)
    page = client.get("/residencies/new/from-call").get_data(as_text=True)
    assert "No call of your cities has published selected applications yet." in page
    response = client.post_form("/residencies/new/from-call", form(call))
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count(Residency.id))) == 0


def test_a_coordinator_of_another_city_cannot_use_the_call(client, login_as, linz_coordinator, decided):
    login_as(linz_coordinator)
    assert "Sound residency" not in client.get("/residencies/new/from-call").get_data(as_text=True)
    response = client.post_form("/residencies/new/from-call", form(decided["call"]))
    assert response.status_code == 400
    assert "No call of your cities has published selected applications yet." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Residency.id))) == 0


def test_the_published_decisions_signal_is_what_residencies_build_on(decided):
    """The contract: ``selected_applications`` gives the published selections in decision order."""
    assert [a.id for a in decisions.selected_applications(decided["call"].id)] == [
        a.id for a in decided["applications"][:2]]
    assert signals.jury_decisions_published is not None
