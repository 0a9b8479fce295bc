"""A call's jury is invisible to whoever may not see it (an artist, an applicant of the call, a
coordinator of another city, a juror of another call, a festival programmer, someone invited to
the panel who has not accepted, a juror who left it): every jury route of
the call, its rounds, members and applications answers exactly as for an id that names nothing
(404, same page), for GET and for writes; visitors are sent to log in whatever the id. And a juror
of the call meets an application not assigned to them in that round, or one they are in conflict
with, exactly as a missing one on every juror's route of an application.

Those who see the jury but may not act (a juror on the coordinators' pages) get 403: see the
areas' own tests."""

from datetime import timedelta

import pytest

from residency.audit.models import AuditEntry
from residency.core.types import utcnow
from residency.extensions import db
from residency.jury.models import (
    Assignment,
    Bid,
    Conflict,
    ConflictReason,
    ConflictSource,
    MemberRole,
    MemberStatus,
    PanelMember,
    Preference,
    Review,
    Round,
    RoundPhase,
)
from residency.jury.record_models import Decision, DiscussionMessage, LedgerRecord
from tests.invisible import Route, assert_routes_listed, differences, to_login
from tests.jury.scoring_support import GOOD, assign, make_round, store_file

#: The coordinators' and the chair's routes of a call, its members and its rounds.
MANAGE_ROUTES = [
    Route("jury.panel", ("GET",), ("call_id",)),
    Route("jury.invite", ("POST",), ("call_id",), form={"email": "eve@example.org", "role": "juror",
                                                          "language": "en"}),
    Route("jury.member", ("GET", "POST"), ("call_id", "member_id"), form={"max_load": "1", "expertise": "sound"}),
    Route("jury.remove_member", ("GET", "POST"), ("call_id", "member_id")),
    Route("jury.resend_invitation", ("POST",), ("call_id", "member_id")),
    Route("jury.settings", ("GET", "POST"), ("call_id",), form={"same_city_conflicts": "y"}),
    Route("jury.identifying_questions", ("GET", "POST"), ("call_id",), form={"questions": "statement"}),
    Route("jury.rounds", ("GET",), ("call_id",)),
    Route("jury.new_round", ("GET", "POST"), ("call_id",), form={"name": "Hijacked", "coverage": "eligible",
                                                                  "reviews_per_application": "2",
                                                                  "others_scores": "always"}),
    Route("jury.round", ("GET", "POST"), ("call_id", "round_id"), form={"name": "Hijacked",
                                                                        "reviews_per_application": "2"}),
    Route("jury.move_round", ("GET", "POST"), ("call_id", "round_id"), fixed={"target": RoundPhase.CLOSED}),
    Route("jury.advance", ("POST",), ("call_id", "round_id"), form={"advanced": "1"}),
    Route("jury.assignment", ("GET",), ("call_id", "round_id")),
    Route("jury.assignment_propose", ("POST",), ("call_id", "round_id")),
    Route("jury.assignment_confirm", ("POST",), ("call_id", "round_id"), form={"token": "x"}),
    Route("jury.assignment_pair", ("POST",), ("call_id", "round_id"), form={"application": "1", "member": "1",
                                                                            "action": "remove"}),
    Route("jury.assignment_reassign", ("POST",), ("call_id", "round_id"), form={"juror": "1"}),
    Route("jury.panel_conflicts", ("GET",), ("call_id",)),
    Route("jury.progress", ("GET",), ("round_id",)),
    Route("jury.deliberation_page", ("GET",), ("round_id",)),
    Route("jury.deliberation_application", ("GET",), ("round_id", "application_id")),
    Route("jury.decide", ("POST",), ("round_id", "application_id"), form={"stage": "final", "outcome": "selected",
                                                                         "rationale": "Hijacked"}),
    Route("jury.publish_decisions", ("GET", "POST"), ("call_id",)),
    Route("jury.export_csv", ("GET",), ("round_id",), fixed={"what": "scores"}),
    Route("jury.export_csv", ("GET",), ("round_id",), fixed={"what": "ranking"}),
    Route("jury.export_xlsx", ("GET",), ("round_id",)),
]

#: A panel member's own routes of a call and of a round.
MEMBER_ROUTES = [
    Route("jury.conflicts_page", ("GET", "POST"), ("call_id",), form={"application": "1", "conflict-1": "1",
                                                                      "reason-1": "Hijacked"}),
    Route("jury.declare_no_conflicts", ("POST",), ("call_id",)),
    Route("jury.bids_page", ("GET", "POST"), ("call_id",), form={"bid-1": Bid.EAGER}),
    Route("jury.membership", ("GET",), ("call_id",)),
    Route("jury.step_down", ("GET", "POST"), ("call_id",), form={"message": "Bye"}),
    Route("jury.round_applications", ("GET",), ("round_id",)),
    Route("jury.my_scores_csv", ("GET",), ("round_id",)),
]

#: A juror's routes of one application in one round.
APPLICATION_ROUTES = [
    Route("jury.score_page", ("GET",), ("round_id", "application_id")),
    Route("jury.save_scores", ("POST",), ("round_id", "application_id"), form={**GOOD, "action": "save",
                                                                               "loaded_review": ""}),
    Route("jury.save_scores", ("POST",), ("round_id", "application_id"),
          form={"action": "abstain", "abstain_reason": "Hijacked", "loaded_review": ""}),
    Route("jury.application_file", ("GET",), ("round_id", "application_id", "asset_id"), fixed={"which": "original"}),
    Route("jury.application_file", ("GET",), ("round_id", "application_id", "asset_id"), fixed={"which": "preview"}),
]

#: The discussion of an application of a round: the round's jurors and its chair, none conflicted.
DISCUSSION_ROUTES = [
    Route("jury.discussion_page", ("GET",), ("round_id", "application_id")),
    Route("jury.post_to_discussion", ("POST",), ("round_id", "application_id"), form={"body": "Hijacked"}),
]

ROUTES = MANAGE_ROUTES + MEMBER_ROUTES + APPLICATION_ROUTES + DISCUSSION_ROUTES

EXEMPT = {
    "jury.invitation": "named by the single-use secret token e-mailed to the invitee: holding it is the authority; "
                       "an unknown, used or expired token is refused whatever exists",
}

WHO = ["artist", "applicant of the call", "coordinator of another city", "juror of another call",
       "festival programmer", "invited, not yet on the panel", "former juror of the call"]


@pytest.fixture
def existing(db, call, make_application, make_asset, make_member, make_user):
    """A jury of a Lyon call: a chair, a juror, an invited member and one who left; a round in
    scoring whose confirmed assignment gives the juror an application with a stored file; a bid."""
    applicant = make_user(name="Ada Applicant")
    portfolio = make_asset(applicant, "portfolio.pdf", content="a portfolio")
    application = make_application(call, owner=applicant, files=[portfolio], eligible=True)
    store_file(portfolio, b"%PDF-1.4 a portfolio", application)
    others = [make_application(call, eligible=True) for _ in range(2)]
    juror = make_member(call, make_user(name="Jo Juror"))
    make_member(call, make_user(name="Chris Chair"), role=MemberRole.CHAIR)
    invited = make_member(call, make_user(name="Ivy Invited"), status=MemberStatus.INVITED)
    former = make_member(call, make_user(name="Fred Former"), status=MemberStatus.WITHDRAWN)
    round_ = make_round(call, applications=[application, *others], closes_in=timedelta(days=5))
    assign(round_, juror, application)
    db.session.add(Preference(member_id=juror.id, application_id=others[0].id, bid=Bid.EAGER, updated_at=utcnow()))
    db.session.commit()
    return {"call_id": call.id, "member_id": invited.id, "round_id": round_.id, "application_id": application.id,
            "asset_id": portfolio.id, "applicant": applicant, "juror": juror, "others": others,
            "invited": invited.user, "former": former.user}


@pytest.fixture
def people(make_user, make_call, make_member, other_city, existing):
    another_call = make_call(owner_city=other_city)
    juror_elsewhere = make_user(email="juror@elsewhere.example")
    make_member(another_call, juror_elsewhere)
    return {
        "artist": make_user(email="artist@example.org"),
        "applicant of the call": existing["applicant"],
        "coordinator of another city": make_user(email="linz@example.org",
                                                 roles=[("city_coordinator", "city", other_city.id)]),
        "juror of another call": juror_elsewhere,
        "festival programmer": make_user(email="fest@example.org", roles=[("festival_programmer", "festival", 1)]),
        "invited, not yet on the panel": existing["invited"],
        "former juror of the call": existing["former"],
    }


def snapshot():
    """What the refused requests could have changed."""
    db.session.expire_all()
    return {
        "audit": db.session.scalar(db.select(db.func.count(AuditEntry.id))),
        "members": sorted(db.session.execute(db.select(PanelMember.id, PanelMember.status, PanelMember.max_load))
                          .tuples()),
        "rounds": sorted(db.session.execute(db.select(Round.id, Round.name, Round.phase)).tuples()),
        "reviews": db.session.scalar(db.select(db.func.count(Review.id))),
        "conflicts": db.session.scalar(db.select(db.func.count(Conflict.id))),
        "bids": sorted(db.session.execute(db.select(Preference.member_id, Preference.application_id, Preference.bid))
                       .tuples()),
        "assignments": sorted(db.session.execute(db.select(Assignment.member_id, Assignment.application_id,
                                                           Assignment.removed_at)).tuples()),
        "decisions": db.session.scalar(db.select(db.func.count(Decision.id))),
        "discussion": db.session.scalar(db.select(db.func.count(DiscussionMessage.id))),
        "ledger": db.session.scalar(db.select(db.func.count(LedgerRecord.id))),
    }


def test_every_jury_route_taking_an_id_is_in_the_table(app):
    """A new route with an id fails here until it is added to the tables (or exempted, with a reason)."""
    assert_routes_listed(app, "jury", ROUTES, EXEMPT)


@pytest.mark.parametrize("who", WHO)
def test_a_jury_one_may_not_see_is_answered_as_a_missing_one(app, client, login_as, people, existing, who):
    """Every route of the call's jury, its members, rounds and applications: 404 and the same page
    as for no such call, member, round, application or file."""
    login_as(people[who])
    assert differences(app, client, ROUTES, existing) == []


def test_visitors_are_sent_to_log_in_for_every_id(app, client, existing):
    """Not logged in: the login page for an existing id and for a missing one alike."""
    assert differences(app, client, ROUTES, existing, expected=to_login) == []


def test_nothing_changed(app, client, login_as, people, existing):
    """The refused writes changed nothing: no member, round, conflict, bid, score or audit entry."""
    before = snapshot()
    for who in WHO:
        login_as(people[who])
        differences(app, client, ROUTES, existing)
    assert snapshot() == before


@pytest.fixture
def unassigned(call, existing, make_member, make_user):
    """The juror's view of ``others[0]``: covered by the round, assigned in it to another juror, and
    to the juror in another, closed round only (a pair elsewhere opens nothing here)."""
    other = existing["others"][0]
    round_ = db.session.get(Round, existing["round_id"])
    assign(round_, make_member(call, make_user()), other)
    closed = make_round(call, phase=RoundPhase.CLOSED, closes_in=None)
    assign(closed, existing["juror"], other)
    return {**existing, "application_id": other.id}


def test_a_juror_meets_an_application_not_assigned_to_them_as_a_missing_one(app, client, login_as, existing,
                                                                            unassigned):
    """Not assigned in this round (though covered by it, assigned to another juror, and to them in
    another round): 404 and the same page as for no such application, round or file."""
    login_as(existing["juror"].user)
    assert differences(app, client, APPLICATION_ROUTES, unassigned) == []


@pytest.mark.parametrize("state", ["removed", "proposed"])
def test_a_removed_or_unconfirmed_pair_is_answered_as_a_missing_one(app, client, login_as, existing, state):
    """A pair the chair removed, or only proposed: 404 and the same page as for a missing one."""
    round_ = db.session.get(Round, existing["round_id"])
    other = existing["others"][1]
    assign(round_, existing["juror"], other, confirmed=state != "proposed", removed=state == "removed")
    login_as(existing["juror"].user)
    assert differences(app, client, APPLICATION_ROUTES, {**existing, "application_id": other.id}) == []


@pytest.mark.parametrize("source", [ConflictSource.DECLARED, ConflictSource.AUTOMATIC])
def test_a_conflicted_juror_meets_their_assigned_application_as_a_missing_one(app, client, login_as, existing,
                                                                             source):
    """Assigned, then in conflict (declared or found in the data) while the pair is still there:
    404 and the same page as for no such application, on every route of it, the file included."""
    juror = existing["juror"]
    reason = ConflictReason.DECLARED if source == ConflictSource.DECLARED else ConflictReason.COLLABORATOR
    db.session.add(Conflict(call_id=existing["call_id"], member_id=juror.id, application_id=existing["application_id"],
                            source=source, reason=reason, details="Ada"))
    db.session.commit()
    assert db.session.execute(db.select(Assignment).where(
        Assignment.member_id == juror.id, Assignment.application_id == existing["application_id"],
        Assignment.removed_at.is_(None))).scalar_one()
    login_as(juror.user)
    assert differences(app, client, APPLICATION_ROUTES, existing) == []


def test_the_assigned_juror_still_opens_the_application(client, login_as, existing):
    """The rule hides nothing from the juror it is assigned to: the page and the file open."""
    login_as(existing["juror"].user)
    base = f"/jury/rounds/{existing['round_id']}/applications/{existing['application_id']}"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}/files/{existing['asset_id']}/original").status_code == 302


def test_another_calls_members_and_rounds_are_missing_ones_in_this_calls_pages(app, client, login_as, coordinator,
                                                                                 existing, make_call, make_member,
                                                                                 make_user, other_city):
    """The call's coordinator, who sees its jury, names a member or a round of another city's call
    in this call's pages (or a round of it on the round's own pages): 404 and the same page as for
    ids that name nothing."""
    elsewhere = make_call(owner_city=other_city)
    stranger = make_member(elsewhere, make_user(name="Sam Stranger"))
    round_elsewhere = make_round(elsewhere)
    login_as(coordinator)
    routes = [route for route in ROUTES if {"member_id", "round_id"} & set(route.ids)]
    assert differences(app, client, routes, {**existing, "member_id": stranger.id,
                                             "round_id": round_elsewhere.id}) == []
