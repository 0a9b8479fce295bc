"""A juror's data: exported with the rest; on deletion the juror leaves the panel, their member row
is anonymised and the panel's records (assignments, comments) stay. An applicant whose
application a jury holds records of keeps it stripped, not deleted."""

from residency.accounts import data_rights
from residency.accounts.models import RoleGrant
from residency.applications.models import Application
from residency.audit.operations import verify_log
from residency.core.personal_data import export_all
from residency.jury.models import Assignment, Comment, MemberStatus, PanelMember, Preference
from tests.accounts.data_rights_support import traces
from tests.conftest import DEFAULT_PASSWORD
from tests.jury.scoring_support import assign, make_round

JUROR = "juniper.examiner@example.org"


def test_a_juror_is_exported_then_erased_and_the_panels_records_stay(db, call, make_user, make_member, make_application):
    juror = make_user(email=JUROR, name="Juniper Examiner")
    member = make_member(call, juror, expertise=["juniper-expertise"], collaborators=["Jasper Collaborator"])
    make_member(call)  # another juror takes over the pairs
    first, second = make_application(call, eligible=True), make_application(call, eligible=True)
    round_ = make_round(call, applications=[first, second])
    assign(round_, member, first)
    db.session.add(Comment(round_id=round_.id, member_id=member.id, application_id=first.id, body="Strong sound work."))
    db.session.add(Preference(member_id=member.id, application_id=second.id, bid="eager"))
    db.session.commit()

    data, _files = export_all(juror)
    jury = data["jury"]
    assert jury["panels"][0]["expertise"] == ["juniper-expertise"]
    assert jury["comments"][0]["body"] == "Strong sound work." and jury["bids"][0]["bid"] == "eager"

    data_rights.delete_account(juror, DEFAULT_PASSWORD, JUROR)
    db.session.commit()
    db.session.expire_all()
    member = db.session.get(PanelMember, member.id)
    assert member.status == MemberStatus.WITHDRAWN and member.email.endswith("@deleted.invalid")
    assert member.expertise == [] and member.collaborators == []
    assert traces(JUROR, "Juniper Examiner", "juniper-expertise", "Jasper Collaborator") == []
    assert db.session.scalar(db.select(db.func.count(Comment.id)).where(Comment.member_id == member.id)) == 1
    assert db.session.scalar(db.select(db.func.count(RoleGrant.id)).where(RoleGrant.user_id == juror.id)) == 0
    assert verify_log()[0] is None


def test_an_application_the_jury_holds_records_of_is_stripped_not_deleted(db, call, make_user, make_member,
                                                                          make_application):
    applicant = make_user(email="applicant.ines@example.org", name="Ines Applicant")
    application = make_application(call, owner=applicant, eligible=True, answers={"statement": "Ines's salt marshes"})
    member = make_member(call)
    assign(make_round(call, applications=[application]), member, application)

    data_rights.delete_account(applicant, DEFAULT_PASSWORD, "applicant.ines@example.org")
    db.session.commit()
    db.session.expire_all()
    kept = db.session.get(Application, application.id)
    assert kept is not None and kept.state == "submitted" and set(kept.answers) == {"_erased_at"}
    assert db.session.scalar(db.select(db.func.count(Assignment.id)).where(
        Assignment.application_id == application.id)) == 1
    assert traces("applicant.ines@example.org", "Ines Applicant", "salt marshes") == []
