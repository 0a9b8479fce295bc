"""Bids: a panel member marks applications eager, willing or rather not, only those they are not in
conflict with, and only until the current round's assignment is confirmed."""

import re
from html import unescape

import pytest

from residency.core.types import utcnow
from residency.extensions import db
from residency.jury.models import (
    Conflict,
    ConflictReason,
    ConflictSource,
    MemberStatus,
    Preference,
    Round,
    RoundPhase,
)


def bids_url(call):
    return f"/jury/calls/{call.id}/bids"


def text_of(response):
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def stored(member):
    return dict(db.session.execute(
        db.select(Preference.application_id, Preference.bid).where(Preference.member_id == member.id)).tuples().all())


def declare(call, member, application, reason="My cousin"):
    db.session.add(Conflict(call_id=call.id, member_id=member.id, application_id=application.id,
                            source=ConflictSource.DECLARED, reason=ConflictReason.DECLARED, details=reason))
    db.session.commit()


@pytest.fixture
def juror(make_user):
    return make_user(name="Jo Juror")


@pytest.fixture
def member(call, juror, make_member):
    return make_member(call, user=juror)


def test_a_juror_bids_and_changes_their_mind(call, submitted, member, juror, login_as, client):
    """Eager, willing, rather not are stored; "no preference" removes the bid; the page shows what is saved."""
    first, second, third = submitted[:3]
    login_as(juror)

    response = client.post_form(bids_url(call), {f"bid-{first.id}": "eager", f"bid-{second.id}": "willing",
                                                 f"bid-{third.id}": "rather_not"})
    assert response.status_code == 302
    assert stored(member) == {first.id: "eager", second.id: "willing", third.id: "rather_not"}
    page = client.get(bids_url(call)).get_data(as_text=True)
    assert re.search(rf'name="bid-{first.id}" value="eager" checked', page)
    assert re.search(rf'name="bid-{third.id}" value="rather_not" checked', page)

    client.post_form(bids_url(call), {f"bid-{first.id}": "", f"bid-{second.id}": "eager"})
    assert stored(member) == {second.id: "eager", third.id: "rather_not"}


def test_a_conflicted_application_is_not_listed_and_a_bid_on_it_is_refused(call, submitted, member, juror,
                                                                           login_as, client):
    """The page lists only the applications the juror is not in conflict with; a bid sent anyway on
    a conflicted one is refused with a clear message, and nothing of the form is stored."""
    conflicted, free = submitted[0], submitted[1]
    declare(call, member, conflicted)
    login_as(juror)

    page = client.get(bids_url(call)).get_data(as_text=True)
    assert f'name="bid-{conflicted.id}"' not in page
    assert f'name="bid-{free.id}"' in page

    response = client.post_form(bids_url(call), {f"bid-{free.id}": "eager", f"bid-{conflicted.id}": "eager"})
    assert response.status_code == 400
    text = text_of(response)
    assert "An application not listed on this page: nothing was saved." in text
    assert "Nothing was saved." in text
    assert stored(member) == {}


def test_an_automatic_conflict_hides_the_application_from_bidding(call, make_application, make_member, make_user,
                                                                  login_as, client):
    """A member's own application (an automatic conflict) is neither listed nor biddable."""
    juror = make_user()
    own = make_application(call, owner=juror, eligible=True)
    member = make_member(call, user=juror)
    login_as(juror)

    assert f'name="bid-{own.id}"' not in client.get(bids_url(call)).get_data(as_text=True)
    assert client.post_form(bids_url(call), {f"bid-{own.id}": "eager"}).status_code == 400
    assert stored(member) == {}


def summary_of(response):
    html = response.get_data(as_text=True)
    return re.search(r'<div class="error-summary".*?</div>', html, flags=re.DOTALL).group(0)


def test_a_hand_edited_bid_on_an_automatic_conflict_is_answered_as_a_missing_id(
        call, make_application, make_member, make_user, login_as, client):
    """A bid sent on an application the juror is automatically in conflict with gets exactly the
    refusal a missing id gets, which names neither: the page tells nothing of the conflict."""
    juror = make_user()
    own = make_application(call, owner=juror, eligible=True)
    member = make_member(call, user=juror)
    login_as(juror)

    conflicted = client.post_form(bids_url(call), {f"bid-{own.id}": "eager"})
    missing = client.post_form(bids_url(call), {"bid-2000000001": "eager"})

    assert conflicted.status_code == missing.status_code == 400
    assert summary_of(conflicted) == summary_of(missing)
    assert "An application not listed on this page: nothing was saved." in summary_of(conflicted)
    assert str(own.id) not in summary_of(conflicted) and "conflict" not in summary_of(conflicted).lower()
    assert stored(member) == {}


@pytest.mark.parametrize("value", ["keen", "EAGER", "1"])
def test_an_unknown_bid_is_refused(call, submitted, member, juror, login_as, client, value):
    """Only eager, willing, rather not or no preference."""
    login_as(juror)
    response = client.post_form(bids_url(call), {f"bid-{submitted[0].id}": value, f"bid-{submitted[1].id}": "eager"})
    assert response.status_code == 400
    assert "Choose eager, willing, rather not or no preference." in text_of(response)
    assert stored(member) == {}


def test_a_bid_on_another_calls_application_or_a_malformed_id_is_refused(call, make_call, make_application, member,
                                                                         juror, login_as, client):
    """An application of another call, an ineligible one, a withdrawn one: not one of this call's to
    bid on; a malformed id is a bad request."""
    elsewhere = make_application(make_call(), eligible=True)
    ineligible = make_application(call, eligible=False)
    withdrawn = make_application(call, eligible=True, state="withdrawn")
    login_as(juror)
    for application in (elsewhere, ineligible, withdrawn):
        response = client.post_form(bids_url(call), {f"bid-{application.id}": "eager"})
        assert response.status_code == 400
        assert "An application not listed on this page: nothing was saved." in text_of(response) and f"Application {application.id}" not in text_of(response)
    assert client.post_form(bids_url(call), {"bid-x1": "eager"}).status_code == 400
    assert stored(member) == {}


def test_bids_are_closed_once_the_assignment_is_confirmed(call, submitted, member, juror, login_as, client):
    """After the current round's assignment is confirmed, the page shows the bids without a form and
    a change is refused (409), nothing stored; when that round is closed and the next is being set
    up, bidding opens again."""
    db.session.add(Preference(member_id=member.id, application_id=submitted[0].id, bid="willing"))
    round_ = Round(call_id=call.id, number=1, name="Shortlist", phase=RoundPhase.SCORING,
                   assignment_confirmed_at=utcnow())
    db.session.add(round_)
    db.session.commit()
    login_as(juror)

    response = client.get(bids_url(call))
    text = text_of(response)
    assert "The assignment of the round “Shortlist” is confirmed: bids can no longer change." in text
    assert "Save my bids" not in text and "Willing" in text

    response = client.post_form(bids_url(call), {f"bid-{submitted[0].id}": "eager", f"bid-{submitted[1].id}": "eager"})
    assert response.status_code == 409
    assert "bids can no longer change" in text_of(response)
    assert stored(member) == {submitted[0].id: "willing"}

    round_.phase = RoundPhase.CLOSED
    db.session.add(Round(call_id=call.id, number=2, name="Final", phase=RoundPhase.SETUP))
    db.session.commit()
    assert client.post_form(bids_url(call), {f"bid-{submitted[1].id}": "eager"}).status_code == 302
    assert stored(member) == {submitted[0].id: "willing", submitted[1].id: "eager"}


def test_bids_are_open_before_the_assignment_is_confirmed(call, submitted, member, juror, login_as, client):
    """A round being set up, or a preview not yet confirmed, still takes bids."""
    db.session.add(Round(call_id=call.id, number=1, name="Shortlist", phase=RoundPhase.SETUP))
    db.session.commit()
    login_as(juror)
    assert client.post_form(bids_url(call), {f"bid-{submitted[0].id}": "eager"}).status_code == 302
    assert stored(member) == {submitted[0].id: "eager"}


def test_who_may_reach_the_bid_page(call, make_call, make_member, make_application, make_user, login_as, client,
                                    coordinator, other_city, submitted):
    """An applicant, another city's coordinator, another call's juror, an invited member: 404 as for
    a missing call; the call's coordinator, who sits on no panel: 403. Nothing is stored."""
    applicant = make_user()
    make_application(call, owner=applicant, eligible=True)
    other_coordinator = make_user(roles=[("city_coordinator", "city", other_city.id)])
    other_juror = make_user()
    make_member(make_call(), user=other_juror)
    invited = make_user()
    make_member(call, user=invited, status=MemberStatus.INVITED)
    for user in (applicant, other_coordinator, other_juror, invited):
        login_as(user)
        assert client.get(bids_url(call)).status_code == 404
        assert client.post_form(bids_url(call), {f"bid-{submitted[0].id}": "eager"}).status_code == 404
    login_as(coordinator)
    assert client.get(bids_url(call)).status_code == 403
    assert client.post_form(bids_url(call), {f"bid-{submitted[0].id}": "eager"}).status_code == 403
    assert db.session.execute(db.select(Preference)).scalars().all() == []
