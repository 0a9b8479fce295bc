"""A scored round for the deliberation, decision and record tests: a Lyon call (``RUBRIC``), its
chair, three jurors (one lenient, one fair, one harsh) who each scored six applications through
the scoring operation (so every sheet is in the call's hash chain), one application they
disagree on; then scoring closes."""

from dataclasses import dataclass

import pytest

from residency.extensions import db as _db
from residency.jury import scoring
from residency.jury.models import MemberRole, RoundPhase
from residency.core.types import utcnow
from residency.jury.models import Assignment
from tests.jury.scoring_support import make_round

#: Each application's merit on a 1–5 scale (the first is the best), and each juror's bias.
MERIT = [5, 4, 4, 3, 2, 1]
BIAS = {"lenient": 1, "fair": 0, "harsh": -1}


def sheet(merit, bias):
    """Scores for RUBRIC (c1, c2 on 1–5, c3 on 0–10) of an application of ``merit`` by a juror of ``bias``."""
    clamp = lambda value, low, high: max(low, min(high, value))  # noqa: E731
    return {"c1": clamp(merit + bias, 1, 5), "c2": clamp(merit + bias, 1, 5), "c3": clamp(2 * merit + 2 * bias, 0, 10)}


@dataclass
class Jury:
    call: object
    round: object
    chair: object
    jurors: dict        # kind -> member
    applications: list
    assignments: dict   # (kind, index) -> assignment

    def close(self):
        self.round.phase = RoundPhase.CLOSED
        _db.session.commit()


@pytest.fixture
def jury(call, make_member, make_user, make_application):
    """The scored round, still open for scoring (``jury.close()`` closes it)."""
    applications = [make_application(call, eligible=True, owner=make_user(name=f"Artist {i}", locale="fr" if i == 0
                                                                           else "en")) for i in range(len(MERIT))]
    chair = make_member(call, make_user(name="Chris Chair"), role=MemberRole.CHAIR)
    jurors = {kind: make_member(call, make_user(name=f"{kind.title()} Juror")) for kind in BIAS}
    round_ = make_round(call, applications=applications)
    assignments = {}
    now = utcnow()
    for kind, member in jurors.items():  # confirmed pairs, made directly (the assignment is tested elsewhere)
        for index, application in enumerate(applications):
            assignments[kind, index] = Assignment(round_id=round_.id, member_id=member.id,
                                                  application_id=application.id, confirmed_at=now)
    _db.session.add_all(assignments.values())
    _db.session.flush()
    for (kind, index), assignment in assignments.items():
        values = sheet(MERIT[index], BIAS[kind])
        if index == 3:  # the jurors disagree on this one
            values = sheet(5 if kind == "lenient" else 1, 0)
        scoring.submit_review(jurors[kind], assignment, values, comments=[("panel", f"{kind} on {index}"),
                                                                         ("applicant", f"Feedback from {kind}")])
    _db.session.commit()
    return Jury(call, round_, chair, jurors, applications, assignments)


@pytest.fixture
def closed(jury):
    jury.close()
    return jury
