"""Writing a call: details, texts with fallback, the form builder and the rubric; each bad input refused."""

import pytest

from residency.audit.models import AuditEntry
from residency.calls import operations
from residency.calls.models import Call
from residency.core.errors import ActionRefused
from tests.calls.conftest import details


def problems_of(refusal):
    return {field: str(message) for field, message in refusal.value.problems}


def test_a_new_call_is_a_draft_in_its_city_timezone_with_a_slug_from_its_title(db, coordinator, city):
    """A coordinator's new call is a draft of their city, in its timezone, with an audit entry."""
    call = operations.create_call(coordinator, city, details(title="Lumières numériques — 2027"))
    assert (call.state, call.city_id, call.timezone, call.published_at) == ("draft", city.id, "Europe/Paris", None)
    assert call.slug == "lumieres-numeriques-2027"
    assert call.texts == {"en": {"title": "Lumières numériques — 2027", "summary": "A residency about light.",
                                 "body": "The full text.", "benefits": "A fee."}}
    db.session.commit()  # the audit entry is written with the commit, as the view's
    entry = db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "call.created")).scalar_one()
    assert (entry.actor_id, entry.object_id) == (coordinator.id, call.id)


def test_two_calls_with_the_same_title_get_different_slugs(db, coordinator, city):
    """Slugs are unique: the second call with a title gets "-2"."""
    first = operations.create_call(coordinator, city, details(title="Open Call"))
    second = operations.create_call(coordinator, city, details(title="Open  call!"))
    assert (first.slug, second.slug) == ("open-call", "open-call-2")


def test_a_network_wide_call_has_no_owner_city_utc_and_its_participating_cities(db, network_coordinator, city, other_city):
    """A network-wide call runs in UTC unless chosen, for the cities it names."""
    call = operations.create_call(network_coordinator, None, details(participating_city_ids=[city.id, other_city.id]))
    assert call.city_id is None and call.timezone == "UTC"
    assert {c.slug for c in call.cities} == {"lyon", "linz"}


@pytest.mark.parametrize("overrides, field", [
    ({"disciplines": ["knitting"]}, "disciplines"),
    ({"disciplines": []}, "disciplines"),
    ({"places": 0}, "places"),
    ({"places": None}, "places"),
    ({"title": "  "}, "title"),
    ({"main_language": "xx"}, "main_language"),
    ({"format": "on the moon"}, "format"),
    ({"countries": ["FR", "ZZ"]}, "countries"),
    ({"career_stages": ["legendary"]}, "career_stages"),
    ({"eligible_city_ids": [999999]}, "eligible_city_ids"),
    ({"title": "x" * 201}, "title"),
])
def test_bad_details_are_refused_on_their_field_and_nothing_is_created(db, coordinator, city, overrides, field):
    """Unknown discipline, 0 places, no title, unknown language/format/country/stage/city: refused, nothing saved."""
    with pytest.raises(operations.InvalidCall) as refusal:
        operations.create_call(coordinator, city, details(**overrides))
    assert field in problems_of(refusal)
    assert db.session.execute(db.select(Call)).first() is None


def test_every_problem_is_reported_at_once(coordinator, city):
    """The coordinator sees all the problems of the form, not one per attempt."""
    with pytest.raises(operations.InvalidCall) as refusal:
        operations.create_call(coordinator, city, details(title="", places=0, disciplines=["knitting"]))
    assert set(problems_of(refusal)) == {"title", "places", "disciplines"}


def test_residency_cannot_end_before_it_starts(coordinator, city):
    """The residency's end date is after its start date."""
    from datetime import date

    with pytest.raises(operations.InvalidCall) as refusal:
        operations.create_call(coordinator, city, details(residency_starts_on=date(2027, 5, 2),
                                                          residency_ends_on=date(2027, 5, 1)))
    assert "residency_ends_on" in problems_of(refusal)


def test_texts_fall_back_to_the_main_language_field_by_field(coordinator, city):
    """A translation may cover only some fields; the others show the main language."""
    call = operations.create_call(coordinator, city, details(main_language="fr", title="Lumières", summary="Résumé"))
    operations.update_translation(coordinator, call, "en", {"title": "Lights", "summary": ""})
    assert call.text("title", "en") == "Lights"
    assert call.text("summary", "en") == "Résumé"
    assert call.text("title", "pt") == "Lumières"
    assert operations.localized({"fr": "Lumières"}, "en", "fr") == ("Lumières", "fr")


def test_a_translation_cannot_target_the_main_language_or_an_unknown_one(coordinator, city):
    """The main language is edited with the details; only configured languages are translations."""
    call = operations.create_call(coordinator, city, details())
    for lang in ("en", "de"):
        with pytest.raises(ActionRefused):
            operations.update_translation(coordinator, call, lang, {"title": "X"})


def test_translating_questions_choices_and_criteria_keeps_the_main_language(coordinator, city):
    """Labels of questions, choices and criteria take a translation next to the main language's."""
    call = operations.create_call(coordinator, city, details())
    question = operations.add_question(coordinator, call, {"type": "single_choice", "label": "Language", "choices": ["French", "English"]})
    criterion = operations.add_criterion(coordinator, call, {"name": "Quality", "weight": 1, "scale_min": 0, "scale_max": 5})
    value = question["choices"][0]["value"]
    operations.update_translation(coordinator, call, "fr", {"title": "Lumière"}, {
        f"{question['id']}.label": "Langue", f"{question['id']}.choice.{value}": "Français",
        f"{criterion['id']}.name": "Qualité",
    })
    saved = call.question(question["id"])
    assert saved["label"] == {"en": "Language", "fr": "Langue"}
    assert saved["choices"][0]["label"] == {"en": "French", "fr": "Français"}
    assert call.rubric[0]["name"] == {"en": "Quality", "fr": "Qualité"}


def test_control_characters_are_removed_from_texts(coordinator, city):
    """Invisible control characters (which break feeds and e-mails) never reach the call."""
    call = operations.create_call(coordinator, city, details(title="Light\x00 and\x1b code"))
    assert call.text("title") == "Light and code"


# The form builder ---------------------------------------------------------------------------

ONE_OF_EACH = [
    {"type": "short_text", "label": "Title of the project", "required": True},
    {"type": "long_text", "label": "Describe it", "word_limit": 500},
    {"type": "single_choice", "label": "Language", "choices": ["French", "English"]},
    {"type": "multiple_choice", "label": "Tools", "choices": ["Code", "Light", "Sound"]},
    {"type": "url", "label": "Website"},
    {"type": "date", "label": "Available from"},
    {"type": "file", "label": "Video", "kinds": ["video"], "max_size": 1_000_000_000, "max_count": 1, "required": True},
]


def test_questions_of_every_type_get_stable_ids_in_order(coordinator, city):
    """Each question type is stored with its own settings and ids q1, q2…"""
    call = operations.create_call(coordinator, city, details())
    for spec in ONE_OF_EACH:
        operations.add_question(coordinator, call, spec)
    assert [q["id"] for q in call.form] == ["q1", "q2", "q3", "q4", "q5", "q6", "q7"]
    assert [q["type"] for q in call.form] == [s["type"] for s in ONE_OF_EACH]
    assert call.question("q2")["word_limit"] == 500
    assert [c["value"] for c in call.question("q4")["choices"]] == ["o1", "o2", "o3"]
    assert call.question("q7") | {"label": None} == {
        "id": "q7", "type": "file", "label": None, "help": {}, "required": True, "kinds": ["video"],
        "max_size": 1_000_000_000, "max_count": 1,
    }


def test_a_removed_question_id_is_never_reused(db, coordinator, city):
    """After removing q2 (the last), the next question is q3: old answers never attach to a new question."""
    call = operations.create_call(coordinator, city, details())
    operations.add_question(coordinator, call, {"type": "short_text", "label": "A"})
    operations.add_question(coordinator, call, {"type": "short_text", "label": "B"})
    operations.remove_question(coordinator, call, "q2")
    db.session.commit()
    assert operations.add_question(coordinator, call, {"type": "short_text", "label": "C"})["id"] == "q3"
    assert [q["id"] for q in call.form] == ["q1", "q3"]


def test_every_kind_of_item_keeps_its_removed_ids_counted_on_the_call(db, coordinator, city):
    """The call counts the ids it gave (the audit log is not read for it): after a removal, the
    next question, criterion and condition get the following number."""
    call = operations.create_call(coordinator, city, details())
    specs = {"question": {"type": "short_text", "label": "A"},
             "criterion": {"name": "Quality", "weight": 1, "scale_min": 0, "scale_max": 5},
             "condition": {"label": "Do you live here?", "required_answer": "yes"}}
    for kind, spec in specs.items():
        given = getattr(operations, f"add_{kind}")(coordinator, call, spec)["id"]
        getattr(operations, f"remove_{kind}")(coordinator, call, given)
    db.session.commit()
    assert (call.last_question_number, call.last_criterion_number, call.last_condition_number) == (1, 1, 1)

    assert [getattr(operations, f"add_{kind}")(coordinator, call, spec)["id"] for kind, spec in specs.items()] == [
        "q2", "c2", "e2"]
    assert (call.last_question_number, call.last_criterion_number, call.last_condition_number) == (2, 2, 2)


def test_questions_move_up_and_down_but_not_past_the_ends(coordinator, city):
    """Reordering swaps neighbours; the first question cannot move up."""
    call = operations.create_call(coordinator, city, details())
    for label in "ABC":
        operations.add_question(coordinator, call, {"type": "short_text", "label": label})
    operations.move_question(coordinator, call, "q3", "up")
    operations.move_question(coordinator, call, "q1", "down")
    assert [q["label"]["en"] for q in call.form] == ["C", "A", "B"]
    with pytest.raises(ActionRefused):
        operations.move_question(coordinator, call, "q3", "up")


def test_editing_a_choice_question_keeps_the_values_of_unchanged_choices(coordinator, city):
    """Answers point at choice values, which survive reordering and new choices."""
    call = operations.create_call(coordinator, city, details())
    operations.add_question(coordinator, call, {"type": "multiple_choice", "label": "Tools", "choices": ["Code", "Light"]})
    operations.edit_question(coordinator, call, "q1", {"type": "multiple_choice", "label": "Tools",
                                                        "choices": ["Light", "Sound", "Code"]})
    assert [(c["value"], c["label"]["en"]) for c in call.question("q1")["choices"]] == [("o2", "Light"), ("o3", "Sound"), ("o1", "Code")]


@pytest.mark.parametrize("spec, field", [
    ({"type": "long_text", "label": "Bio", "word_limit": -5}, "word_limit"),
    ({"type": "long_text", "label": "Bio", "word_limit": 0}, "word_limit"),
    ({"type": "single_choice", "label": "Pick", "choices": []}, "choices"),
    ({"type": "multiple_choice", "label": "Pick", "choices": ["Only one"]}, "choices"),
    ({"type": "single_choice", "label": "Pick", "choices": ["Same", "Same"]}, "choices"),
    ({"type": "file", "label": "Tool", "kinds": ["executable"]}, "kinds"),
    ({"type": "file", "label": "Tool", "kinds": []}, "kinds"),
    ({"type": "file", "label": "Video", "kinds": ["video"], "max_size": 0}, "max_size"),
    ({"type": "file", "label": "Video", "kinds": ["video"], "max_count": 0}, "max_count"),
    ({"type": "file", "label": "Video", "kinds": ["video"], "max_count": 21}, "max_count"),
    ({"type": "essay", "label": "Bio"}, "type"),
    ({"type": "short_text", "label": ""}, "label"),
])
def test_bad_questions_are_refused_and_the_form_is_unchanged(coordinator, city, spec, field):
    """Negative word limit, choice question without choices, file kind "executable"…: refused on their field."""
    call = operations.create_call(coordinator, city, details())
    with pytest.raises(operations.InvalidCall) as refusal:
        operations.add_question(coordinator, call, spec)
    assert field in problems_of(refusal)
    assert call.form == []


def test_a_file_question_cannot_allow_more_than_the_platform_limit(app, coordinator, city):
    """The size limit of a file question is at most MEDIA_MAX_FILE_SIZE; empty means that limit."""
    call = operations.create_call(coordinator, city, details())
    limit = app.config["MEDIA_MAX_FILE_SIZE"]
    with pytest.raises(operations.InvalidCall) as refusal:
        operations.add_question(coordinator, call, {"type": "file", "label": "V", "kinds": ["video"], "max_size": limit + 1})
    assert "max_size" in problems_of(refusal)
    question = operations.add_question(coordinator, call, {"type": "file", "label": "V", "kinds": ["video", "image"]})
    assert (question["max_size"], question["max_count"], question["kinds"]) == (limit, 1, ["image", "video"])


def test_eligibility_conditions_are_yes_no_questions_with_stable_ids(coordinator, city):
    """An eligibility question states the answer an eligible artist gives."""
    call = operations.create_call(coordinator, city, details())
    operations.add_condition(coordinator, call, {"label": "Do you live in Lyon?", "required_answer": "yes"})
    operations.add_condition(coordinator, call, {"label": "Are you a student?", "required_answer": "no"})
    operations.remove_condition(coordinator, call, "e1")
    operations.add_condition(coordinator, call, {"label": "Are you over 18?", "required_answer": "yes"})
    assert [(c["id"], c["required_answer"]) for c in call.eligibility["questions"]] == [("e2", "no"), ("e3", "yes")]
    with pytest.raises(operations.InvalidCall):
        operations.add_condition(coordinator, call, {"label": "Maybe?", "required_answer": "perhaps"})


# The rubric ---------------------------------------------------------------------------------

def test_rubric_criteria_have_weights_and_scales(coordinator, city):
    """Criteria keep name, description, weight and scale, in order, editable and movable."""
    call = operations.create_call(coordinator, city, details())
    operations.add_criterion(coordinator, call, {"name": "Quality", "description": "Craft", "weight": 3, "scale_min": 0, "scale_max": 10})
    operations.add_criterion(coordinator, call, {"name": "Fit", "weight": 1.5, "scale_min": 1, "scale_max": 5})
    operations.edit_criterion(coordinator, call, "c2", {"name": "Relevance", "weight": 2, "scale_min": 1, "scale_max": 5})
    operations.move_criterion(coordinator, call, "c2", "up")
    assert [(c["id"], c["name"]["en"], c["weight"]) for c in call.rubric] == [("c2", "Relevance", 2.0), ("c1", "Quality", 3.0)]
    assert call.rubric[1]["description"] == {"en": "Craft"}


@pytest.mark.parametrize("spec, field", [
    ({"name": "Q", "weight": 0, "scale_min": 0, "scale_max": 10}, "weight"),
    ({"name": "Q", "weight": -1, "scale_min": 0, "scale_max": 10}, "weight"),
    ({"name": "Q", "weight": None, "scale_min": 0, "scale_max": 10}, "weight"),
    ({"name": "Q", "weight": 1, "scale_min": 5, "scale_max": 5}, "scale_max"),
    ({"name": "Q", "weight": 1, "scale_min": 10, "scale_max": 0}, "scale_max"),
    ({"name": "", "weight": 1, "scale_min": 0, "scale_max": 10}, "name"),
])
def test_bad_criteria_are_refused(coordinator, city, spec, field):
    """A weight must be above 0 and the scale's bottom below its top."""
    call = operations.create_call(coordinator, city, details())
    with pytest.raises(operations.InvalidCall) as refusal:
        operations.add_criterion(coordinator, call, spec)
    assert field in problems_of(refusal)
    assert call.rubric == []


def test_the_rubric_is_frozen_once_the_jury_scores(db, open_call, coordinator):
    """In review, the rubric the jury uses can no longer change."""
    from residency.calls.states import move

    move(open_call, "closed")
    move(open_call, "in_review")
    with pytest.raises(ActionRefused) as refusal:
        operations.add_criterion(coordinator, open_call, {"name": "Late", "weight": 1, "scale_min": 0, "scale_max": 5})
    assert refusal.value.status == 409
