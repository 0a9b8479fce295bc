"""Every score, every change of a score and every decision is an append-only record in a SHA-256
hash chain per call; `flask residency verify-jury CALL` re-verifies it and names the first broken
record: a score row edited directly in the database, a record changed or removed, a sheet or a
decision written behind the application's back. The chair's page says whether it verifies."""

import pytest
from sqlalchemy import text

from residency.jury import decisions, ledger, scoring
from residency.jury.ledger import AppendOnly, Kind
from residency.jury.models import Review, Score
from residency.jury.record_models import Decision, LedgerRecord
from tests.jury.deliberation_support import closed, jury  # noqa: F401  (fixtures)


def verify_cli(app, call):
    """The command's result; ``output`` holds what it wrote to stdout and stderr."""
    return app.test_cli_runner().invoke(args=["residency", "verify-jury", str(call)])


def records(db, call_id):
    return db.session.execute(db.select(LedgerRecord).where(LedgerRecord.call_id == call_id)
                              .order_by(LedgerRecord.seq)).scalars().all()


def test_every_sheet_is_a_chained_record_and_the_chain_verifies(app, db, jury):
    chain = records(db, jury.call.id)
    assert len(chain) == 18 and {r.kind for r in chain} == {Kind.SCORE}
    assert chain[0].previous == ledger.GENESIS
    assert all(later.previous == earlier.digest for earlier, later in zip(chain, chain[1:]))
    assert all(len(r.digest) == 64 for r in chain)
    result = verify_cli(app, jury.call.id)
    assert result.exit_code == 0, result.output
    assert "holds (18 records)" in result.output
    assert verify_cli(app, jury.call.slug).exit_code == 0


def test_a_changed_score_is_a_new_record_never_an_update(db, jury):
    """The earlier record and sheet stay as they were; the change is appended."""
    assignment = jury.assignments["fair", 0]
    before = scoring.current_review(assignment.id)
    first_digest = records(db, jury.call.id)[0].digest
    changed = scoring.submit_review(jury.jurors["fair"], assignment, {"c1": 1, "c2": 1, "c3": 1},
                                    loaded_review_id=before.id)
    db.session.commit()
    chain = records(db, jury.call.id)
    assert chain[-1].kind == Kind.SCORE_CHANGE and chain[-1].ref_id == changed.id
    assert chain[-1].payload["supersedes"] == before.id and chain[-1].payload["scores"]["c1"] == 1.0
    assert chain[0].digest == first_digest
    assert ledger.verify(jury.call.id).ok


def test_a_score_row_edited_in_the_database_is_named(app, db, jury):
    review = scoring.current_review(jury.assignments["harsh", 2].id)
    record_seq = next(r.seq for r in records(db, jury.call.id) if r.ref_id == review.id)
    db.session.execute(text("UPDATE jury_scores SET value = 5 WHERE review_id = :id AND criterion_id = 'c1'"),
                       {"id": review.id})
    db.session.commit()
    result = ledger.verify(jury.call.id)
    assert not result.ok and result.broken[0] == record_seq
    assert f"record #{record_seq} (score sheet {review.id})" in result.broken[1] and "scores" in result.broken[1]
    cli = verify_cli(app, jury.call.id)
    assert cli.exit_code == 1
    assert f"BROKEN: record #{record_seq} (score sheet {review.id})" in cli.output


def test_the_first_broken_record_is_named_when_several_are(db, jury):
    chain = records(db, jury.call.id)
    for victim in (chain[9], chain[4]):
        db.session.execute(text("DELETE FROM jury_scores WHERE review_id = :id"), {"id": victim.ref_id})
    db.session.commit()
    assert ledger.verify(jury.call.id).broken[0] == chain[4].seq


@pytest.mark.parametrize("tamper", ["payload", "digest", "removed", "reordered"])
def test_a_record_changed_or_removed_breaks_the_chain(db, jury, tamper):
    chain = records(db, jury.call.id)
    victim = chain[5]
    seq = victim.seq
    if tamper == "payload":
        payload = dict(victim.payload, scores={**victim.payload["scores"], "c1": 1.0})
        db.session.execute(LedgerRecord.__table__.update().where(LedgerRecord.id == victim.id).values(payload=payload))
    elif tamper == "digest":
        db.session.execute(LedgerRecord.__table__.update().where(LedgerRecord.id == victim.id).values(digest="0" * 64))
    elif tamper == "removed":
        db.session.execute(LedgerRecord.__table__.delete().where(LedgerRecord.id == victim.id))
    else:
        db.session.execute(LedgerRecord.__table__.update().where(LedgerRecord.id == chain[6].id).values(seq=1000))
        db.session.execute(LedgerRecord.__table__.update().where(LedgerRecord.id == victim.id).values(seq=7))
        db.session.execute(LedgerRecord.__table__.update().where(LedgerRecord.id == chain[6].id).values(seq=6))
    db.session.commit()
    result = ledger.verify(jury.call.id)
    assert not result.ok
    assert result.broken[0] == seq
    assert f"record #{seq}" in result.broken[1]


def test_the_last_records_removed_are_noticed(db, jury):
    last = records(db, jury.call.id)[-1]
    db.session.execute(LedgerRecord.__table__.delete().where(LedgerRecord.id == last.id))
    db.session.commit()
    result = ledger.verify(jury.call.id)
    assert not result.ok and "removed" in result.broken[1]


def test_a_sheet_written_behind_the_applications_back_is_named(db, jury):
    """A sheet inserted directly (no record) is named by the verifier."""
    assignment = jury.assignments["fair", 1]
    current = scoring.current_review(assignment.id)
    db.session.execute(Review.__table__.insert().values(
        assignment_id=assignment.id, round_id=jury.round.id, member_id=jury.jurors["fair"].id,
        application_id=assignment.application_id, abstained=False, abstain_reason="", supersedes_id=current.id,
        submitted_at=current.submitted_at))
    db.session.commit()
    result = ledger.verify(jury.call.id)
    assert not result.ok and "has no record in the chain" in result.broken[1]


def test_records_and_decisions_cannot_be_changed_through_the_application(db, closed):
    """The models refuse a change in place at flush: a record, a decision (even published)."""
    record = records(db, closed.call.id)[0]
    record.kind = "tampered"
    with pytest.raises(AppendOnly):
        db.session.flush()
    db.session.rollback()
    decision = decisions.decide(closed.chair.user, closed.round, closed.applications[0].id, "selected", "Strong")
    db.session.commit()
    decisions.publish(closed.chair.user, closed.call)
    db.session.commit()
    decision = db.session.get(Decision, decision.id)
    decision.outcome = "declined"
    with pytest.raises(AppendOnly, match="record a new decision"):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AppendOnly):
        db.session.delete(db.session.get(Decision, decision.id))
        db.session.flush()
    db.session.rollback()


def test_a_published_decision_changed_in_the_database_is_named(db, closed):
    decision = decisions.decide(closed.chair.user, closed.round, closed.applications[0].id, "selected", "Strong")
    db.session.commit()
    decisions.publish(closed.chair.user, closed.call)
    db.session.commit()
    db.session.execute(Decision.__table__.update().where(Decision.id == decision.id).values(outcome="declined"))
    db.session.commit()
    result = ledger.verify(closed.call.id)
    assert not result.ok and f"decision {decision.id}" in result.broken[1] and "outcome" in result.broken[1]


def test_decisions_and_publications_are_chained_with_the_scores(db, closed):
    decision = decisions.decide(closed.chair.user, closed.round, closed.applications[0].id, "selected", "Strong")
    db.session.commit()
    decisions.publish(closed.chair.user, closed.call)
    db.session.commit()
    chain = records(db, closed.call.id)
    assert [r.kind for r in chain[-2:]] == [Kind.DECISION, Kind.PUBLICATION]
    assert chain[-2].payload["outcome"] == "selected" and chain[-2].payload["by"] == closed.chair.user.id
    assert ledger.verify(closed.call.id).ok


def test_the_chairs_page_says_the_record_verifies_and_when_it_does_not(client, login_as, db, closed):
    login_as(closed.chair.user)
    page = client.get(f"/jury/rounds/{closed.round.id}/deliberation").get_data(as_text=True)
    assert 'data-chain="ok"' in page and "The record verifies" in page
    db.session.execute(Score.__table__.update().where(Score.criterion_id == "c2").values(value=3))
    db.session.commit()
    page = client.get(f"/jury/rounds/{closed.round.id}/deliberation").get_data(as_text=True)
    assert 'data-chain="broken"' in page and "does NOT verify" in page


def test_an_unknown_call_is_refused_by_the_command(app):
    result = app.test_cli_runner().invoke(args=["residency", "verify-jury", "no-such-call"])
    assert result.exit_code != 0 and "no call" in result.output
