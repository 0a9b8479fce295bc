"""The jury's part of the API: a panel member reads their live assignments and own score sheets;
in a blind round the application is named only by its pseudonym."""

from residency.jury.models import MemberStatus, Review, Score
from tests.api.conftest import bearer, is_problem
from tests.api.schema_check import conformance_problems, get_spec
from tests.jury.conftest import make_member  # noqa: F401  (fixture)
from tests.jury.scoring_support import assign, make_round

URL = "/api/v1/jury/assignments"


def test_a_juror_reads_their_assignments_and_sheets_blind_rounds_without_identity(app, db, client, make_call,
                                                                                   make_application, make_member,
                                                                                   make_token):
    call = make_call()
    first, second, other = (make_application(call) for _ in range(3))
    member = make_member(call)
    someone = make_member(call)
    open_round = make_round(call, applications=[first, second, other])
    blind_round = make_round(call, blind=True, applications=[first, second, other])
    scored = assign(open_round, member, first)
    assign(blind_round, member, second)
    assign(open_round, member, other, confirmed=False)  # a proposal: not theirs yet
    assign(open_round, someone, other)  # someone else's
    review = Review(assignment_id=scored.id, round_id=open_round.id, member_id=member.id, application_id=first.id)
    review.scores = [Score(criterion_id="c1", value=4.0)]
    db.session.add(review)
    db.session.commit()

    from residency.accounts.models import User

    user = db.session.get(User, member.user_id)
    raw = make_token(user, ["jury:read"])
    response = client.get(URL, headers=bearer(raw))
    assert conformance_problems(get_spec(client), "GET", URL, response) == []
    items = response.json["items"]
    assert [item["round"]["id"] for item in items] == [open_round.id, blind_round.id]
    visible, hidden = items
    assert visible["application"]["id"] == first.id and visible["application"]["applicant"] == first.owner.display_name
    assert visible["sheet"]["scores"] == [{"criterion_id": "c1", "value": 4.0}]
    assert hidden["application"] == {"label": hidden["application"]["label"], "id": None, "applicant": None}
    assert hidden["application"]["label"].startswith("Application ") and hidden["sheet"] is None

    member.status = MemberStatus.WITHDRAWN  # left the panel: nothing more to read
    db.session.commit()
    assert client.get(URL, headers=bearer(raw)).json["items"] == []


def test_the_jury_scope_needs_a_jury_role(app, client, make_user, make_token):
    import pytest

    from residency.core.errors import ActionRefused
    from residency.integrations.tokens import create_token

    with pytest.raises(ActionRefused):
        create_token(make_user(), "x", ["jury:read"], 30)
    raw = make_token(make_user(), ["applications:read"])
    assert is_problem(client.get(URL, headers=bearer(raw)), 403, "insufficient_scope")
