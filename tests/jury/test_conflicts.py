"""Conflicts of interest: the automatic ones computed from the data, the ones a member declares,
what the chair sees of them, and who may reach the conflict pages."""

import re
from datetime import timedelta
from html import unescape

import pytest

from residency.applications.models import ApplicationMember
from residency.core.types import utcnow
from residency.extensions import db
from residency.jury import conflict_matching, conflicts, round_moves
from residency.jury.models import (
    Assignment,
    Conflict,
    ConflictReason,
    ConflictSource,
    JurySettings,
    MemberRole,
    MemberStatus,
    Round,
    RoundPhase,
)


def reasons_of(member):
    """``{(application id, reason, details)}`` of the member's conflicts."""
    rows = db.session.execute(db.select(Conflict).where(Conflict.member_id == member.id)).scalars()
    return {(row.application_id, row.reason, row.details) for row in rows}


def text_of(response):
    """The page's text, tags removed and spaces collapsed, as a reader meets it."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def conflicts_url(call):
    return f"/jury/calls/{call.id}/conflicts"


def panel_url(call):
    return f"/jury/calls/{call.id}/conflicts/panel"


def set_title(application, title):
    """Give the application's frozen version a short-text answer (the call's form has none)."""
    version = application.versions[-1]
    snapshot = dict(version.snapshot)
    snapshot["answers"] = [{"id": "title", "type": "short_text", "label": "Project title", "label_lang": "en",
                            "value": title}] + list(snapshot["answers"])
    version.snapshot = snapshot
    db.session.commit()


# --- Automatic conflicts -------------------------------------------------------------------------


def test_a_member_who_made_an_application_is_in_conflict_with_it_only(call, make_member, make_application, make_user):
    """Same person: the member's own application, and no other."""
    juror = make_user(email="jo@atelier-nord.fr")
    own = make_application(call, owner=juror, eligible=True)
    other = make_application(call, eligible=True)
    member = make_member(call, user=juror)

    conflicts.refresh_automatic_conflicts(call)

    assert reasons_of(member) == {(own.id, ConflictReason.SAME_PERSON, "")}
    assert conflicts.is_conflicted(member, own.id)
    assert not conflicts.is_conflicted(member, other.id)
    assert conflicts.conflicted_application_ids(member) == {own.id}


def test_a_co_applicant_is_in_conflict_by_account_or_by_address(call, make_member, make_application, make_user):
    """Co-applicant: a member of the application by their account (accepted), or by the address
    an invitation went to (not accepted yet, no account linked)."""
    by_account = make_user()
    by_address = make_user(email="Lea.Martin@example.net")
    with_account = make_application(call, eligible=True, members=[(by_account, True)])
    invited = make_application(call, eligible=True)
    db.session.add(ApplicationMember(application_id=invited.id, email="lea.martin@example.net"))
    db.session.commit()
    unrelated = make_application(call, eligible=True)
    first, second = make_member(call, user=by_account), make_member(call, user=by_address)

    conflicts.refresh_automatic_conflicts(call)

    assert reasons_of(first) == {(with_account.id, ConflictReason.CO_APPLICANT, "")}
    assert reasons_of(second) == {(invited.id, ConflictReason.CO_APPLICANT, "")}
    assert not conflicts.is_conflicted(first, unrelated.id)


def test_the_same_organisation_domain_is_a_conflict(call, make_member, make_application, make_user):
    """The member's e-mail domain is the applicant's or a co-applicant's: a conflict naming the domain."""
    juror = make_user(email="jo@atelier-nord.fr")
    colleague = make_user(email="ana@Atelier-Nord.fr")
    by_colleague = make_application(call, owner=colleague, eligible=True)
    with_colleague = make_application(call, eligible=True, members=[(make_user(email="kim@atelier-nord.fr"), True)])
    elsewhere = make_application(call, owner=make_user(email="li@studio-sud.org"), eligible=True)
    member = make_member(call, user=juror)

    conflicts.refresh_automatic_conflicts(call)

    assert reasons_of(member) == {
        (by_colleague.id, ConflictReason.EMAIL_DOMAIN, "atelier-nord.fr"),
        (with_colleague.id, ConflictReason.EMAIL_DOMAIN, "atelier-nord.fr"),
    }
    assert not conflicts.is_conflicted(member, elsewhere.id)


@pytest.mark.parametrize("juror_email, applicant_email", [
    ("jo@gmail.com", "ana@gmail.com"),
    ("jo@hotmail.co.uk", "ana@hotmail.co.uk"),
    ("jo@yahoo.fr", "ana@yahoo.fr"),
    ("jo@gmx.de", "ana@gmx.de"),
    ("jo@proton.me", "ana@proton.me"),
    ("jo@qq.com", "ana@qq.com"),
])
def test_a_shared_public_webmail_domain_is_no_conflict(call, make_member, make_application, make_user,
                                                        juror_email, applicant_email):
    """Everyone can have a gmail.com (hotmail.*, yahoo.*…) address: sharing one says nothing."""
    application = make_application(call, owner=make_user(email=applicant_email), eligible=True)
    member = make_member(call, user=make_user(email=juror_email))

    conflicts.refresh_automatic_conflicts(call)

    assert not conflicts.is_conflicted(member, application.id)
    assert reasons_of(member) == set()


def test_public_domains_are_told_apart_from_organisations():
    """The documented list: webmail services and their country variants, reserved example names;
    a university or studio domain, even one that starts like a webmail's name, is an organisation."""
    for domain in ("gmail.com", "outlook.com", "hotmail.fr", "yahoo.co.jp", "yandex.ru", "gmx.net", "web.de",
                   "mail.ru", "163.com", "naver.com", "icloud.com", "example.org", "demo.example.org", "studio.test"):
        assert conflict_matching.is_public_domain(domain), domain
    for domain in ("univ-lyon2.fr", "ars.electronica.art", "gmail-studio.com", "yahoo.mycompany.com", "example.org.uk"):
        assert not conflict_matching.is_public_domain(domain), domain


def test_a_listed_collaborator_is_a_conflict_without_case_or_accents(call, make_member, make_application, make_user):
    """Collaborators (names or addresses) match the applicant's and co-applicants' names and
    addresses whatever the case and accents; a similar but different name does not."""
    eloise = make_application(call, owner=make_user(name="Eloise LEVY"), eligible=True)
    with_ana = make_application(call, eligible=True, members=[(make_user(email="ana@studio.pt"), True)])
    dupond = make_application(call, owner=make_user(name="Jean Dupond"), eligible=True)
    member = make_member(call, collaborators=["Éloïse Lévy", "ANA@Studio.pt", "Jean Dupont"])

    conflicts.refresh_automatic_conflicts(call)

    assert reasons_of(member) == {
        (eloise.id, ConflictReason.COLLABORATOR, "Éloïse Lévy"),
        (with_ana.id, ConflictReason.COLLABORATOR, "ANA@Studio.pt"),
    }
    assert not conflicts.is_conflicted(member, dupond.id)


def test_the_same_city_is_a_conflict_only_when_the_call_says_so(call, make_member, make_application, make_user,
                                                               city, other_city):
    """With the call's setting on, a member living in the applicant's city is in conflict; with it
    off, or in another city, not."""
    member = make_member(call, user=make_user(city_id=city.id))
    same = make_application(call, eligible=True, city=city)
    elsewhere = make_application(call, eligible=True, city=other_city)

    conflicts.refresh_automatic_conflicts(call)
    assert reasons_of(member) == set()  # the setting is off

    db.session.add(JurySettings(call_id=call.id, same_city_conflicts=True))
    db.session.commit()
    conflicts.refresh_automatic_conflicts(call)
    assert reasons_of(member) == {(same.id, ConflictReason.SAME_CITY, city.name)}
    assert not conflicts.is_conflicted(member, elsewhere.id)


def test_refresh_is_idempotent_and_removes_stale_automatic_conflicts_only(call, make_member, make_application,
                                                                          make_user):
    """A second refresh changes nothing; a conflict that no longer holds goes, a declared one stays."""
    applicant = make_application(call, owner=make_user(name="Mira Sol"), eligible=True)
    other = make_application(call, eligible=True)
    member = make_member(call, collaborators=["Mira Sol"])
    db.session.add(Conflict(call_id=call.id, member_id=member.id, application_id=other.id,
                            source=ConflictSource.DECLARED, reason=ConflictReason.DECLARED, details="My cousin"))
    db.session.commit()

    assert conflicts.refresh_automatic_conflicts(call) == (1, 0)
    first = db.session.execute(db.select(Conflict.id).where(Conflict.member_id == member.id)).scalars().all()
    assert conflicts.refresh_automatic_conflicts(call) == (0, 0)
    assert db.session.execute(db.select(Conflict.id).where(Conflict.member_id == member.id)).scalars().all() == first

    member.collaborators = []
    db.session.commit()
    assert conflicts.refresh_automatic_conflicts(call) == (0, 1)
    assert reasons_of(member) == {(other.id, ConflictReason.DECLARED, "My cousin")}
    assert not conflicts.is_conflicted(member, applicant.id)


# --- The member's page ---------------------------------------------------------------------------


def test_the_member_sees_names_and_cities_but_not_the_applications_set_aside(
        call, make_member, make_application, make_user, login_as, client, city):
    """Outside a blind round the page names the applicant, the co-applicants and the city, so that
    a conflict can be recognised; an application the member is automatically in conflict with is
    not listed (only counted)."""
    juror = make_user(name="Jo Juror", email="jo@atelier-nord.fr")
    shown = make_application(call, owner=make_user(name="Ana Lima"), city=city, eligible=True,
                             members=[(make_user(name="Kim Park"), True)])
    hidden = make_application(call, owner=make_user(name="Secret Colleague", email="sc@atelier-nord.fr"),
                              eligible=True)
    make_member(call, user=juror)
    login_as(juror)

    response = client.get(conflicts_url(call))
    text = text_of(response)
    assert response.status_code == 200
    assert "Ana Lima" in text and "Kim Park" in text and city.name in text
    assert "Secret Colleague" not in text
    assert f'name="conflict-{shown.id}"' in response.get_data(as_text=True)
    assert f'name="conflict-{hidden.id}"' not in response.get_data(as_text=True)
    assert "1 application of this call is already set aside for you automatically" in text


def test_a_blind_round_shows_pseudonyms_and_titles_only_and_says_so(call, make_member, make_application, make_user,
                                                                    login_as, client, city):
    """While a round of the call is blind, the page shows each application's pseudonym and title,
    never who made it nor their city, and says why (see test_pseudonyms for the pseudonyms)."""
    application = make_application(call, owner=make_user(name="Ana Lima"), city=city, eligible=True)
    set_title(application, "Tidal Signals")
    db.session.add(Round(call_id=call.id, number=1, name="Shortlist", blind=True))
    db.session.commit()
    juror = make_user()
    make_member(call, user=juror)
    login_as(juror)

    text = text_of(client.get(conflicts_url(call)))
    assert "Tidal Signals" in text
    assert "Ana Lima" not in text and city.name not in text
    assert "goes by its number in the round" in text


def test_a_member_declares_a_conflict_with_a_reason(call, make_member, make_application, make_user, login_as, client):
    """Ticking an application with a reason stores a declared conflict with those words; the page
    shows it ticked; unticking withdraws it."""
    application, other = make_application(call, eligible=True), make_application(call, eligible=True)
    juror = make_user()
    member = make_member(call, user=juror)
    login_as(juror)

    response = client.post_form(conflicts_url(call), {
        "application": [str(application.id), str(other.id)],
        f"conflict-{application.id}": "1", f"reason-{application.id}": "  I taught this artist last year. ",
    })
    assert response.status_code == 302
    assert reasons_of(member) == {(application.id, ConflictReason.DECLARED, "I taught this artist last year.")}
    page = client.get(conflicts_url(call)).get_data(as_text=True)
    assert re.search(rf'name="conflict-{application.id}" value="1" checked', page)
    assert 'value="I taught this artist last year."' in page

    client.post_form(conflicts_url(call), {"application": [str(application.id), str(other.id)]})
    assert reasons_of(member) == set()


@pytest.mark.parametrize("fields, message", [
    ({"conflict-{id}": "1"}, "Say in a few words why you are in conflict with this application."),
    ({"conflict-{id}": "1", "reason-{id}": "   "}, "Say in a few words why you are in conflict with this application."),
    ({"reason-{id}": "My sister"}, "Tick the box to declare the conflict, or clear the reason."),
    ({"conflict-{id}": "1", "reason-{id}": "x" * 501}, "Keep the reason under 500 characters."),
])
def test_a_bad_declaration_is_refused_and_nothing_is_saved(call, make_member, make_application, make_user,
                                                           login_as, client, fields, message):
    """A conflict without a reason, a reason without a conflict, an overlong reason: the page comes
    back (400) with the problem next to the application, and no declaration is saved, not even a
    valid one sent along."""
    application, valid = make_application(call, eligible=True), make_application(call, eligible=True)
    juror = make_user()
    member = make_member(call, user=juror)
    login_as(juror)

    data = {name.format(id=application.id): value for name, value in fields.items()}
    data.update({"application": [str(application.id), str(valid.id)],
                 f"conflict-{valid.id}": "1", f"reason-{valid.id}": "Former student"})
    response = client.post_form(conflicts_url(call), data)

    assert response.status_code == 400
    text = text_of(response)
    assert "There is a problem" in text and "Nothing was saved." in text and message in text
    assert f'href="#reason-{application.id}"' in response.get_data(as_text=True)
    assert reasons_of(member) == set()


def test_a_hand_edited_declaration_on_an_automatic_conflict_is_answered_as_a_missing_id(
        call, make_member, make_application, make_user, login_as, client):
    """The page does not list an application the member is automatically in conflict with; a
    declaration sent anyway about it gets exactly the refusal a missing id gets, naming neither."""
    juror = make_user()
    own = make_application(call, owner=juror, eligible=True)
    member = make_member(call, user=juror)
    login_as(juror)

    answers = [client.post_form(conflicts_url(call), {f"conflict-{application_id}": "1",
                                                    f"reason-{application_id}": "Friend"})
               for application_id in (own.id, 2000000001)]

    assert [response.status_code for response in answers] == [400, 400]
    summaries = [re.search(r'<div class="error-summary".*?</div>', response.get_data(as_text=True),
                           flags=re.DOTALL).group(0) for response in answers]
    assert summaries[0] == summaries[1] and str(own.id) not in summaries[0]
    assert "An application not listed on this page: nothing was saved." in summaries[0]
    assert {reason for _app, reason, _details in reasons_of(member)} == {ConflictReason.SAME_PERSON}


def test_a_declaration_about_another_calls_application_or_a_malformed_id_is_refused(
        call, make_call, make_member, make_application, make_user, login_as, client):
    """An application of another call (or a draft) cannot be declared about; a malformed id is a bad request."""
    elsewhere = make_application(make_call(), eligible=True)
    draft = make_application(call, state="draft")
    juror = make_user()
    member = make_member(call, user=juror)
    login_as(juror)

    for application_id in (elsewhere.id, draft.id):
        response = client.post_form(conflicts_url(call), {f"conflict-{application_id}": "1",
                                                        f"reason-{application_id}": "Friend"})
        assert response.status_code == 400
        assert "An application not listed on this page: nothing was saved." in text_of(response)
        assert f"Application {application_id}" not in text_of(response)
    assert client.post_form(conflicts_url(call), {"application": "12abc"}).status_code == 400
    assert client.post_form(conflicts_url(call), {"conflict-99999999999": "1"}).status_code == 400
    assert reasons_of(member) == set()


def test_a_member_declares_having_no_conflict_at_all(call, make_member, make_application, make_user, login_as, client):
    """"No conflict with any of these" is recorded with its time, and refused while the member has
    declared conflicts; declaring one later clears it."""
    application = make_application(call, eligible=True)
    juror = make_user()
    member = make_member(call, user=juror)
    login_as(juror)

    response = client.post_form(f"/jury/calls/{call.id}/conflicts/none")
    assert response.status_code == 302
    db.session.refresh(member)
    assert member.declared_no_conflicts_at is not None
    assert "you declared that you have no conflict of interest" in text_of(client.get(conflicts_url(call)))

    client.post_form(conflicts_url(call), {f"conflict-{application.id}": "1", f"reason-{application.id}": "Partner"})
    db.session.refresh(member)
    assert member.declared_no_conflicts_at is None

    response = client.post_form(f"/jury/calls/{call.id}/conflicts/none")
    assert response.status_code == 400
    assert "You have declared conflicts: withdraw them before declaring that you have none." in text_of(response)
    db.session.refresh(member)
    assert member.declared_no_conflicts_at is None


# --- A conflict found after assignment -----------------------------------------------------------


def assigned_round(call, member, application, confirmed=True):
    now = utcnow()
    round_ = Round(call_id=call.id, number=1, name="Shortlist", phase="scoring", reviews_per_application=1,
                   assignment_confirmed_at=now if confirmed else None)
    db.session.add(round_)
    db.session.flush()
    assignment = Assignment(round_id=round_.id, member_id=member.id, application_id=application.id,
                            confirmed_at=now if confirmed else None)
    db.session.add(assignment)
    db.session.commit()
    return round_, assignment


def test_a_conflict_declared_after_assignment_removes_the_pair(call, make_member, make_application, make_user,
                                                               login_as, client):
    """The juror declares a conflict with an application assigned to them: the assignment is removed
    (reason "conflict"), so they no longer review it."""
    application = make_application(call, eligible=True)
    juror = make_user()
    member = make_member(call, user=juror)
    _round, assignment = assigned_round(call, member, application)
    login_as(juror)

    response = client.post_form(conflicts_url(call), {f"conflict-{application.id}": "1",
                                                    f"reason-{application.id}": "We share a studio"})

    assert response.status_code == 302
    db.session.refresh(assignment)
    assert assignment.removed_at is not None and assignment.removed_reason == "conflict"
    live = db.session.execute(db.select(Assignment).where(
        Assignment.member_id == member.id, Assignment.application_id == application.id,
        Assignment.removed_at.is_(None))).scalars().all()
    assert live == []


def test_an_automatic_conflict_found_after_assignment_removes_the_pair(call, make_member, make_application,
                                                                       make_user):
    """A collaborator listed after the assignment makes an automatic conflict at the next refresh,
    and the pair goes; an unconflicted pair stays."""
    application = make_application(call, owner=make_user(name="Mira Sol"), eligible=True)
    member = make_member(call)
    _round, assignment = assigned_round(call, member, application)

    conflicts.refresh_automatic_conflicts(call)
    db.session.refresh(assignment)
    assert assignment.removed_at is None

    member.collaborators = ["mira sol"]
    db.session.commit()
    conflicts.refresh_automatic_conflicts(call)
    db.session.refresh(assignment)
    assert assignment.removed_reason == "conflict"


# --- The chair's view ----------------------------------------------------------------------------


def test_the_chair_sees_every_conflict_and_why(call, make_member, make_application, make_user, login_as, client,
                                               city):
    """Per member and application, the reasons in words: same person, co-applicant, same domain
    (named), collaborator, same city, the member's declared reason."""
    db.session.add(JurySettings(call_id=call.id, same_city_conflicts=True))
    juror = make_user(name="Jo Juror", email="jo@atelier-nord.fr", city_id=city.id)
    own = make_application(call, owner=juror, eligible=True)
    colleague = make_application(call, owner=make_user(name="Ana Lima", email="ana@atelier-nord.fr"), city=city,
                                 eligible=True)
    coapplied = make_application(call, owner=make_user(name="Kim Park"), eligible=True, members=[(juror, True)])
    friend = make_application(call, owner=make_user(name="Mira Sol"), eligible=True)
    declared = make_application(call, owner=make_user(name="Noor Haddad"), eligible=True)
    member = make_member(call, user=juror, collaborators=["Mira Sol"])
    db.session.add(Conflict(call_id=call.id, member_id=member.id, application_id=declared.id,
                            source=ConflictSource.DECLARED, reason=ConflictReason.DECLARED, details="My cousin"))
    db.session.commit()
    chair = make_user(name="Cleo Chair")
    make_member(call, user=chair, role=MemberRole.CHAIR)
    login_as(chair)

    response = client.get(panel_url(call))
    assert response.status_code == 200
    text = text_of(response)
    assert "Same person: the member made this application" in text
    assert "Co-applicant" in text
    assert "Same e-mail domain (atelier-nord.fr)" in text
    assert "Listed collaborator (Mira Sol)" in text
    assert f"Same city ({city.name})" in text
    assert "Declared: My cousin" in text
    for name in ("Ana Lima", "Kim Park", "Mira Sol", "Noor Haddad"):
        assert name in text
    assert {application_id for application_id, _reason, _details in reasons_of(member)} == {
        own.id, colleague.id, coapplied.id, friend.id, declared.id}
    assert "Declared 1 conflict" in text


def test_in_a_blind_round_the_chair_sees_titles_and_the_coordinator_names(call, make_member, make_application,
                                                                          make_user, login_as, client, coordinator):
    """The chair, a panel member, sees a blind round's applications by title; the coordinators, who
    run the call, see who applied."""
    application = make_application(call, owner=make_user(name="Ana Lima"), eligible=True)
    set_title(application, "Tidal Signals")
    db.session.add(Round(call_id=call.id, number=1, name="Shortlist", blind=True))
    db.session.commit()
    make_member(call, collaborators=["ana lima"])
    chair = make_user()
    make_member(call, user=chair, role=MemberRole.CHAIR)

    login_as(chair)
    text = text_of(client.get(panel_url(call)))
    assert "Tidal Signals" in text and "Listed collaborator" in text
    assert "ana lima" not in text.lower()  # nor as the member listed the collaborator

    login_as(coordinator)
    assert "Ana Lima" in text_of(client.get(panel_url(call)))


def test_in_a_blind_round_the_chair_sees_that_a_conflict_was_declared_not_its_words(
        call, make_member, make_application, make_user, login_as, client, coordinator):
    """A declared reason is in the juror's own words, which may name who applied: while a round of
    the call that is not closed is blind the chair reads "Declared by the juror" only; the
    coordinators (not blind reviewers) read the reason; once no open round is blind, so does the chair."""
    application = make_application(call, owner=make_user(name="Ana Lima"), eligible=True)
    set_title(application, "Tidal Signals")
    round_ = Round(call_id=call.id, number=1, name="Shortlist", blind=True)
    db.session.add(round_)
    member = make_member(call)
    db.session.add(Conflict(call_id=call.id, member_id=member.id, application_id=application.id,
                            source=ConflictSource.DECLARED, reason=ConflictReason.DECLARED,
                            details="Ana Lima is my sister"))
    db.session.commit()
    chair = make_user()
    make_member(call, user=chair, role=MemberRole.CHAIR)

    login_as(chair)
    text = text_of(client.get(panel_url(call)))
    assert "Tidal Signals" in text and "Declared by the juror" in text
    assert "sister" not in text and "ana lima" not in text.lower()

    login_as(coordinator)
    assert "Declared: Ana Lima is my sister" in text_of(client.get(panel_url(call)))

    round_.phase = RoundPhase.CLOSED
    db.session.commit()
    login_as(chair)
    text = text_of(client.get(panel_url(call)))
    assert "Declared: Ana Lima is my sister" in text and "Declared by the juror" not in text


# --- Who may reach the pages ---------------------------------------------------------------------


def test_people_who_cannot_see_the_jury_get_404_like_a_missing_call(call, make_call, make_member, make_application,
                                                                    make_user, login_as, client, other_city):
    """An applicant, a coordinator of another city, a juror of another call, an invited (not yet
    active) member: the conflict pages answer 404, as for a call that does not exist."""
    applicant = make_user()
    make_application(call, owner=applicant, eligible=True)
    other_coordinator = make_user(roles=[("city_coordinator", "city", other_city.id)])
    other_juror = make_user()
    make_member(make_call(), user=other_juror)
    invited = make_user()
    make_member(call, user=invited, status=MemberStatus.INVITED)
    for user in (applicant, other_coordinator, other_juror, invited):
        login_as(user)
        for url in (conflicts_url(call), panel_url(call)):
            assert client.get(url).status_code == 404, (user.email, url)
        response = client.post_form(f"/jury/calls/{call.id}/conflicts/none")
        assert response.status_code == 404
    assert client.get("/jury/calls/999999/conflicts").status_code == 404


def test_people_who_see_the_jury_but_may_not_act_get_403(call, make_member, make_user, login_as, client, coordinator):
    """A juror reaching the chair's page, a coordinator (who sits on no panel) reaching a member's
    declaration page: 403."""
    juror = make_user()
    make_member(call, user=juror)
    login_as(juror)
    assert client.get(panel_url(call)).status_code == 403
    login_as(coordinator)
    assert client.get(conflicts_url(call)).status_code == 403
    assert client.post_form(f"/jury/calls/{call.id}/conflicts/none").status_code == 403
    assert client.get(panel_url(call)).status_code == 200


def test_a_visitor_who_is_not_logged_in_is_sent_to_log_in(call, client):
    """The jury pages need a login."""
    response = client.get(conflicts_url(call))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- A round entering scoring --------------------------------------------------------------------


def set_up_round(call, members, applications):
    """A round being set up whose confirmed assignment gives every application to every member."""
    now = utcnow()
    round_ = Round(call_id=call.id, number=1, name="Shortlist", reviews_per_application=1,
                   scoring_closes_at=now + timedelta(days=10), assignment_confirmed_at=now)
    db.session.add(round_)
    db.session.flush()
    for member in members:
        for application in applications:
            db.session.add(Assignment(round_id=round_.id, member_id=member.id, application_id=application.id,
                                      confirmed_at=now))
    db.session.commit()
    return round_


def live_pairs(round_):
    return set(db.session.execute(db.select(Assignment.member_id, Assignment.application_id).where(
        Assignment.round_id == round_.id, Assignment.removed_at.is_(None))).tuples())


@pytest.mark.parametrize("how", ["coordinator", "clock"])
def test_a_round_entering_scoring_refreshes_the_automatic_conflicts(call, make_member, make_application, make_user,
                                                                     login_as, client, coordinator, how):
    """A co-applicant who joined after the last refresh is a juror: when the round starts scoring
    (by a coordinator's hand or by the clock) the conflict is found, the pair removed and nobody
    else's pair touched, and the juror cannot open the application."""
    juror, other = make_user(email="noor@studio-nord.fr"), make_user()
    application, unrelated = make_application(call, eligible=True), make_application(call, eligible=True)
    member, other_member = make_member(call, user=juror), make_member(call, user=other)
    round_ = set_up_round(call, [member, other_member], [application, unrelated])
    conflicts.refresh_automatic_conflicts(call)
    db.session.commit()
    assert reasons_of(member) == set()
    db.session.add(ApplicationMember(application_id=application.id, email=juror.email, user_id=juror.id,
                                     accepted_at=utcnow()))
    db.session.commit()
    assert reasons_of(member) == set()  # nothing refreshed them yet

    if how == "coordinator":
        login_as(coordinator)
        response = client.post_form(f"/manage/calls/{call.id}/jury/rounds/{round_.id}/move/scoring")
        assert response.status_code == 302
    else:
        round_.scoring_opens_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        assert round_moves.tick() == ([round_.id], [])
        db.session.commit()

    db.session.refresh(round_)
    assert round_.phase == RoundPhase.SCORING
    assert reasons_of(member) == {(application.id, ConflictReason.CO_APPLICANT, "")}
    assert live_pairs(round_) == {(member.id, unrelated.id), (other_member.id, application.id),
                                  (other_member.id, unrelated.id)}
    removed = db.session.execute(db.select(Assignment).where(
        Assignment.member_id == member.id, Assignment.application_id == application.id)).scalar_one()
    assert removed.removed_reason == "conflict"
    login_as(juror)
    assert client.get(f"/jury/rounds/{round_.id}/applications/{application.id}").status_code == 404
    assert client.get(f"/jury/rounds/{round_.id}/applications/{unrelated.id}").status_code == 200

