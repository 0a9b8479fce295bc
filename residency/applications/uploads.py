"""The ``application:<application id>.<question id>`` upload slot: a file answer of an application.

Only the application's members upload there, while it may change (a draft, or a submitted or
withdrawn application before the deadline) and its call accepts applications; the question sets
the kinds, the size limit and how many files it takes.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from residency.applications.models import Application
from residency.applications.operations.drafts import attached_files
from residency.applications.operations.states import EDITABLE_STATES, closed_reason
from residency.applications.validation import question_kinds
from residency.core.errors import ActionRefused
from residency.core.ids import parse_id
from residency.core.permissions import can
from residency.core.types import utcnow
from residency.extensions import db
from residency.media.models import AssetState, MediaAsset
from residency.media.slots import NOT_YOURS, Slot, SlotRules, default_max_size, slot_resolver


def _unknown(status=404):
    return ActionRefused(_l("Unknown upload destination."), status=status)


@slot_resolver("application")
def application_slot(user, raw_id):
    """The slot of one file question of an application ``user`` may change now.

    :raise ActionRefused: malformed (400), unknown or invisible to the user (404, as if it did not
        exist), seen but not the user's to change (403: the call's coordinators), the application
        or its call no longer takes changes (409).
    """
    application_id, _dot, question_id = raw_id.partition(".")
    if not (application_id.isascii() and application_id.isdigit()) or not question_id:
        raise _unknown(400)
    application = db.session.get(Application, parse_id(application_id)) if parse_id(application_id) else None
    if application is None or not can(user, "application.view", application):
        raise _unknown()  # exactly as if it did not exist
    if not can(user, "application.edit", application):
        raise ActionRefused(NOT_YOURS, status=403)
    question = application.call.question(question_id)
    if question is None or question.get("type") != "file":
        raise _unknown()
    if application.state not in EDITABLE_STATES:
        raise ActionRefused(_l("This application is being reviewed; it can no longer change."), status=409)
    reason = closed_reason(application.call, utcnow())
    if reason is not None:
        raise ActionRefused(reason, status=409)
    max_size = min(int(question.get("max_size") or default_max_size()), default_max_size())
    return Slot(ref=f"application:{application.id}.{question_id}",
                rules=SlotRules(kinds=question_kinds(question), max_size=max_size,
                                max_count=_count_for(user, application, question)))


def _count_for(user, application, question):
    """The ``max_count`` to give the media layer, which counts only ``user``'s live files in the
    slot: the question's limit, less the files co-applicants attached, plus the user's own files
    that were removed from the answer (still stored, so still counted there)."""
    limit = question.get("max_count")
    if not limit:
        return None
    ref = f"application:{application.id}.{question['id']}"
    attached = [a for a in attached_files(application)[question["id"]] if a.state != AssetState.FAILED]
    by_others = sum(1 for asset in attached if asset.owner_id != user.id)
    own_live = db.session.scalar(
        db.select(func.count(MediaAsset.id)).where(
            MediaAsset.slot == ref, MediaAsset.owner_id == user.id, MediaAsset.superseded_by_id.is_(None),
            MediaAsset.state != AssetState.FAILED,
        )
    )
    own_attached = sum(1 for asset in attached if asset.owner_id == user.id)
    return max(limit - by_others + (own_live - own_attached), 0)
