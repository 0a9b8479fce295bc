"""Submitting an application (a frozen version, its fingerprint, the receipts) and withdrawing it.

A submission checks every answer and file, then freezes everything the jury will see into a new
:class:`ApplicationVersion` (a plain JSON snapshot with the SHA-256 of its canonical form), copies
what the coordinators' list reads into columns (:mod:`residency.applications.listing`), e-mails a
receipt to each person of the application and sends ``application_submitted``.
"""

import hashlib
import json
from zoneinfo import ZoneInfo

from babel.dates import format_datetime as babel_format_datetime
from flask import current_app
from flask_babel import lazy_gettext as _l

from residency import signals
from residency.applications import listing
from residency.applications.models import ApplicationState, ApplicationVersion
from residency.applications.operations.drafts import attached_files, file_questions, slot_ref, store_answers
from residency.applications.operations.profiles import profile_of
from residency.applications.operations.states import can_move, ensure_allowed, ensure_writable, move_to
from residency.applications.validation import InvalidAnswers, check_answers, check_file
from residency.audit.operations import record
from residency.calls.operations import localized, public_url
from residency.core.errors import ActionRefused
from residency.extensions import db
from residency.media.models import Work
from residency.notifications.operations import queue_email


def _profile_snapshot(user):
    profile = profile_of(user)
    works = []
    if profile.portfolio_work_ids:
        by_id = {w.id: w for w in db.session.execute(
            db.select(Work).where(Work.id.in_(profile.portfolio_work_ids), Work.owner_id == user.id)
        ).scalars()}
        works = [{"id": w.id, "title": w.title, "year": w.year, "medium": w.medium}
                 for w in (by_id.get(i) for i in profile.portfolio_work_ids) if w is not None]
    return {
        "name": user.display_name, "pronouns": user.pronouns or "", "bio": profile.bio or "",
        "website": profile.website or "", "links": list(profile.links or []),
        "country_of_residence": profile.country_of_residence or "", "career_stage": profile.career_stage or "",
        "organisation": profile.organisation or "", "works": works,
    }


def _file_record(asset):
    return {"id": asset.id, "filename": asset.original_filename, "size": asset.size, "sha256": asset.sha256, "kind": asset.kind}


def build_snapshot(application, number, actor, now, locale):
    """Everything the jury will see of this version, as plain JSON."""
    call = application.call
    files = attached_files(application)
    answers = []
    for question in call.form or []:
        label, label_lang = localized(question.get("label"), locale, call.main_language)
        if question.get("type") == "file":
            value = [_file_record(asset) for asset in files.get(question["id"], [])]
        else:
            value = (application.answers or {}).get(question["id"])
        item = {"id": question["id"], "type": question.get("type"), "label": label, "label_lang": label_lang, "value": value}
        if question.get("type") in ("single_choice", "multiple_choice"):
            chosen = value if isinstance(value, list) else [value] if value else []
            item["choices"] = [localized(c.get("label"), locale, call.main_language)[0] or c.get("value")
                               for c in question.get("choices") or [] if c.get("value") in chosen]
        answers.append(item)
    members = [
        {"user_id": m.user_id, "name": m.user.display_name, "profile": _profile_snapshot(m.user)}
        for m in application.members if m.accepted_at is not None and m.user is not None
    ]
    return {
        "format": 1,
        "application_id": application.id,
        "version": number,
        "submitted_at": now.isoformat(),
        "submitted_by": {"user_id": actor.id, "name": actor.display_name},
        "language": str(locale),
        "call": {"id": call.id, "slug": call.slug, "title": call.text("title", locale),
                 "closes_at": call.closes_at.isoformat() if call.closes_at else None},
        "owner": {"user_id": application.owner_id, "profile": _profile_snapshot(application.owner)},
        "members": members,
        "eligibility": dict(application.eligibility_answers or {}),
        "answers": answers,
    }


def canonical_json(snapshot):
    """Sorted keys, no whitespace, UTF-8: the bytes the fingerprint is taken of."""
    return json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def fingerprint(snapshot):
    """The SHA-256 (hex) of the snapshot's canonical JSON: the receipt's fingerprint."""
    return hashlib.sha256(canonical_json(snapshot)).hexdigest()


def submit_application(actor, application, values, now, locale="en"):
    """Save ``values`` into the draft, check every answer, and freeze a new submitted version.

    Nothing changes when it is refused.
    :raise ActionRefused: not a member (403), under review or the call not accepting (409).
    :raise InvalidAnswers: an answer is missing, too long, not among the choices, a file not ready…
    :return: the new :class:`ApplicationVersion`.
    """
    ensure_allowed(actor, "application.edit", application)
    db.session.refresh(application, with_for_update=True)  # two members submitting at once
    ensure_writable(application, now)
    if not can_move(application, ApplicationState.SUBMITTED):
        raise ActionRefused(_l("This application cannot be submitted now."), status=409)
    call = application.call
    clean, errors = check_answers(call.form, values, complete=False)
    merged = {**(application.answers or {}), **clean}
    _clean_all, complete_errors = check_answers(call.form, merged, complete=True)
    for qid, messages in complete_errors.items():
        errors.setdefault(qid, messages)
    files = attached_files(application)
    for question in file_questions(call):
        _ids, messages = check_file(question, files[question["id"]], complete=True, slot=slot_ref(application, question["id"]))
        if messages:
            errors[question["id"]] = messages
    if errors:
        raise InvalidAnswers(errors, _l("The application is not submitted yet: some answers need your attention."))
    store_answers(application, clean, files, now)
    number = application.current_version + 1
    snapshot = build_snapshot(application, number, actor, now, locale)
    version = ApplicationVersion(
        application_id=application.id, number=number, submitted_at=now, submitted_by_id=actor.id,
        snapshot=snapshot, fingerprint=fingerprint(snapshot),
    )
    db.session.add(version)
    move_to(application, ApplicationState.SUBMITTED, now)
    application.current_version = number
    application.fingerprint = version.fingerprint
    application.submitted_at = now
    application.withdrawn_at = None
    listing.index_version(application, snapshot)
    db.session.flush()
    record("application.submitted", actor=actor, obj=application, version=number, fingerprint=version.fingerprint)
    _send_receipts(application, version)
    signals.application_submitted.send(current_app._get_current_object(), application=application, version=version)
    return version


def recipients(application):
    """The owner and the co-applicants who accepted, each once."""
    users = [application.owner] + [m.user for m in application.members if m.accepted_at is not None and m.user is not None]
    return list({user.id: user for user in users}.values())


def local_time(moment, user):
    """``moment`` written in ``user``'s language and timezone (for e-mail, outside their request)."""
    try:
        zone = ZoneInfo(user.timezone or "UTC")
    except Exception:
        zone = ZoneInfo("UTC")
    return babel_format_datetime(moment, "long", tzinfo=zone, locale=user.locale or "en")


def _send_receipts(application, version):
    call = application.call
    for user in recipients(application):
        title = call.text("title", user.locale)
        queue_email(
            user.email, "application_receipt",
            _l("Receipt: your application to %(call)s (version %(n)d)", call=title, n=version.number),
            user=user, call_title=title, version=version, when=local_time(version.submitted_at, user),
            timezone=user.timezone or "UTC", link=public_url("applications.version", application_id=application.id, number=version.number), closes=local_time(call.closes_at, user) if call.closes_at else "",
        )


def withdraw_application(actor, application, now):
    """Withdraw a submitted application; its versions are kept and it may be submitted again
    until the deadline.

    :raise ActionRefused: not a member (403), not submitted or the call not accepting (409).
    """
    ensure_allowed(actor, "application.edit", application)
    ensure_writable(application, now)
    if not can_move(application, ApplicationState.WITHDRAWN):
        raise ActionRefused(_l("Only a submitted application can be withdrawn."), status=409)
    move_to(application, ApplicationState.WITHDRAWN, now)
    application.withdrawn_at = now
    db.session.flush()
    record("application.withdrawn", actor=actor, obj=application, version=application.current_version)
    signals.application_withdrawn.send(current_app._get_current_object(), application=application)
    return application

