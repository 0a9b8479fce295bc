"""Rights: the artist states terms; a festival requests a work for an edition; the artist (or a
coordinator, within the terms) approves or declines with a message. Every step is recorded, seen
on both sides, and e-mailed to the other side in its own language."""

from datetime import date, timedelta

import pytest

from residency.audit.models import AuditEntry
from residency.core.errors import ActionRefused
from residency.extensions import db
from residency.festivals import rights
from residency.festivals.models import RequestState, RightsRequest, Terms
from residency.notifications.models import EmailMessage


def mails_to(address):
    return db.session.execute(db.select(EmailMessage).where(EmailMessage.to_address == address)
                              .order_by(EmailMessage.id)).scalars().all()


def test_request_and_answer_over_http(client, login_as, programmer, artist, work, edition):
    """The whole exchange as the two people do it in their browsers, each told in their language."""
    login_as(programmer)
    response = client.post_form(f"/festivals/catalogue/{work.id}/request",
                                {"edition": edition.id, "use": "screening", "message": "For our opening night."})
    assert response.status_code == 303
    request = db.session.execute(db.select(RightsRequest)).scalar_one()
    assert response.headers["Location"].endswith(f"/festivals/requests/{request.id}")
    (to_artist,) = mails_to(artist.email)
    # Rendered for Léa (her locale, fr: the wording comes with the catalogues' translation pass).
    assert to_artist.user_id == artist.id and "Ars Electronica Festival" in to_artist.subject
    assert f"/festivals/requests/{request.id}" in to_artist.body_text

    login_as(artist)
    page = client.get(f"/festivals/requests/{request.id}").get_data(as_text=True)
    assert "For our opening night." in page
    response = client.post_form(f"/festivals/requests/{request.id}/decide",
                                {"decision": "approve", "message": "With pleasure."})
    assert response.status_code == 303
    db.session.refresh(request)
    assert request.state == RequestState.APPROVED and request.decided_by_id == artist.id
    assert request.asset_ids == sorted(a.id for a in work.current_assets)
    assert request.package is not None
    (to_programmer,) = mails_to(programmer.email)
    assert "approved" in to_programmer.body_text and "With pleasure." in to_programmer.body_text

    login_as(programmer)
    page = client.get(f"/festivals/requests/{request.id}").get_data(as_text=True)
    assert "With pleasure." in page and "For our opening night." in page
    assert [e.action for e in request.events] == ["requested", "approved"]
    actions = db.session.execute(db.select(AuditEntry.action).order_by(AuditEntry.id)).scalars().all()
    assert "festival.requested" in actions and "festival.request_approved" in actions


def test_artist_declines_with_a_message(client, login_as, programmer, artist, work, edition):
    request = rights.create_request(programmer, edition.festival, edition, work, "screening")
    db.session.commit()
    login_as(artist)
    client.post_form(f"/festivals/requests/{request.id}/decide", {"decision": "decline", "message": "Not this year."})
    db.session.refresh(request)
    assert request.state == RequestState.DECLINED and request.package is None
    assert "Not this year." in mails_to(programmer.email)[-1].body_text
    again = client.post_form(f"/festivals/requests/{request.id}/decide", {"decision": "approve"})
    assert again.status_code == 409


def test_only_the_artist_or_their_coordinator_answers(client, login_as, programmer, colleague, far_coordinator,
                                                      work, edition):
    request = rights.create_request(programmer, edition.festival, edition, work, "screening")
    db.session.commit()
    login_as(colleague)  # the festival's own side sees it, but may not answer
    assert client.post_form(f"/festivals/requests/{request.id}/decide", {"decision": "approve"}).status_code == 403
    login_as(far_coordinator)  # a coordinator of another city does not even see it
    assert client.get(f"/festivals/requests/{request.id}").status_code == 404
    db.session.refresh(request)
    assert request.state == RequestState.REQUESTED


def _terms(work, **fields):
    values = dict(all_festivals=True, festival_ids=[], starts_on=date.today(), ends_on=date.today() + timedelta(days=365),
                  screening=True, exhibition=False, fee_amount=None, fee_currency="", territories=[])
    values.update(fields)
    db.session.add(Terms(work_id=work.id, **values))
    db.session.commit()


def test_coordinator_approves_on_behalf_only_within_the_terms(programmer, coordinator, work, edition):
    request = rights.create_request(programmer, edition.festival, edition, work, "screening")
    db.session.commit()
    with pytest.raises(ActionRefused) as refused:
        rights.decide(coordinator, request, True)
    assert refused.value.status == 403  # no terms stated: the artist must answer
    db.session.rollback()
    _terms(work)
    rights.decide(coordinator, request, True, "On Léa's behalf")
    db.session.commit()
    assert request.state == RequestState.APPROVED
    assert db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "festival.request_approved")
                              ).scalar_one().data["on_behalf"] is True


@pytest.mark.parametrize("fields, message", [
    ({"all_festivals": False, "festival_ids": [999]}, "do not include this festival"),
    ({"ends_on": date.today() + timedelta(days=31)}, "do not cover the dates"),
    ({"screening": False, "exhibition": True}, "do not allow this use"),
    ({"territories": ["FR", "BE"]}, "festival's country"),
])
def test_request_outside_the_terms_is_refused(client, login_as, programmer, work, edition, fields, message):
    """Terms that do not cover the festival, the edition's period, the use or the country refuse
    the request with the reason, and nothing is recorded."""
    _terms(work, **fields)
    login_as(programmer)
    response = client.post_form(f"/festivals/catalogue/{work.id}/request", {"edition": edition.id, "use": "screening"})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).replace("&#39;", "'")
    assert db.session.execute(db.select(RightsRequest)).first() is None


def test_terms_covering_the_festival_allow_it(client, login_as, programmer, work, edition, festival):
    _terms(work, all_festivals=False, festival_ids=[festival.id], territories=["AT"])
    login_as(programmer)
    response = client.post_form(f"/festivals/catalogue/{work.id}/request", {"edition": edition.id, "use": "screening"})
    assert response.status_code == 303


def test_programmer_requests_only_for_their_own_festivals_editions(client, login_as, programmer, work, other_edition,
                                                                  edition):
    login_as(programmer)
    response = client.post_form(f"/festivals/catalogue/{work.id}/request",
                                {"edition": other_edition.id, "use": "screening"})
    assert response.status_code == 400  # not one of the choices offered
    assert db.session.execute(db.select(RightsRequest)).first() is None
    with pytest.raises(ActionRefused):
        rights.create_request(programmer, other_edition.festival, other_edition, work, "screening")


def test_no_second_open_request_and_no_past_edition(programmer, work, edition, make_edition, festival):
    rights.create_request(programmer, festival, edition, work, "screening")
    db.session.commit()
    with pytest.raises(ActionRefused, match="already requested"):
        rights.create_request(programmer, festival, edition, work, "screening")
    past = make_edition(festival, starts_in=-20)
    with pytest.raises(ActionRefused, match="over"):
        rights.create_request(programmer, festival, past, work, "screening")


def test_artist_states_terms(client, login_as, artist, work, festival):
    login_as(artist)
    url = f"/festivals/works/{work.id}/terms"
    assert client.get(url).status_code == 200
    bad = client.post_form(url, {"all_festivals": "list", "starts_on": "2027-01-10", "ends_on": "2027-01-01",
                                 "screening": "y", "territories": "France"})
    assert bad.status_code == 400
    assert db.session.execute(db.select(Terms)).first() is None
    none_chosen = client.post_form(url, {"all_festivals": "list", "starts_on": "2027-01-01", "ends_on": "2027-12-31",
                                         "screening": "y"})
    assert none_chosen.status_code == 400
    no_currency = client.post_form(url, {"all_festivals": "all", "starts_on": "2027-01-01", "ends_on": "2027-12-31",
                                         "screening": "y", "fee_amount": "500"})
    assert no_currency.status_code == 400
    good = client.post_form(url, {"all_festivals": "list", "festival_ids": [festival.id], "starts_on": "2027-01-01",
                                  "ends_on": "2027-12-31", "screening": "y", "fee_amount": "500", "fee_currency": "eur",
                                  "territories": "at, de"})
    assert good.status_code == 303
    terms = db.session.execute(db.select(Terms)).scalar_one()
    assert (terms.festival_ids, terms.fee_currency, terms.territories) == ([festival.id], "EUR", ["AT", "DE"])


def test_terms_of_a_work_are_the_artists_alone(client, login_as, programmer, coordinator, work):
    for person in (programmer, coordinator):
        login_as(person)
        assert client.get(f"/festivals/works/{work.id}/terms").status_code == 404


def test_request_approved_signal(programmer, artist, work, edition):
    from residency import signals

    seen = []
    request = rights.create_request(programmer, edition.festival, edition, work, "screening")
    with signals.festival_request_approved.connected_to(lambda sender, **kw: seen.append((sender.id, kw["actor"].id))):
        rights.decide(artist, request, True)
    assert seen == [(request.id, artist.id)]
