"""The call's own questions, its eligibility conditions and its scoring rubric.

Ids (``q1``, ``e1``, ``c1``) are stable and never reused, so answers and scores keep pointing at
the question or criterion they were given for.
"""

import copy

from flask import current_app
from flask_babel import lazy_gettext as _l

from residency.calls.operations.changes import apply_change
from residency.calls.operations.common import (
    CHOICE_TYPES, MAX_CHOICES, MAX_FILE_COUNT, MAX_QUESTIONS, MAX_WORD_LIMIT, QUESTION_TYPES, _Problems,
    clean_text, localized,
)
from residency.core.errors import ActionRefused
from residency.media.slots import ALL_KINDS

_REMOVALS = {"q": "call.question_removed", "c": "call.criterion_removed", "e": "call.condition_removed"}
#: The call's column counting the ids given with each prefix.
_COUNTERS = {"q": "last_question_number", "c": "last_criterion_number", "e": "last_condition_number"}


def _next_id(call, prefix, items):
    """``q4`` after q1…q3: the call counts the ids it gave, so a removed one is never given again
    (items written without the counter, by the demo for instance, are counted too)."""
    numbers = [int(item["id"][len(prefix):]) for item in items
               if item["id"].startswith(prefix) and item["id"][len(prefix):].isdigit()]
    return f"{prefix}{max([getattr(call, _COUNTERS[prefix]) or 0, *numbers]) + 1}"


def _count_id(call, item_id):
    """Record on the call that ``item_id`` was given (once the change that adds it is applied)."""
    counter = _COUNTERS[item_id[0]]
    setattr(call, counter, max(getattr(call, counter) or 0, int(item_id[1:])))


def _find(items, item_id):
    for index, item in enumerate(items):
        if item["id"] == item_id:
            return index
    raise ActionRefused(_l("This item is no longer there. Reload the page."), status=404)


def _int_or_none(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def build_question(call, spec, question_id, previous=None):
    """A question of the form from ``spec``: ``type``, ``label``, ``help`` (main language),
    ``required``, and by type ``word_limit``; ``choices`` (labels, one each); ``kinds``,
    ``max_size`` (bytes), ``max_count``. Translations and choice values of ``previous`` are kept.

    :raise InvalidCall: what is wrong, field by field.
    """
    problems, main = _Problems(), call.main_language
    kind = spec.get("type")
    problems.check(kind in QUESTION_TYPES, "type", _l("Choose a question type from the list."))
    label, help_text = clean_text(spec.get("label")), clean_text(spec.get("help"))
    problems.check(bool(label), "label", _l("Write the question."))
    problems.check(len(label) <= 300, "label", _l("Keep this under %(count)d characters.", count=300))
    problems.check(len(help_text) <= 1000, "help", _l("Keep this under %(count)d characters.", count=1000))
    previous = previous or {}
    question = {
        "id": question_id, "type": kind,
        "label": {**(previous.get("label") or {}), main: label},
        "help": {**(previous.get("help") or {}), main: help_text},
        "required": bool(spec.get("required")),
    }
    if not help_text:
        question["help"].pop(main)
    if kind == "long_text":
        limit = spec.get("word_limit")
        problems.check(limit is None or (_int_or_none(limit) is not None and 1 <= limit <= MAX_WORD_LIMIT), "word_limit",
                       _l("Set a word limit between 1 and %(max)d, or leave it empty.", max=MAX_WORD_LIMIT))
        question["word_limit"] = limit
    if kind in CHOICE_TYPES:
        question["choices"] = _build_choices(spec.get("choices"), previous, main, problems)
    if kind == "file":
        kinds = list(dict.fromkeys(spec.get("kinds") or ()))
        problems.check(bool(kinds), "kinds", _l("Choose at least one kind of file."))
        problems.check(set(kinds) <= ALL_KINDS, "kinds", _l("Choose kinds of file from the list."))
        limit = current_app.config["MEDIA_MAX_FILE_SIZE"]
        max_size = limit if spec.get("max_size") is None else spec["max_size"]
        max_count = 1 if spec.get("max_count") is None else spec["max_count"]
        problems.check(_int_or_none(max_size) is not None and 0 < max_size <= limit, "max_size",
                       _l("Set a size limit above 0 and at most %(max)s.", max=f"{limit / 1e6:,.0f} MB"))
        problems.check(_int_or_none(max_count) is not None and 1 <= max_count <= MAX_FILE_COUNT, "max_count",
                       _l("Allow between 1 and %(max)d files.", max=MAX_FILE_COUNT))
        question.update(kinds=sorted(kinds), max_size=max_size, max_count=max_count)
    problems.raise_any()
    return question


def _build_choices(lines, previous, main, problems):
    labels = [clean_text(line) for line in lines or () if clean_text(line)]
    problems.check(len(labels) >= 2, "choices", _l("Give at least two choices, one per line."))
    problems.check(len(labels) <= MAX_CHOICES, "choices", _l("Give at most %(max)d choices.", max=MAX_CHOICES))
    problems.check(len(set(labels)) == len(labels), "choices", _l("Each choice must be different."))
    problems.check(all(len(label) <= 200 for label in labels), "choices", _l("Keep each choice under 200 characters."))
    old = {localized(c["label"], main, main)[0]: c for c in previous.get("choices") or []}
    numbers = [int(c["value"][1:]) for c in previous.get("choices") or [] if c["value"][1:].isdigit()]
    next_number, choices = max(numbers, default=0) + 1, []
    for label in labels:
        if label in old:
            choices.append({**old[label], "label": {**old[label]["label"], main: label}})
        else:
            choices.append({"value": f"o{next_number}", "label": {main: label}})
            next_number += 1
    return choices


def add_question(actor, call, spec, now=None):
    """Add a question at the end of the form; return it."""
    if len(call.form or []) >= MAX_QUESTIONS:
        raise ActionRefused(_l("A form holds at most %(max)d questions.", max=MAX_QUESTIONS))
    question = build_question(call, spec, _next_id(call, "q", call.form or []))
    apply_change(actor, call, "call.question_added", {"form": (call.form or []) + [question]}, now=now, item_id=question["id"])
    _count_id(call, question["id"])
    return question


def edit_question(actor, call, question_id, spec, now=None):
    form = copy.deepcopy(call.form or [])
    index = _find(form, question_id)
    form[index] = build_question(call, spec, question_id, previous=form[index])
    apply_change(actor, call, "call.question_edited", {"form": form}, now=now, item_id=question_id)
    return form[index]


def remove_question(actor, call, question_id, now=None):
    form = copy.deepcopy(call.form or [])
    del form[_find(form, question_id)]
    apply_change(actor, call, _REMOVALS["q"], {"form": form}, now=now, item_id=question_id)


def _moved(items, item_id, direction):
    items = copy.deepcopy(items or [])
    index = _find(items, item_id)
    target = index + (1 if direction == "down" else -1)
    if direction not in ("up", "down") or not 0 <= target < len(items):
        raise ActionRefused(_l("This item cannot move further."))
    items[index], items[target] = items[target], items[index]
    return items


def move_question(actor, call, question_id, direction, now=None):
    """Move a question ``"up"`` or ``"down"`` the form."""
    apply_change(actor, call, "call.question_moved", {"form": _moved(call.form, question_id, direction)}, now=now,
           item_id=question_id, direction=direction)


def build_condition(call, spec, condition_id, previous=None):
    """An eligibility condition: a yes/no ``label`` and the ``required_answer`` ("yes" or "no")."""
    problems, main = _Problems(), call.main_language
    label = clean_text(spec.get("label"))
    problems.check(bool(label), "label", _l("Write the question."))
    problems.check(len(label) <= 300, "label", _l("Keep this under %(count)d characters.", count=300))
    problems.check(spec.get("required_answer") in ("yes", "no"), "required_answer", _l("Choose yes or no."))
    problems.raise_any()
    return {"id": condition_id, "label": {**((previous or {}).get("label") or {}), main: label},
            "required_answer": spec["required_answer"]}


def add_condition(actor, call, spec, now=None):
    eligibility = copy.deepcopy(call.eligibility or {})
    conditions = eligibility.setdefault("questions", [])
    condition = build_condition(call, spec, _next_id(call, "e", conditions))
    conditions.append(condition)
    apply_change(actor, call, "call.condition_added", {"eligibility": eligibility}, now=now, item_id=condition["id"])
    _count_id(call, condition["id"])
    return condition


def remove_condition(actor, call, condition_id, now=None):
    eligibility = copy.deepcopy(call.eligibility or {})
    conditions = eligibility.setdefault("questions", [])
    del conditions[_find(conditions, condition_id)]
    apply_change(actor, call, _REMOVALS["e"], {"eligibility": eligibility}, now=now, item_id=condition_id)


def build_criterion(call, spec, criterion_id, previous=None):
    """A rubric criterion: ``name``, ``description`` (main language), ``weight`` > 0, integer
    ``scale_min`` < ``scale_max``."""
    problems, main = _Problems(), call.main_language
    name, description = clean_text(spec.get("name")), clean_text(spec.get("description"))
    problems.check(bool(name), "name", _l("Name the criterion."))
    problems.check(len(name) <= 200, "name", _l("Keep this under %(count)d characters.", count=200))
    problems.check(len(description) <= 2000, "description", _l("Keep this under %(count)d characters.", count=2000))
    weight = spec.get("weight")
    problems.check(isinstance(weight, (int, float)) and not isinstance(weight, bool) and 0 < weight <= 100, "weight",
                   _l("Give a weight above 0 and at most 100."))
    low, high = _int_or_none(spec.get("scale_min")), _int_or_none(spec.get("scale_max"))
    problems.check(low is not None and -100 <= low <= 100, "scale_min", _l("Give a whole number between -100 and 100."))
    problems.check(high is not None and -100 <= high <= 100, "scale_max", _l("Give a whole number between -100 and 100."))
    problems.check(low is None or high is None or low < high, "scale_max", _l("The top of the scale must be above its bottom."))
    problems.raise_any()
    previous = previous or {}
    criterion = {
        "id": criterion_id, "name": {**(previous.get("name") or {}), main: name},
        "description": {**(previous.get("description") or {}), main: description},
        "weight": float(weight), "scale_min": low, "scale_max": high,
    }
    if not description:
        criterion["description"].pop(main)
    return criterion


def add_criterion(actor, call, spec, now=None):
    criterion = build_criterion(call, spec, _next_id(call, "c", call.rubric or []))
    apply_change(actor, call, "call.criterion_added", {"rubric": (call.rubric or []) + [criterion]}, now=now, item_id=criterion["id"])
    _count_id(call, criterion["id"])
    return criterion


def edit_criterion(actor, call, criterion_id, spec, now=None):
    rubric = copy.deepcopy(call.rubric or [])
    index = _find(rubric, criterion_id)
    rubric[index] = build_criterion(call, spec, criterion_id, previous=rubric[index])
    apply_change(actor, call, "call.criterion_edited", {"rubric": rubric}, now=now, item_id=criterion_id)
    return rubric[index]


def remove_criterion(actor, call, criterion_id, now=None):
    rubric = copy.deepcopy(call.rubric or [])
    del rubric[_find(rubric, criterion_id)]
    apply_change(actor, call, _REMOVALS["c"], {"rubric": rubric}, now=now, item_id=criterion_id)


def move_criterion(actor, call, criterion_id, direction, now=None):
    apply_change(actor, call, "call.criterion_moved", {"rubric": _moved(call.rubric, criterion_id, direction)}, now=now,
           item_id=criterion_id, direction=direction)
