"""What artists do with applications: profile, apply, drafts, files, submit, withdraw, co-applicants.

Operations take plain arguments (the acting user, objects, ``now``), check the rule and the state
machine, flush, record an audit entry and send a signal; none commits. Every write to an
application is refused once its call stops accepting (``Call.accepting(now)``, by the clock).
"""

import hashlib
import json
import logging
from zoneinfo import ZoneInfo

from babel.dates import format_datetime as babel_format_datetime
from flask import current_app
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

from residency import signals
from residency.accounts.models import User, hash_token, new_token
from residency.applications import listing
from residency.applications.models import (
    Application, ApplicationMember, ApplicationState, ApplicationVersion, ArtistProfile,
)
from residency.applications.policies import is_member
from residency.applications.validation import (
    MAX_LINKS, InvalidAnswers, check_answers, check_eligibility, check_file, web_address_error,
)
from residency.audit.operations import record
from residency.calls.models import CAREER_STAGES, CallState
from residency.calls.operations import localized, public_url
from residency.core.errors import ActionRefused
from residency.core.permissions import can
from residency.core.types import utcnow
from residency.extensions import db
from residency.media.models import MediaAsset, Work
from residency.notifications.operations import queue_email

log = logging.getLogger(__name__)

MAX_MEMBERS = 10

#: The moves artists make; later states (shortlisted…) belong to the review.
TRANSITIONS = {
    ApplicationState.DRAFT: {ApplicationState.SUBMITTED},
    ApplicationState.SUBMITTED: {ApplicationState.SUBMITTED, ApplicationState.WITHDRAWN},
    ApplicationState.WITHDRAWN: {ApplicationState.SUBMITTED},
}
EDITABLE_STATES = frozenset(TRANSITIONS)


class NotEligible(ActionRefused):
    """The artist does not meet the call's conditions; ``reasons`` says which."""

    def __init__(self, reasons):
        super().__init__(_l("You cannot apply to this call."), status=403)
        self.reasons = reasons


# Clock and state -----------------------------------------------------------------------------

def closed_reason(call, now):
    """Why ``call`` takes no application or change at ``now``, or None when it does."""
    if call.accepting(now):
        return None
    if call.published_at is None:
        return _l("This call is not published; it does not take applications.")
    if call.state not in (CallState.DRAFT, CallState.OPEN):
        return _l("This call is closed: applications can no longer be submitted or changed.")
    if call.opens_at is not None and now < call.opens_at:
        return _l("This call opens on %(when)s.", when=format_datetime(call.opens_at, "long"))
    return _l("The deadline of this call passed on %(when)s: applications can no longer be submitted or changed.",
              when=format_datetime(call.closes_at, "long") if call.closes_at else "?")


def ensure_writable(application, now):
    """:raise ActionRefused 409: the application is under review or its call no longer accepts changes."""
    if application.state not in EDITABLE_STATES:
        raise ActionRefused(_l("This application is being reviewed; it can no longer change."), status=409)
    reason = closed_reason(application.call, now)
    if reason is not None:
        raise ActionRefused(reason, status=409)


def _require(actor, action, application):
    if not can(actor, action, application):
        raise ActionRefused(_l("You are not allowed to change this application."), status=403)


def can_move(application, target):
    """True when the artists' state machine allows ``application`` to go to ``target``."""
    return target in TRANSITIONS.get(application.state, set())


def _move(application, target, now):
    if not can_move(application, target):
        raise ActionRefused(_l("This application cannot go from “%(from)s” to “%(to)s”.",
                               **{"from": application.state, "to": target}), status=409)
    application.state = target
    application.updated_at = now


# Profile -------------------------------------------------------------------------------------

def profile_of(user):
    """The artist's profile (a blank, unsaved one if they never wrote it)."""
    return db.session.get(ArtistProfile, user.id) or ArtistProfile(
        user_id=user.id, bio="", website="", links=[], organisation="", portfolio_work_ids=[]
    )


def update_profile(user, bio="", website="", links=(), country=None, career_stage=None, organisation="", work_ids=()):
    """Save the artist's profile.

    :raise ActionRefused: a web address that is not http(s) (field ``website`` or ``links``), more
        than ten links, an unknown career stage, or a work that is not the artist's (``works``).
    """
    website = (website or "").strip()
    if website and web_address_error(website):
        raise ActionRefused(web_address_error(website), field="website")
    links = [link.strip() for link in links if link and link.strip()]
    if len(links) > MAX_LINKS:
        raise ActionRefused(_l("List at most %(max)d links.", max=MAX_LINKS), field="links")
    for link in links:
        if web_address_error(link):
            raise ActionRefused(_l("“%(link)s”: %(problem)s", link=link[:80], problem=web_address_error(link)), field="links")
    if career_stage and career_stage not in CAREER_STAGES:
        raise ActionRefused(_l("Choose a career stage from the list."), field="career_stage")
    work_ids = list(dict.fromkeys(int(work_id) for work_id in work_ids))
    if work_ids:
        owned = set(db.session.execute(
            db.select(Work.id).where(Work.id.in_(work_ids), Work.owner_id == user.id)
        ).scalars())
        if owned != set(work_ids):
            raise ActionRefused(_l("Choose among your own works."), field="works")
    profile = db.session.get(ArtistProfile, user.id)
    if profile is None:
        profile = ArtistProfile(user_id=user.id)
        db.session.add(profile)
    profile.bio = (bio or "").strip()
    profile.website = website
    profile.links = links
    profile.country_of_residence = country or None
    profile.career_stage = career_stage or None
    profile.organisation = (organisation or "").strip()
    profile.portfolio_work_ids = work_ids
    profile.updated_at = utcnow()
    db.session.flush()
    record("profile.updated", actor=user, obj=user)
    return profile


# Applying ------------------------------------------------------------------------------------

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


def _store_answers(application, clean, files, now):
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
    _require(actor, "application.edit", application)
    ensure_writable(application, now)
    clean, errors = check_answers(application.call.form, values, complete=False)
    _store_answers(application, clean, attached_files(application), now)
    db.session.flush()
    return errors


def detach_file(actor, application, question_id, asset_id, now):
    """Remove a file from a file question (it stays stored for the versions that hold it).

    :raise ActionRefused: not a member (403), not writable (409), not a file of this question (404).
    """
    _require(actor, "application.edit", application)
    ensure_writable(application, now)
    files = attached_files(application)
    asset = next((a for a in files.get(question_id, []) if a.id == asset_id), None)
    if asset is None:
        raise ActionRefused(_l("This file is not part of this answer."), status=404)
    # A new list, not an in-place append: a JSON column only notices assignment.
    application.detached_asset_ids = sorted(set(application.detached_asset_ids or []) | {asset.id})
    files[question_id].remove(asset)
    _store_answers(application, {}, files, now)
    record("application.file_removed", actor=actor, obj=application, asset_id=asset.id, question=question_id)
    db.session.flush()
    return asset


# Submitting ----------------------------------------------------------------------------------

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
    _require(actor, "application.edit", application)
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
    _store_answers(application, clean, files, now)
    number = application.current_version + 1
    snapshot = build_snapshot(application, number, actor, now, locale)
    version = ApplicationVersion(
        application_id=application.id, number=number, submitted_at=now, submitted_by_id=actor.id,
        snapshot=snapshot, fingerprint=fingerprint(snapshot),
    )
    db.session.add(version)
    _move(application, ApplicationState.SUBMITTED, now)
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
    _require(actor, "application.edit", application)
    ensure_writable(application, now)
    if not can_move(application, ApplicationState.WITHDRAWN):
        raise ActionRefused(_l("Only a submitted application can be withdrawn."), status=409)
    _move(application, ApplicationState.WITHDRAWN, now)
    application.withdrawn_at = now
    db.session.flush()
    record("application.withdrawn", actor=actor, obj=application, version=application.current_version)
    signals.application_withdrawn.send(current_app._get_current_object(), application=application)
    return application


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


# Co-applicants -------------------------------------------------------------------------------

def invite_member(actor, application, email, now):
    """Invite a co-applicant by e-mail with a single-use link. Returns ``(member, raw token)``.

    :raise ActionRefused: not the owner (403), not writable (409), their own address, an address
        already invited, or too many members (field ``email``).
    """
    if not can(actor, "application.manage_members", application):
        raise ActionRefused(_l("Only the person who started the application invites co-applicants."), status=403)
    ensure_writable(application, now)
    email = (email or "").strip().lower()
    if email == actor.email.lower():
        raise ActionRefused(_l("This is your own address."), field="email")
    if any(m.email == email for m in application.members):
        raise ActionRefused(_l("%(email)s is already invited.", email=email), field="email")
    if len(application.members) >= MAX_MEMBERS:
        raise ActionRefused(_l("An application may have at most %(max)d co-applicants.", max=MAX_MEMBERS), field="email")
    raw = new_token()
    member = ApplicationMember(email=email, token_hash=hash_token(raw), invited_by_id=actor.id, invited_at=now)
    application.members.append(member)
    db.session.flush()
    invitee = db.session.execute(db.select(User).where(db.func.lower(User.email) == email)).scalar_one_or_none()
    locale = invitee.locale if invitee else actor.locale
    title = application.call.text("title", locale)
    queue_email(
        email, "application_invitation", _l("%(name)s invites you to apply together to %(call)s", name=actor.display_name, call=title),
        user=invitee, locale=locale, inviter=actor.display_name, call_title=title,
        link=public_url("applications.invitation", token=raw), closes=local_time(application.call.closes_at, invitee or actor),
    )
    record("application.member_invited", actor=actor, obj=application, member_id=member.id)
    return member, raw


def find_invitation(raw):
    """The pending invitation of this link. :raise ActionRefused 404: unknown or already used."""
    member = db.session.execute(
        db.select(ApplicationMember).where(ApplicationMember.token_hash == hash_token(raw or ""))
    ).scalar_one_or_none()
    if member is None:
        raise ActionRefused(_l("This invitation link is not valid any more: it was used, or the invitation was "
                               "withdrawn. Ask the person who invited you for a new one."), status=404)
    return member


def accept_invitation(user, raw, now):
    """Join the application as a co-applicant; the link then stops working.

    :raise ActionRefused: unknown or used link (404), unconfirmed e-mail (403), the owner or an
        existing member (409), the call not accepting (409).
    """
    member = find_invitation(raw)
    application = member.application
    if not can(user, "application.create", application.call):
        raise ActionRefused(_l("Confirm your e-mail address first, then open the invitation again."), status=403)
    if is_member(user, application):
        raise ActionRefused(_l("You are already part of this application."), status=409)
    ensure_writable(application, now)
    member.user_id = user.id
    member.accepted_at = now
    member.token_hash = None
    db.session.flush()
    record("application.member_accepted", actor=user, obj=application, member_id=member.id)
    return member


def remove_member(actor, application, member_id, now):
    """Remove a co-applicant or cancel an invitation.

    :raise ActionRefused: not the owner (403), unknown member (404), not writable (409).
    """
    if not can(actor, "application.manage_members", application):
        raise ActionRefused(_l("Only the person who started the application removes co-applicants."), status=403)
    ensure_writable(application, now)
    member = next((m for m in application.members if m.id == member_id), None)
    if member is None:
        raise ActionRefused(_l("This co-applicant is not part of the application."), status=404)
    application.members.remove(member)
    db.session.flush()
    record("application.member_removed", actor=actor, obj=application, member_id=member_id, user_id=member.user_id)
    return member


def applications_for(user):
    """The applications ``user`` owns or joined, newest first."""
    joined = db.select(ApplicationMember.application_id).where(
        ApplicationMember.user_id == user.id, ApplicationMember.accepted_at.is_not(None)
    )
    return db.session.execute(
        db.select(Application).where((Application.owner_id == user.id) | Application.id.in_(joined))
        .order_by(Application.updated_at.desc())
    ).scalars().all()
