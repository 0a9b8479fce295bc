"""What the calls feature asks of applications, through its hooks (calls sit below applications
and cannot import them): who applied, and which questions applicants answered."""

from residency.applications.models import Application, ApplicationVersion
from residency.extensions import db


def applicant_ids(call):
    """``call_applicants``: ids of the users who own an application submitted at least once."""
    return set(db.session.execute(
        db.select(Application.owner_id).where(Application.call_id == call.id, Application.current_version > 0)
    ).scalars())


def answered_question_ids(call):
    """``call_answered_questions``: ids of the questions answered in any submitted version (what
    applicants stand on), or in the current answers of an application submitted at least once.
    Reserved ``_`` keys are not questions."""

    def filled(value):
        return value not in (None, "", [], {})

    answered = set()
    drafts = db.session.execute(
        db.select(Application.answers).where(Application.call_id == call.id, Application.current_version > 0)
    ).scalars()
    for answers in drafts:
        answered |= {qid for qid, value in (answers or {}).items() if not qid.startswith("_") and filled(value)}
    snapshots = db.session.execute(
        db.select(ApplicationVersion.snapshot).join(Application).where(Application.call_id == call.id)
    ).scalars()
    for snapshot in snapshots:
        answered |= {item["id"] for item in (snapshot or {}).get("answers", []) if filled(item.get("value"))}
    return answered
