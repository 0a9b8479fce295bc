"""Removing an application's content: for a deleted account (GDPR article 17) and for the
retention periods (:mod:`residency.applications.retention`).

Two outcomes, decided by :func:`relied_upon`:

- **deleted** (:func:`delete_application`): the row goes with its versions, members, messages and
  the files in its upload slots (stored bytes of every version and derivative). For drafts, and
  for applications nobody else has a record of.
- **stripped** (:func:`strip_application`): the application is a record others rely on: its
  state is a decision (shortlisted, selected, waitlisted, declined), or another feature's table
  points at it (a jury's assignment, review, score, comment, decision or round). The row keeps
  its call, state, dates, version numbers and fingerprints (the receipts), so the decision and
  the jury's hash-chained records stay whole; it loses its answers, eligibility answers, the
  residence it declared, the files (bytes deleted, ``application_files`` rows removed) and, in each
  frozen version, the answers, files and the profile of the person erased (the snapshot becomes
  ``{"erased": true, ...}`` with empty values; the fingerprint no longer matches it, by design).
  ``answers`` then holds only the reserved key :data:`ERASED_KEY` (when), so a second run skips it.
"""

from residency.applications.models import (
    Application,
    ApplicationFile,
    ApplicationMessage,
    ApplicationState,
    ApplicationVersion,
)
from residency.core.personal_data import DELETED_NAME, referenced_elsewhere
from residency.core.types import utcnow
from residency.extensions import db
from residency.media import retention as media_retention
from residency.media.models import MediaAsset

#: Reserved answers key (``_`` keys are never questions) set when the content was erased.
ERASED_KEY = "_erased_at"
DECIDED_STATES = frozenset({ApplicationState.SHORTLISTED, ApplicationState.SELECTED,
                            ApplicationState.WAITLISTED, ApplicationState.DECLINED})
#: The application's own tables: not "records of others".
OWN_TABLES = {"application_versions", "application_files", "application_members", "application_messages"}
EMPTY_PROFILE = {"name": DELETED_NAME, "pronouns": "", "bio": "", "website": "", "links": [],
                 "country_of_residence": "", "career_stage": "", "organisation": "", "works": []}


def relied_upon(applications):
    """Ids of those ``applications`` that others rely on (a decision state, or rows elsewhere)."""
    ids = {application.id for application in applications}
    decided = {application.id for application in applications if application.state in DECIDED_STATES}
    return decided | referenced_elsewhere("applications", ids - decided, ignore=OWN_TABLES)


def is_stripped(application):
    return ERASED_KEY in (application.answers or {})


def slot_asset_ids(application_id):
    """Ids of every file version uploaded into the application's slots, by anyone."""
    return list(db.session.execute(
        db.select(MediaAsset.id).where(MediaAsset.slot.startswith(f"application:{application_id}."))
    ).scalars())


def delete_application(application):
    """Delete ``application``, its rows and the stored files of its slots. Flushes."""
    asset_ids = slot_asset_ids(application.id)
    media_retention.erase_assets(asset_ids)
    for asset_id in asset_ids:
        db.session.delete(db.session.get(MediaAsset, asset_id))
    db.session.delete(application)
    db.session.flush()


def _stripped_snapshot(snapshot):
    snapshot = dict(snapshot or {})
    answers = [{key: item.get(key) for key in ("id", "type", "label", "label_lang")} | {"value": None}
               for item in snapshot.get("answers") or []]
    return {
        "format": snapshot.get("format", 1), "erased": True,
        "application_id": snapshot.get("application_id"), "version": snapshot.get("version"),
        "submitted_at": snapshot.get("submitted_at"), "language": snapshot.get("language"),
        "call": snapshot.get("call"),
        "submitted_by": {"user_id": (snapshot.get("submitted_by") or {}).get("user_id"), "name": DELETED_NAME},
        "owner": {"user_id": (snapshot.get("owner") or {}).get("user_id"), "profile": dict(EMPTY_PROFILE)},
        "members": [], "eligibility": {}, "answers": answers,
    }


def strip_application(application, now=None, names=()):
    """Keep ``application`` as a record without its content (see the module). Idempotent.

    :param names: texts (the erased person's name and address) to blank out of the coordinators'
        messages about this application.
    """
    now = now or utcnow()
    media_retention.erase_assets(slot_asset_ids(application.id))
    application.answers = {ERASED_KEY: now.isoformat()}
    application.eligibility_answers = {}
    application.eligibility_notes = []
    application.detached_asset_ids = []
    application.residence_country = None
    application.residence_city_id = None
    for version in db.session.execute(
        db.select(ApplicationVersion).where(ApplicationVersion.application_id == application.id)
    ).scalars():
        version.snapshot = _stripped_snapshot(version.snapshot)
    db.session.execute(db.delete(ApplicationFile).where(ApplicationFile.application_id == application.id))
    scrub_messages(application.id, names)
    db.session.flush()


def scrub_messages(application_id, names):
    """Replace ``names`` (a person's name, e-mail address) in the messages about one application."""
    names = [name for name in names if name and len(name) >= 2]
    if not names:
        return
    for message in db.session.execute(
        db.select(ApplicationMessage).where(ApplicationMessage.application_id == application_id)
    ).scalars():
        for name in names:
            message.subject = message.subject.replace(name, DELETED_NAME)
            message.body = message.body.replace(name, DELETED_NAME)


def forget_member_in_snapshots(application_id, user_id):
    """In each frozen version of another person's application, replace what it says of the member
    ``user_id`` (name, profile) with the anonymous stub."""
    for version in db.session.execute(
        db.select(ApplicationVersion).where(ApplicationVersion.application_id == application_id)
    ).scalars():
        snapshot = dict(version.snapshot or {})
        snapshot["members"] = [
            {"user_id": user_id, "name": DELETED_NAME, "profile": dict(EMPTY_PROFILE)}
            if member.get("user_id") == user_id else member
            for member in snapshot.get("members") or []
        ]
        submitted_by = snapshot.get("submitted_by") or {}
        if submitted_by.get("user_id") == user_id:
            snapshot["submitted_by"] = {"user_id": user_id, "name": DELETED_NAME}
        version.snapshot = snapshot


def owned(user_id):
    return db.session.execute(
        db.select(Application).where(Application.owner_id == user_id).order_by(Application.id)
    ).scalars().all()
