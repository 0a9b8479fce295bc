"""An open call's rules cannot change in ways that harm applicants who submitted; other changes are
recorded and announced to them."""

import copy
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from residency.audit.models import AuditEntry
from residency.calls import operations
from residency.calls.models import CallChange
from residency.calls.operations import change_is_harmful, snapshot
from residency.notifications.models import EmailMessage
from tests.calls.conftest import NOW
from tests.conftest import deliver_outbox

PARIS = ZoneInfo("Europe/Paris")


def changed(call, edit):
    """``(before, after)`` snapshots where ``edit(after)`` changed the copy."""
    before = snapshot(call)
    after = copy.deepcopy(before)
    edit(after)
    return before, after


def question(after, qid):
    return next(q for q in after["form"] if q["id"] == qid)


def reasons(call, edit):
    return [str(reason) for reason in change_is_harmful(call, *changed(call, edit))]


# The rule, case by case ----------------------------------------------------------------------

def test_removing_a_question_that_submitted_applications_answered_is_harmful(open_call, artist, submit):
    """Applicants answered q4: removing it would drop part of what they sent."""
    submit(open_call, artist, {"q4": "Ana"})
    assert reasons(open_call, lambda a: a["form"].pop(3)) == [
        "“Nickname” cannot be removed: applicants who already submitted answered it."]


def test_removing_a_question_nobody_submitted_an_answer_to_is_allowed(open_call, artist, submit, make_user):
    """A question answered only in drafts (never submitted), or not at all, can go."""
    submit(open_call, artist, {"q1": "My project"})
    submit(open_call, make_user(), {"q4": "Draft only"}, version=0)
    assert reasons(open_call, lambda a: a["form"].pop(3)) == []


def test_changing_a_question_type_is_harmful(open_call):
    assert reasons(open_call, lambda a: question(a, "q4").update(type="long_text")) == [
        "The type of “Nickname” cannot change while the call is open."]


@pytest.mark.parametrize("old, new, harmful", [(300, 200, True), (300, 400, False), (300, None, False)])
def test_lowering_a_word_limit_is_harmful_raising_or_removing_it_is_not(open_call, old, new, harmful):
    """Texts written for 300 words must stay valid: 200 harms, 400 or no limit do not."""
    assert question(snapshot(open_call), "q1")["word_limit"] == old
    assert bool(reasons(open_call, lambda a: question(a, "q1").update(word_limit=new))) is harmful


def test_adding_a_word_limit_where_there_was_none_is_harmful(open_call):
    before, after = snapshot(open_call), snapshot(open_call)
    question(before, "q1")["word_limit"] = None
    assert [str(r) for r in change_is_harmful(open_call, before, after)] == [
        "The word limit of “Project” cannot be lowered while the call is open."]


@pytest.mark.parametrize("update, harmful", [
    ({"max_size": 100_000_000}, True), ({"max_size": 900_000_000}, False),
    ({"max_count": 1}, True), ({"max_count": 5}, False),
    ({"kinds": ["audio"]}, True), ({"kinds": ["audio", "video"]}, False),
])
def test_tightening_file_limits_or_kinds_is_harmful_loosening_is_not(open_call, update, harmful):
    """Smaller size, fewer files or other kinds could reject files already sent; more is fine."""
    assert bool(reasons(open_call, lambda a: question(a, "q2").update(update))) is harmful


def test_adding_a_required_question_or_requiring_an_optional_one_is_harmful(open_call):
    """Applicants who submitted could not have answered it."""
    new = {"id": "q9", "type": "short_text", "label": {"en": "Pronouns"}, "help": {}, "required": True}
    assert reasons(open_call, lambda a: a["form"].append(new)) == [
        "A required question cannot be added while the call is open; add it as optional."]
    assert reasons(open_call, lambda a: a["form"].append(dict(new, required=False))) == []
    assert reasons(open_call, lambda a: question(a, "q4").update(required=True)) == [
        "“Nickname” cannot become required while the call is open."]


def test_removing_a_choice_is_harmful_adding_one_is_not(open_call):
    assert reasons(open_call, lambda a: question(a, "q3")["choices"].pop())
    extra = {"value": "o9", "label": {"en": "Spanish"}}
    assert reasons(open_call, lambda a: question(a, "q3")["choices"].append(extra)) == []


def test_moving_the_deadline_earlier_or_the_opening_later_is_harmful_extending_is_not(open_call):
    """Applicants planned for the announced deadline."""
    assert reasons(open_call, lambda a: a.update(closes_at=a["closes_at"] - timedelta(days=1))) == [
        "The deadline of an open call can be extended, not moved earlier."]
    assert reasons(open_call, lambda a: a.update(opens_at=a["opens_at"] + timedelta(hours=1)))
    assert reasons(open_call, lambda a: a.update(closes_at=a["closes_at"] + timedelta(days=7))) == []


@pytest.mark.parametrize("key, old, new, harmful", [
    ("countries", [], ["FR"], True),
    ("countries", ["FR", "AT"], ["FR"], True),
    ("countries", ["FR"], ["FR", "AT"], False),
    ("countries", ["FR"], [], False),
    ("career_stages", [], ["emerging"], True),
    ("career_stages", ["emerging"], ["emerging", "established"], False),
    ("city_ids", [1, 2], [2], True),
    ("city_ids", [1], [1, 2], False),
])
def test_stricter_eligibility_is_harmful_looser_is_not(open_call, key, old, new, harmful):
    """An allow-list that leaves out someone it let in harms; widening it (or emptying it: anyone) does not."""
    open_call.eligibility = {**open_call.eligibility, key: old}
    assert bool(reasons(open_call, lambda a: a["eligibility"].update({key: new}))) is harmful


def test_adding_or_flipping_an_eligibility_question_is_harmful_removing_one_is_not(open_call):
    condition = {"id": "e1", "label": {"en": "Do you live in Lyon?"}, "required_answer": "yes"}
    assert reasons(open_call, lambda a: a["eligibility"].update(questions=[condition]))
    open_call.eligibility = {**open_call.eligibility, "questions": [condition]}
    assert reasons(open_call, lambda a: a["eligibility"].update(questions=[dict(condition, required_answer="no")]))
    assert reasons(open_call, lambda a: a["eligibility"].update(questions=[])) == []


def test_no_longer_allowing_several_applications_is_harmful(open_call):
    open_call.allow_multiple_applications = True
    assert reasons(open_call, lambda a: a.update(allow_multiple_applications=False))
    open_call.allow_multiple_applications = False
    assert reasons(open_call, lambda a: a.update(allow_multiple_applications=True)) == []


def test_editing_texts_and_adding_optional_questions_is_not_harmful(open_call):
    def edit(after):
        after["texts"]["en"]["body"] = "A clearer text."
        after["form"].append({"id": "q9", "type": "url", "label": {"en": "Website"}, "help": {}, "required": False})

    assert reasons(open_call, edit) == []


# Through the operations: refused changes change nothing; allowed ones are recorded and announced.

def test_a_harmful_change_is_refused_and_leaves_the_call_as_it_was(db, open_call, coordinator, artist, submit):
    """Tightening the word limit of an open call: 409, form intact, nothing recorded or sent."""
    submit(open_call, artist, {"q1": "text"})
    form_before = copy.deepcopy(open_call.form)
    with pytest.raises(operations.InvalidCall) as refusal:
        operations.edit_question(coordinator, open_call, "q1", {"type": "long_text", "label": "Project",
                                                                "word_limit": 100, "required": True})
    assert refusal.value.status == 409
    assert open_call.form == form_before
    assert db.session.execute(db.select(CallChange)).first() is None
    assert db.session.execute(db.select(EmailMessage)).first() is None


def test_a_question_answered_by_applicants_cannot_be_removed_from_an_open_call(open_call, coordinator, artist, submit):
    submit(open_call, artist, {"q2": [12]})
    with pytest.raises(operations.InvalidCall):
        operations.remove_question(coordinator, open_call, "q2")
    assert open_call.question("q2") is not None


def test_extending_the_deadline_is_recorded_and_announced_to_applicants_who_submitted(
        db, open_call, coordinator, artist, make_user, submit, mailbox):
    """The CallChange keeps before/after; every applicant with a submitted version gets an e-mail."""
    submit(open_call, artist, {"q1": "text"})
    drafter = make_user(email="drafter@example.org")
    submit(open_call, drafter, {}, version=0)
    new_closes = open_call.closes_at + timedelta(days=7)
    local = new_closes.astimezone(PARIS).replace(tzinfo=None)
    opens_local = open_call.opens_at.astimezone(PARIS).replace(tzinfo=None)
    operations.set_timeline(coordinator, open_call, opens_local, local, "Europe/Paris", now=NOW)
    db.session.commit()

    change = db.session.execute(db.select(CallChange)).scalar_one()
    assert change.after == {"closes_at": new_closes.isoformat()}
    assert "The deadline is now" in change.summary
    assert db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "call.change_announced")).scalar_one().data["recipients"] == 1
    deliver_outbox()
    assert mailbox.to("drafter@example.org") == []
    [message] = mailbox.to("artist@example.org")
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Light and Code" in body
    assert local.strftime("%Y-%m-%d %H:%M") + " Europe/Paris" in body
    assert f"/calls/{open_call.slug}" in body


def test_an_optional_question_added_to_an_open_call_is_announced(db, open_call, coordinator, artist, submit):
    submit(open_call, artist, {"q1": "text"})
    operations.add_question(coordinator, open_call, {"type": "url", "label": "Website"})
    change = db.session.execute(db.select(CallChange)).scalar_one()
    assert change.summary == "A question was added: “Website” (optional)."
    assert db.session.execute(db.select(EmailMessage.to_address)).scalars().all() == ["artist@example.org"]


def test_changes_to_a_draft_are_neither_recorded_nor_announced(db, make_call, coordinator):
    """Before a call opens, nobody has applied: changes are free."""
    call = make_call(opens=NOW + timedelta(days=3), closes=NOW + timedelta(days=9), publish=True)
    operations.add_question(coordinator, call, {"type": "short_text", "label": "Required now", "required": True})
    assert db.session.execute(db.select(CallChange)).first() is None


def test_stricter_eligibility_on_an_open_call_is_refused_and_looser_is_announced(db, open_call, coordinator):
    """Limiting an open call to residents of France is refused; opening it to more cities is recorded."""
    from tests.calls.conftest import details

    with pytest.raises(operations.InvalidCall) as refusal:
        operations.update_details(coordinator, open_call, details(countries=["FR"]))
    assert refusal.value.status == 409
    assert open_call.eligibility["countries"] == []
    open_call.eligibility = {**open_call.eligibility, "career_stages": ["emerging"]}
    db.session.commit()
    operations.update_details(coordinator, open_call, details(career_stages=["emerging", "mid_career"]))
    change = db.session.execute(db.select(CallChange)).scalar_one()
    assert change.after["eligibility"]["career_stages"] == ["emerging", "mid_career"]
    assert "The eligibility conditions were relaxed." in change.summary
