"""Changes to a call: the one path every change takes, and what may not change once it is open."""

import copy
from datetime import date, datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from residency import signals
from residency.audit.operations import record
from residency.calls.models import CallChange, CallState
from residency.calls.operations.common import InvalidCall, localized, public_url
from residency.calls.operations.times import format_in_zone
from residency.cities.models import City
from residency.core.errors import ActionRefused
from residency.core.hooks import collect
from residency.core.types import utcnow
from residency.extensions import db

RULE_FIELDS = (
    "main_language", "texts", "disciplines", "format", "residency_starts_on", "residency_ends_on", "places",
    "timezone", "opens_at", "closes_at", "allow_multiple_applications", "eligibility", "form", "rubric", "city_ids",
)


def is_live(call, now=None):
    """True once the call has opened and while it still takes applications (or could, by the clock)."""
    now = now or utcnow()
    return call.state == CallState.OPEN or call.accepting(now)


def snapshot(call):
    """The call's rules as plain values, to compare a change against."""
    values = {name: copy.deepcopy(getattr(call, name)) for name in RULE_FIELDS if name != "city_ids"}
    values["city_ids"] = sorted(city.id for city in call.cities)
    return values


def _editable(call, fields):
    """:raise ActionRefused 409: the call's state freezes one of ``fields``."""
    if call.state == CallState.ARCHIVED:
        raise ActionRefused(_l("This call is archived and can no longer be changed."), status=409)
    rules = set(fields) - {"texts", "rubric"}
    if rules and call.state not in (CallState.DRAFT, CallState.OPEN):
        raise ActionRefused(_l("This call is closed: its rules, form and timeline can no longer change."), status=409)
    if "rubric" in fields and call.state not in (CallState.DRAFT, CallState.OPEN, CallState.CLOSED):
        raise ActionRefused(_l("The jury is already scoring with this rubric: it can no longer change."), status=409)
    if "main_language" in fields and call.published_at is not None:
        raise ActionRefused(_l("The main language cannot change once the call is published."), field="main_language")


def apply_change(actor, call, action, values, now=None, **audit):
    """Set ``values`` on ``call`` unless that harms applicants; record and announce it if live.

    :return: the names of the fields that changed.
    :raise ActionRefused: the state freezes a field, or the change harms applicants (409).
    """
    before = snapshot(call)
    after = {**before, **copy.deepcopy(values)}
    changed = [name for name in values if before.get(name) != after[name]]
    if not changed:
        return []
    _editable(call, changed)
    live = is_live(call, now)
    if live:
        reasons = change_is_harmful(call, before, after)
        if reasons:
            raise InvalidCall([(None, reason) for reason in reasons], status=409)
    for name in changed:
        if name == "city_ids":
            call.cities = db.session.execute(db.select(City).where(City.id.in_(after["city_ids"]))).scalars().all()
        else:
            setattr(call, name, after[name])
    call.updated_at = utcnow()
    db.session.flush()
    record(action, actor=actor, obj=call, fields=changed, **audit)
    if live:
        _record_and_announce(actor, call, before, after, changed)
    return changed


def answered_question_ids(call):
    """Ids of the questions some applicant answered (the ``call_answered_questions`` hook, which
    the applications feature fills): removing or narrowing those would pull the ground from
    under an applicant."""
    answered = set()
    for ids in collect("call_answered_questions", call):
        answered |= set(ids)
    return answered


def _tighter(old, new):
    """A limit (None: no limit) that lets less through than before."""
    return new is not None and (old is None or new < old)


def _stricter_list(old, new):
    """An allow-list (empty: anyone) that now leaves out someone it let in."""
    return bool(new) and (not old or not set(new) >= set(old))


def _label(question, main_language):
    return localized(question.get("label"), main_language, main_language)[0]


def change_is_harmful(call, before, after):
    """Why changing ``call``'s rules from ``before`` to ``after`` could harm applicants; [] when it cannot.

    ``before`` and ``after`` are :func:`snapshot` dictionaries. Harmful: removing a question that
    submitted applications answered, changing a question's type, making a question required,
    adding a required question, tightening a word limit, file size, file count or kinds, removing a
    choice, moving the deadline earlier or the opening later, stricter eligibility, no longer
    allowing several applications.
    """
    main = before.get("main_language") or call.main_language
    old_form = {q["id"]: q for q in before.get("form") or []}
    new_form = {q["id"]: q for q in after.get("form") or []}
    reasons = _form_harms(call, old_form, new_form, main)
    reasons += _timeline_harms(before, after)
    reasons += _eligibility_harms(before.get("eligibility") or {}, after.get("eligibility") or {})
    if before.get("allow_multiple_applications") and not after.get("allow_multiple_applications"):
        reasons.append(_l("An open call that accepts several applications per artist must keep doing so."))
    return reasons


def _form_harms(call, old_form, new_form, main):
    """Reasons against changing the form (``{question id: question}`` before and after): a question
    removed although answered, changed in a way that refuses answers it took, or a required one added."""
    reasons = []
    answered = None
    for qid, old in old_form.items():
        new, label = new_form.get(qid), _label(old, main)
        if new is None:
            answered = answered_question_ids(call) if answered is None else answered
            if qid in answered:
                reasons.append(_l("“%(label)s” cannot be removed: applicants who already submitted answered it.", label=label))
        else:
            reasons += _question_harms(old, new, label)
    for qid, new in new_form.items():
        if qid not in old_form and new.get("required"):
            reasons.append(_l("A required question cannot be added while the call is open; add it as optional."))
    return reasons


def _question_harms(old, new, label):
    """Reasons against changing question ``old`` into ``new`` (same id) while the call is open."""
    if new.get("type") != old.get("type"):
        return [_l("The type of “%(label)s” cannot change while the call is open.", label=label)]
    reasons = []
    if new.get("required") and not old.get("required"):
        reasons.append(_l("“%(label)s” cannot become required while the call is open.", label=label))
    if _tighter(old.get("word_limit"), new.get("word_limit")):
        reasons.append(_l("The word limit of “%(label)s” cannot be lowered while the call is open.", label=label))
    if _tighter(old.get("max_size"), new.get("max_size")) or _tighter(old.get("max_count"), new.get("max_count")):
        reasons.append(_l("The file limits of “%(label)s” cannot be lowered while the call is open.", label=label))
    if not set(new.get("kinds") or ()) >= set(old.get("kinds") or ()):
        reasons.append(_l("File kinds cannot be removed from “%(label)s” while the call is open.", label=label))
    if not {c["value"] for c in new.get("choices") or ()} >= {c["value"] for c in old.get("choices") or ()}:
        reasons.append(_l("Choices cannot be removed from “%(label)s” while the call is open.", label=label))
    return reasons


def _timeline_harms(before, after):
    """Reasons against moving the deadline earlier or the opening later."""
    reasons = []
    if before.get("closes_at") and after.get("closes_at") and after["closes_at"] < before["closes_at"]:
        reasons.append(_l("The deadline of an open call can be extended, not moved earlier."))
    if before.get("opens_at") and after.get("opens_at") and after["opens_at"] > before["opens_at"]:
        reasons.append(_l("The opening of a call that has opened cannot move later."))
    return reasons


def _eligibility_harms(old_rules, new_rules):
    """Reasons against stricter eligibility: a narrower allow-list, or a condition added or changed."""
    reasons = []
    if any(_stricter_list(old_rules.get(key), new_rules.get(key)) for key in ("countries", "city_ids", "career_stages")):
        reasons.append(_l("Eligibility can be relaxed while the call is open, not made stricter."))
    old_conditions = {q["id"]: q.get("required_answer") for q in old_rules.get("questions") or []}
    if any(old_conditions.get(condition["id"], None) != condition.get("required_answer")
           for condition in new_rules.get("questions") or []):
        reasons.append(_l("An eligibility condition cannot be added or changed while the call is open."))
    return reasons


def describe_changes(call, before, after, changed):
    """Lazy lines telling applicants what changed, translated in each recipient's language."""
    main = call.main_language
    lines = []
    if "texts" in changed:
        lines.append(_l("The texts of the call were edited."))
    if "closes_at" in changed and after["closes_at"]:
        lines.append(_l("The deadline is now %(when)s.", when=format_in_zone(after["closes_at"], after["timezone"])))
    if "opens_at" in changed and after["opens_at"]:
        lines.append(_l("The opening time is now %(when)s.", when=format_in_zone(after["opens_at"], after["timezone"])))
    if "form" in changed:
        old = {q["id"]: q for q in before["form"] or []}
        new = {q["id"]: q for q in after["form"] or []}
        for qid, question in new.items():
            if qid not in old:
                lines.append(_l("A question was added: “%(label)s” (optional).", label=_label(question, main)))
            elif question != old[qid]:
                lines.append(_l("The question “%(label)s” was changed.", label=_label(question, main)))
        for qid, question in old.items():
            if qid not in new:
                lines.append(_l("The question “%(label)s” was removed.", label=_label(question, main)))
        if [q for q in old if q in new] != [q for q in new if q in old]:
            lines.append(_l("The questions were reordered."))
    if "eligibility" in changed:
        lines.append(_l("The eligibility conditions were relaxed."))
    if "allow_multiple_applications" in changed:
        lines.append(_l("Artists may now send several applications to this call."))
    if "rubric" in changed:
        lines.append(_l("The scoring criteria were changed."))
    if set(changed) & {"disciplines", "format", "residency_starts_on", "residency_ends_on", "places", "city_ids", "timezone"}:
        lines.append(_l("The details of the residency were changed."))
    return lines


def _jsonable(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    return value


def _record_and_announce(actor, call, before, after, changed):
    """Keep a CallChange and e-mail every applicant who has a submitted version."""
    from residency.accounts.models import User
    from residency.notifications.operations import queue_email

    lines = describe_changes(call, before, after, changed)
    with force_locale(call.main_language):
        summary = " ".join(str(line) for line in lines)
    change = CallChange(
        call_id=call.id, actor_id=getattr(actor, "id", None), summary=summary[:500],
        before=_jsonable({name: before[name] for name in changed}),
        after=_jsonable({name: after[name] for name in changed}),
    )
    db.session.add(change)
    db.session.flush()
    applicant_ids = set().union(*collect("call_applicants", call))
    applicants = db.session.execute(
        db.select(User).where(User.id.in_(applicant_ids)).order_by(User.id)
    ).scalars().all() if applicant_ids else []
    url = public_url("calls.show", slug=call.slug)
    for user in applicants:
        queue_email(
            user.email, "call_changed", _l("A call you applied to has changed"), user=user,
            title=call.text("title", user.locale), lines=lines, url=url,
        )
    record("call.change_announced", actor=actor, obj=call, change_id=change.id, recipients=len(applicants))
    signals.call_changed_after_opening.send(current_app._get_current_object(), call=call, change=change)
    return change
