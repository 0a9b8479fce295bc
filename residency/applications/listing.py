"""Which applications the coordinators' list shows, and what it reads of their frozen versions.

The list, its flags and its exports read only the *frozen* last submitted version of each
application (``ApplicationVersion`` whose ``number`` is ``current_version``); the live draft is
never shown. An application is listed once it has been submitted at least once
(``current_version > 0``), as the ``application.view`` rule says, and never while in the draft
state: :func:`listed` is that condition.

A submitted version (``ApplicationVersion.snapshot``, format 1, written by
:mod:`residency.applications.operations.submission`) is JSON; reading 50 of them for every page of
the list, and every version of a call to find duplicate files, costs more than the rest of the
page. So :func:`index_version` copies what the list filters and flags on into plain columns when
the version is frozen: the country and network city of residence on the application, and one
:class:`ApplicationFile` row per submitted file (name and SHA-256).

The snapshot stays the record; these columns are derived from it and rewritten at each
submission (and by migration ``0005`` for versions frozen before them).
"""

from sqlalchemy import and_, literal_column, select
from sqlalchemy.orm import joinedload, selectinload

from residency.applications.models import (
    Application,
    ApplicationFile,
    ApplicationMember,
    ApplicationState,
    ApplicationVersion,
)
from residency.extensions import db


def listed(call_id, table=Application):
    """The applications of the call that coordinators see: submitted at least once, not a draft.

    Written as ``ix_applications_listed``'s predicate, so that PostgreSQL counts and pages them
    from that index alone. The constants are written into the SQL, not bound: a prepared
    statement's generic plan can only use a partial index whose predicate its text proves.
    """
    return and_(table.call_id == call_id, table.current_version > literal_column("0"),
                table.state != literal_column(f"'{ApplicationState.DRAFT}'"))


def current_version_join():
    """The join condition of ``Application`` to its last submitted ``ApplicationVersion``."""
    return and_(
        ApplicationVersion.application_id == Application.id,
        ApplicationVersion.number == Application.current_version,
    )


def get_listed_application(call, application_id):
    """The call's application ``application_id`` with its owner, members and frozen version.

    :return: ``(application, version)``, or ``(None, None)`` when it is not listed (another
        call's, or a draft).
    """
    application = db.session.execute(
        select(Application)
        .where(Application.id == application_id, listed(call.id))
        .options(joinedload(Application.owner), selectinload(Application.members).joinedload(ApplicationMember.user))
    ).unique().scalar_one_or_none()
    if application is None:
        return None, None
    version = db.session.execute(
        select(ApplicationVersion).where(ApplicationVersion.application_id == application.id,
                                         ApplicationVersion.number == application.current_version)
    ).scalar_one_or_none()
    return application, version


def snapshot_answers(snapshot):
    """``{question id: value}`` of a version's answers."""
    answers = (snapshot or {}).get("answers")
    if isinstance(answers, dict):
        return dict(answers)
    if isinstance(answers, list):
        return {item["id"]: item.get("value") for item in answers if isinstance(item, dict) and "id" in item}
    return {}


def frozen_files(snapshot_or_answers):
    """``[(question id, {"id", "filename", "sha256", …})]``: the files of a version (its snapshot, or
    its ``answers`` list alone), in form order, each asset once."""
    value = snapshot_or_answers or {}
    answers = value.get("answers") if isinstance(value, dict) else value
    found, seen = [], set()
    for item in answers if isinstance(answers, list) else []:
        if not (isinstance(item, dict) and item.get("type") == "file" and isinstance(item.get("value"), list)):
            continue
        for record in item["value"]:
            if isinstance(record, dict) and record.get("id") is not None and str(record["id"]) not in seen:
                seen.add(str(record["id"]))
                found.append((str(item.get("id") or ""), record))
    return found


def snapshot_files(snapshot_or_answers):
    """``{asset id (str): {"filename", "sha256"}}``: the files of a version."""
    return {str(record["id"]): {"filename": record.get("filename") or "", "sha256": record.get("sha256") or ""}
            for _question, record in frozen_files(snapshot_or_answers)}


def snapshot_country(snapshot):
    """The country of residence in a frozen version: the profile's, else the eligibility answer."""
    snapshot = snapshot or {}
    profile = (snapshot.get("owner") or {}).get("profile") or {}
    country = profile.get("country_of_residence") or (snapshot.get("eligibility") or {}).get("country") or ""
    return country.upper() if isinstance(country, str) and len(country) == 2 else ""


def snapshot_city(snapshot):
    """The network city the artist said they live in (eligibility answer), if the call asked."""
    city = ((snapshot or {}).get("eligibility") or {}).get("city")
    return city if isinstance(city, int) and not isinstance(city, bool) else None


def index_version(application, snapshot):
    """Copy what the list reads of ``snapshot`` (the version now current) into columns and rows.

    The caller flushes or commits; the application must have an id.
    """
    application.residence_country = snapshot_country(snapshot) or None
    application.residence_city_id = snapshot_city(snapshot)
    db.session.execute(db.delete(ApplicationFile).where(ApplicationFile.application_id == application.id))
    db.session.add_all(
        ApplicationFile(application_id=application.id, asset_id=int(record["id"]), call_id=application.call_id,
                        question_id=question_id[:64], filename=(record.get("filename") or "")[:255],
                        sha256=(record.get("sha256") or "")[:64])
        for question_id, record in frozen_files(snapshot)
        if str(record["id"]).isdigit()
    )
