"""`make demo` (its jury part, on the accounts and calls parts) shows last year's Lyon call decided: a closed round with a full ranking, a juror
the calibrated model flags as lenient, an application the jurors disagree on (and discuss), and
published decisions; the call's record verifies; a second run changes nothing."""

import re

from residency.applications.models import Application
from residency.jury import decisions, deliberation, ledger
from residency.jury.demo_decisions import SLUG
from residency.jury.models import Review, Round, RoundPhase
from residency.jury.record_models import Decision, DiscussionMessage


def load(db):
    """The parts of the demo the decided call stands on (accounts, the Lyon call), then its own."""
    from residency.accounts.demo import load_demo_accounts
    from residency.calls.demo import load_demo_calls_and_jury
    from residency.cities.operations import load_cities
    from residency.jury.demo_decisions import load_demo_decisions

    load_cities()
    load_demo_accounts()
    load_demo_calls_and_jury()
    db.session.commit()
    lines = load_demo_decisions()
    db.session.commit()
    return "\n".join(lines)


def test_the_demo_has_a_decided_call(app, db, client, login_as):
    from residency.calls.models import Call

    assert "Demo decided call" in load(db)
    call = db.session.execute(db.select(Call).where(Call.slug == SLUG)).scalar_one()
    [round_] = db.session.execute(db.select(Round).where(Round.call_id == call.id)).scalars().all()
    assert round_.phase == RoundPhase.CLOSED
    table = deliberation.table(round_)
    assert all(len(line.places) == 3 for line in table.lines)  # every application ranked by every method
    width = table.scale[1] - table.scale[0]
    flagged = [member.email for member, juror, _words in table.jurors if deliberation.is_flagged_lenient(juror, width)]
    assert "lucas.juror@demo.example.org" in flagged
    lucas = next(words for member, _juror, words in table.jurors if member.email == "lucas.juror@demo.example.org")
    assert "above the panel" in str(lucas[0])
    assert sum(line.disagreement for line in table.lines) >= 1
    assert db.session.scalar(db.select(db.func.count(DiscussionMessage.id)).where(
        DiscussionMessage.round_id == round_.id)) == 2
    assert len(decisions.selected_applications(call.id)) == 3 and decisions.unpublished(call.id) == []
    states = db.session.execute(db.select(Application.state).where(Application.call_id == call.id)).scalars().all()
    assert sorted(states) == sorted(["selected"] * 3 + ["waitlisted"] * 2 + ["declined"] * 5)
    assert ledger.verify(call.id).ok

    from residency.accounts.operations import find_user_by_email

    login_as(find_user_by_email("chair@demo.example.org"))
    page = client.get(f"/jury/rounds/{round_.id}/deliberation").get_data(as_text=True)
    assert 'data-chain="ok"' in page and re.search(r"data-flagged", page) and "data-disagreement" in page

    counts = [db.session.scalar(db.select(db.func.count()).select_from(model)) for model in (Decision, Review)]
    assert "Demo decided call" in load(db)
    assert [db.session.scalar(db.select(db.func.count()).select_from(model)) for model in (Decision, Review)] == counts
