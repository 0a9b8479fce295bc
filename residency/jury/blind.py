"""Blind review: what a juror is shown of an applicant, and the label the application goes by.

Every application of a round has a stable pseudonym, "Application 12": its place in a random
order of the round's applications, drawn from a keyed hash of the round and the application
(HMAC with the application's secret key), not the database id, and the same on every page, export
and e-mail. Jurors see it in every round; in a *blind* round (``Round.blind``) they see nothing
else of who applied: not the applicant's name, city, country or e-mail, not the co-applicants,
not the profile (bio, website, organisation, works), not the answers to the questions the call's
jury settings mark as identifying (``JurySettings.identifying_question_ids``).

Files reach jurors under neutral names in every round (``application-12-portfolio-1.pdf``): an
uploaded file's own name often carries the artist's name. The stored keys hold no name either
(``slots/application-<id>.<question>/…/<sha256>.<ext>``).
"""

import hashlib
import hmac
import re
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from residency.applications import listing
from residency.applications.exports import answer_text, localized
from residency.applications.operations.drafts import slot_ref
from residency.audit.operations import record
from residency.core.errors import ActionRefused
from residency.core.types import utcnow
from residency.extensions import db
from residency.jury import rounds
from residency.jury.models import Assignment, JurySettings, RoundApplication, RoundPhase
from residency.media.models import MediaAsset

HIDDEN = _l("Hidden: this round is blind.")


# The identifying questions (a jury setting of the call) -----------------------------------------

def identifying_question_ids(call):
    """The ids of the call's questions whose answers identify the applicant."""
    settings = db.session.get(JurySettings, call.id)
    return set(settings.identifying_question_ids or []) if settings is not None else set()


def set_identifying_questions(actor, call, question_ids, now=None):
    """Mark which of the call's form questions identify the applicant (replacing the marks).

    :raise ActionRefused 400: an id that is not a question of the call's form.
    """
    known = [question.get("id") for question in call.form or []]
    wanted = list(dict.fromkeys(str(qid) for qid in question_ids or ()))
    unknown = [qid for qid in wanted if qid not in known]
    if unknown:
        raise ActionRefused(_l("Not a question of this call: %(ids)s.", ids=", ".join(unknown)), field="questions")
    settings = db.session.get(JurySettings, call.id)
    if settings is None:
        settings = JurySettings(call_id=call.id)
        db.session.add(settings)
    before = list(settings.identifying_question_ids or [])
    settings.identifying_question_ids = [qid for qid in known if qid in wanted]  # in the form's order
    settings.updated_at = now or utcnow()
    record("jury.identifying_questions_set", actor=actor, obj=call, before=before,
           after=settings.identifying_question_ids)
    db.session.flush()
    return settings


# Pseudonyms ------------------------------------------------------------------------------------

def round_application_ids(round_):
    """The applications a round covers: its :class:`RoundApplication` rows (while it is set up,
    what its coverage selects now, which entering scoring freezes), and any application ever
    assigned in it (removed assignments included, so labels do not move when pairs do)."""
    covered = set(db.session.execute(
        select(RoundApplication.application_id).where(RoundApplication.round_id == round_.id)).scalars())
    if round_.phase == RoundPhase.SETUP:
        covered |= set(rounds.covered_application_ids(round_))
    covered |= set(db.session.execute(
        select(Assignment.application_id).where(Assignment.round_id == round_.id).distinct()).scalars())
    return covered


def _draw(round_id, application_id):
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, f"jury-label:{round_id}:{application_id}".encode(), hashlib.sha256).hexdigest()


def label_numbers(round_):
    """``{application id: number}``, numbered from 1 in the round's random order."""
    ordered = sorted(round_application_ids(round_), key=lambda app_id: _draw(round_.id, app_id))
    return {app_id: number for number, app_id in enumerate(ordered, start=1)}


def label_of(number):
    return _l("Application %(number)d", number=number)


def labelling_round(call):
    """The round whose pseudonyms the call's jury pages that are not about one round (conflicts,
    bids) use: the round the jury is in (:func:`~residency.jury.rounds.current_round`), or None."""
    return rounds.current_round(call)


def call_label_numbers(round_, application_ids):
    """``{application id: number}`` for ``application_ids``: the round's own pseudonym
    (:func:`label_numbers`) for those it covers, so that a juror meets one name per application
    on every page; the others (not covered by the round: not yet eligible, not advanced) numbered
    after them in the round's random order, so that no two applications share a name."""
    numbers = label_numbers(round_)
    others = sorted((app_id for app_id in set(application_ids) if app_id not in numbers),
                    key=lambda app_id: _draw(round_.id, app_id))
    extra = {app_id: number for number, app_id in enumerate(others, start=len(numbers) + 1)}
    return {app_id: numbers.get(app_id) or extra[app_id] for app_id in application_ids}


def ordered_ids(numbers):
    """Application ids in label order."""
    return [app_id for app_id, _number in sorted(numbers.items(), key=lambda item: item[1])]


def _ascii(text):
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")[:40] or "file"


def neutral_filename(number, question_id, index, ext, product=None):
    """``application-12-portfolio-1.pdf`` (``…-1-preview.mp4`` for a derived product)."""
    ext = _ascii(ext or "bin")[:10]
    suffix = f"-{_ascii(product)}" if product else ""
    return f"application-{int(number)}-{_ascii(question_id)}-{int(index)}{suffix}.{ext}"


# What a juror sees -----------------------------------------------------------------------------

@dataclass
class JurorFile:
    """A file of the submitted version as a juror meets it: a neutral name, never the uploaded one."""

    asset_id: int
    question_id: str
    index: int
    name: str
    caption: str
    asset: MediaAsset | None
    intact: bool
    size: int | None = None

    @property
    def kind(self):
        return self.asset.kind if self.asset is not None else None

    def product(self, profile):
        """The asset's finished derivative ``profile``, or None."""
        derivative = self.asset.derivative(profile) if self.intact else None
        return derivative if derivative is not None and derivative.state == "done" and derivative.key else None


@dataclass
class ApplicantView:
    number: int
    label: str
    blind: bool
    name: str = ""
    email: str = ""
    city_id: int | None = None
    country: str = ""
    co_applicants: list = field(default_factory=list)  # [(name, e-mail)]
    profile: dict = field(default_factory=dict)
    answers: list = field(default_factory=list)  # [(label, type, text, hidden)]
    files: list = field(default_factory=list)  # [JurorFile]


def submitted_files(round_, application, version, number, locale):
    """The version's files as :class:`JurorFile` (each asset once, in form order), each checked
    to be still stored as submitted (same SHA-256, in the application's slot)."""
    call = application.call
    records = listing.frozen_files(version.snapshot if isinstance(version.snapshot, dict) else None)
    ids = [int(item["id"]) for _qid, item in records if str(item.get("id")).isdigit()]
    assets = {asset.id: asset for asset in db.session.execute(
        select(MediaAsset).where(MediaAsset.id.in_(ids)).options(selectinload(MediaAsset.derivatives))).scalars()}
    files, counters = [], {}
    for question_id, item in records:
        if not str(item.get("id")).isdigit():
            continue
        counters[question_id] = index = counters.get(question_id, 0) + 1
        asset = assets.get(int(item["id"]))
        intact = bool(asset is not None and asset.original_key and item.get("sha256")
                      and asset.sha256 == item.get("sha256") and asset.slot == slot_ref(application, question_id))
        ext = (asset.ext if asset is not None and asset.ext else None) or (item.get("filename") or "").rpartition(".")[2]
        question = call.question(question_id) or {"id": question_id}
        title = localized(question.get("label"), locale, call.main_language) or question_id
        files.append(JurorFile(
            asset_id=int(item["id"]), question_id=question_id, index=index,
            name=neutral_filename(number, question_id, index, ext), caption=f"{title}, {index}",
            asset=asset, intact=intact, size=item.get("size"),
        ))
    return files


def applicant_view(round_, application, version, number, locale):
    """What a juror sees of ``application`` (its frozen ``version``) in ``round_``: an
    :class:`ApplicantView` whose identifying parts are empty in a blind round."""
    call = application.call
    snapshot = version.snapshot if isinstance(version.snapshot, dict) else {}
    view = ApplicantView(number=number, label=str(label_of(number)), blind=bool(round_.blind))
    view.files = submitted_files(round_, application, version, number, locale)
    view.answers = _answers(call, snapshot, view.files, identifying_question_ids(call) if round_.blind else set(), locale)
    if round_.blind:
        return view
    profile = (snapshot.get("owner") or {}).get("profile") or {}
    view.name = profile.get("name") or application.owner.display_name
    view.email = application.owner.email
    view.city_id = listing.snapshot_city(snapshot)
    view.country = listing.snapshot_country(snapshot)
    emails = {member.user_id: member.email for member in application.members}
    view.co_applicants = [(member.get("name") or "", emails.get(member.get("user_id"), ""))
                          for member in snapshot.get("members") or [] if isinstance(member, dict)]
    view.profile = {key: profile.get(key) for key in ("bio", "website", "organisation", "career_stage")
                    if profile.get(key)}
    return view


def _answers(call, snapshot, files, hidden_ids, locale):
    """``[(label, type, text, hidden)]`` in the form's order, then answers to questions the form
    no longer has; files by their neutral names; identifying answers hidden (text empty)."""
    answers = listing.snapshot_answers(snapshot)
    by_question = {}
    for item in files:
        by_question.setdefault(item.question_id, []).append(item.name)
    shown, known = [], set()
    for question in call.form or []:
        qid = question.get("id")
        known.add(qid)
        shown.append(_answer(question, localized(question.get("label"), locale, call.main_language) or qid,
                             answers.get(qid), by_question, qid in hidden_ids, call, locale))
    for item in snapshot.get("answers") or []:
        if isinstance(item, dict) and item.get("id") not in known:
            shown.append(_answer(item, item.get("label") or item.get("id"), item.get("value"), by_question,
                                 item.get("id") in hidden_ids, call, locale))
    return shown


def _answer(question, label, value, files, hidden, call, locale):
    kind = question.get("type")
    if hidden:
        return (label, kind, "", True)
    if kind == "file":
        return (label, kind, "; ".join(files.get(question.get("id"), [])), False)
    return (label, kind, answer_text(question, value, {}, locale, call.main_language), False)
