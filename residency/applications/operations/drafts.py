"""Starting an application and working on its draft: answers, files, what is not submitted yet.

A draft's answers are saved as they come, the well-formed ones only; its files are the uploads in
each file question's slot (:mod:`residency.applications.uploads`) minus those the artist removed.
"""

from flask_babel import lazy_gettext as _l

from residency.applications.models import Application, ApplicationMember, ApplicationState
from residency.applications.operations.states import closed_reason, ensure_allowed, ensure_writable
from residency.applications.validation import InvalidAnswers, check_answers, check_eligibility
from residency.audit.operations import record
from residency.core.errors import ActionRefused
from residency.core.permissions import can
from residency.extensions import db
from residency.media.models import MediaAsset


class NotEligible(ActionRefused):
    """The artist does not meet the call's conditions; ``reasons`` says which."""

    def __init__(self, reasons):
        super().__init__(_l("You cannot apply to this call."), status=403)
        self.reasons = reasons


def applications_of(user, call):
    """The applications ``user`` started to ``call``, oldest first."""
    return db.session.execute(
        db.select(Application).where(Application.call_id == call.id, Application.owner_id == user.id).order_by(Application.id)
    ).scalars().all()


def start_application(user, call, answers, now, locale="en", city_names=None):
    """Check eligibility, then create a draft application of ``user`` to ``call``.

    :param answers: eligibility answers (``country``, ``city``, ``career_stage``, ``q:<id>``).
    :raise ActionRefused: the call does not accept applications (409), the artist may not apply
        (403), already applied to a call that takes one application per artist (409).
    :raise InvalidAnswers: an eligibility question is not answered.
    :raise NotEligible: the artist does not meet the call's conditions; nothing is created.
    """
    if not can(user, "application.create", call):
        raise ActionRefused(_l("Confirm your e-mail address before applying."), status=403)
    db.session.refresh(call, with_for_update=True)  # one "first application" at a time per call
    reason = closed_reason(call, now)
    if reason is not None:
        raise ActionRefused(reason, status=409)
    if applications_of(user, call) and not call.allow_multiple_applications:
        raise ActionRefused(_l("You already applied to this call, which takes one application per artist. "
                               "Open it from “My applications”."), status=409)
    errors, reasons = check_eligibility(call, answers, locale, city_names)
    if errors:
        raise InvalidAnswers(errors)
    if reasons:
        raise NotEligible(reasons)
    application = Application(
        call_id=call.id, owner_id=user.id, state=ApplicationState.DRAFT, answers={},
        eligibility_answers=dict(answers), eligible=True, eligibility_notes=[], created_at=now, updated_at=now,
    )
    db.session.add(application)
    db.session.flush()
    record("application.created", actor=user, obj=application, call_id=call.id)
    return application


def file_questions(call):
    """The call's questions that take files."""
    return [q for q in call.form or [] if q.get("type") == "file"]


def slot_ref(application, question_id):
    """The upload slot of a file question (``application:<id>.<question id>``, see uploads.py)."""
    return f"application:{application.id}.{question_id}"


def attached_files(application):
    """``{question id: [MediaAsset]}``: the files in each file question's slot, minus those removed."""
    refs = {slot_ref(application, q["id"]): q["id"] for q in file_questions(application.call)}
    files = {qid: [] for qid in refs.values()}
    if not refs:
        return files
    detached = set(application.detached_asset_ids or [])
    assets = db.session.execute(
        db.select(MediaAsset).where(MediaAsset.slot.in_(refs), MediaAsset.superseded_by_id.is_(None)).order_by(MediaAsset.id)
    ).scalars()
    for asset in assets:
        if asset.id not in detached:
            files[refs[asset.slot]].append(asset)
    return files


def store_answers(application, clean, files, now):
    """Write ``clean`` answers and the attached ``files`` (by id) into the draft."""
    answers = dict(application.answers or {})
    answers.update(clean)
    answers.update({qid: [asset.id for asset in assets] for qid, assets in files.items()})
    application.answers = answers  # a new dict: the JSON column sees the change
    application.updated_at = now


def save_draft(actor, application, values, now):
    """Save the well-formed answers among ``values`` (``{question id: value}``; the others keep
    their saved value).

    :return: ``{question id: [messages]}`` for the malformed answers (nothing saved for those).
    :raise ActionRefused: not a member (403), not writable any more (409).
    """
    ensure_allowed(actor, "application.edit", application)
    ensure_writable(application, now)
    clean, errors = check_answers(application.call.form, values, complete=False)
    store_answers(application, clean, attached_files(application), now)
    db.session.flush()
    return errors


def detach_file(actor, application, question_id, asset_id, now):
    """Remove a file from a file question (it stays stored for the versions that hold it).

    :raise ActionRefused: not a member (403), not writable (409), not a file of this question (404).
    """
    ensure_allowed(actor, "application.edit", application)
    ensure_writable(application, now)
    files = attached_files(application)
    asset = next((a for a in files.get(question_id, []) if a.id == asset_id), None)
    if asset is None:
        raise ActionRefused(_l("This file is not part of this answer."), status=404)
    # A new list, not an in-place append: a JSON column only notices assignment.
    application.detached_asset_ids = sorted(set(application.detached_asset_ids or []) | {asset.id})
    files[question_id].remove(asset)
    store_answers(application, {}, files, now)
    record("application.file_removed", actor=actor, obj=application, asset_id=asset.id, question=question_id)
    db.session.flush()
    return asset


def unsubmitted_changes(application):
    """True when the draft differs from the last submitted version (which is the one that counts)."""
    if not application.versions:
        return False
    last = application.versions[-1].snapshot
    files = attached_files(application)
    for item in last.get("answers", []):
        if item.get("type") == "file":
            if [f["id"] for f in item.get("value") or []] != [a.id for a in files.get(item["id"], [])]:
                return True
        elif (application.answers or {}).get(item["id"]) != item.get("value"):
            return True
    return False


def applications_for(user):
    """The applications ``user`` owns or joined, newest first."""
    joined = db.select(ApplicationMember.application_id).where(
        ApplicationMember.user_id == user.id, ApplicationMember.accepted_at.is_not(None)
    )
    return db.session.execute(
        db.select(Application).where((Application.owner_id == user.id) | Application.id.in_(joined))
        .order_by(Application.updated_at.desc())
    ).scalars().all()
