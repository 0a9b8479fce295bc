"""Call operations: a call's details, texts, form, rubric and timeline; publishing and moving it.

They take plain arguments, check the rules, flush and record an audit entry; none commits.
Every change goes through :func:`~.changes.apply_change`: once a call accepts applications, a
change that could harm applicants who already submitted is refused (:func:`change_is_harmful`)
and any other one is recorded as a ``CallChange`` and announced to them by e-mail.
"""

from residency.calls.operations.builder import (
    add_condition, add_criterion, add_question, build_condition, build_criterion, build_question, edit_criterion,
    edit_question, move_criterion, move_question, remove_condition, remove_criterion, remove_question,
)
from residency.calls.operations.changes import (
    answered_question_ids, change_is_harmful, describe_changes, is_live, snapshot,
)
from residency.calls.operations.common import (
    CHOICE_TYPES, QUESTION_TYPES, TEXT_FIELDS, InvalidCall, clean_text, languages, localized, public_url,
)
from residency.calls.operations.details import create_call, unique_slug, update_details, update_translation
from residency.calls.operations.timeline import CLOSING_SOON, MANUAL_TARGETS, move_call, publish, set_timeline
from residency.calls.operations.times import default_timezone, format_in_zone, local_to_utc, utc_offset

__all__ = [
    "CHOICE_TYPES", "CLOSING_SOON", "MANUAL_TARGETS", "QUESTION_TYPES", "TEXT_FIELDS", "InvalidCall",
    "add_condition", "add_criterion", "add_question", "answered_question_ids", "build_condition", "build_criterion",
    "build_question", "change_is_harmful", "clean_text", "create_call", "default_timezone", "describe_changes",
    "edit_criterion", "edit_question", "format_in_zone", "is_live", "languages", "local_to_utc", "localized",
    "move_call", "move_criterion", "move_question", "publish", "public_url", "remove_condition", "remove_criterion",
    "remove_question", "set_timeline", "snapshot", "unique_slug", "update_details", "update_translation", "utc_offset",
]
