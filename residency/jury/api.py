"""The jury in the JSON API (``jury:read``): a panel member's own assignments and score sheets.

The rules are the jury pages': only an active member of a call's panel (``jury.sit``) reads their
assignments, the live confirmed ones of rounds in scoring or closed. Applications are named as on
the juror's pages: by the round's pseudonym ("Application N"); in a blind round nothing else (no
database id, no applicant), otherwise also the application's id and the applicant's name.
"""

import marshmallow as ma
from flask_login import current_user
from sqlalchemy import select

from residency.api import Blueprint
from residency.api.fields import UTCDateTime
from residency.api.pagination import PageArgs, after, decode_cursor, page, page_schema
from residency.applications.models import Application
from residency.core.permissions import can
from residency.extensions import db
from residency.jury import blind
from residency.jury.models import Assignment, MemberStatus, PanelMember, Round, RoundPhase
from residency.jury.scoring import current_review

bp = Blueprint("jury_api", __name__, description="A panel member's assignments and score sheets.")


class ScoreSchema(ma.Schema):
    criterion_id = ma.fields.String(required=True)
    value = ma.fields.Float(required=True)


class SheetSchema(ma.Schema):
    submitted_at = UTCDateTime(required=True)
    abstained = ma.fields.Boolean(required=True)
    scores = ma.fields.List(ma.fields.Nested(ScoreSchema), required=True)


class RoundRefSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    call_id = ma.fields.Integer(required=True)
    number = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    phase = ma.fields.String(required=True)
    blind = ma.fields.Boolean(required=True)


class JuryApplicationSchema(ma.Schema):
    label = ma.fields.String(required=True, metadata={"description": "The round's pseudonym, 'Application N'."})
    id = ma.fields.Integer(required=True, allow_none=True, metadata={"description": "null in a blind round."})
    applicant = ma.fields.String(required=True, allow_none=True, metadata={"description": "null in a blind round."})


class AssignmentSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    round = ma.fields.Nested(RoundRefSchema, required=True)
    application = ma.fields.Nested(JuryApplicationSchema, required=True)
    sheet = ma.fields.Nested(SheetSchema, required=True, allow_none=True,
                             metadata={"description": "Your current score sheet; null until you score."})


AssignmentPage = page_schema(AssignmentSchema, "AssignmentPage")


def _row(assignment, round_, labels):
    number = labels.setdefault(round_.id, blind.label_numbers(round_)).get(assignment.application_id)
    application = {"label": str(blind.label_of(number)) if number else "", "id": None, "applicant": None}
    if not round_.blind:
        owner = db.session.get(Application, assignment.application_id).owner
        application.update(id=assignment.application_id, applicant=owner.display_name)
    review = current_review(assignment.id)
    sheet = None if review is None else {
        "submitted_at": review.submitted_at, "abstained": review.abstained,
        "scores": [{"criterion_id": s.criterion_id, "value": s.value} for s in review.scores]}
    return {"id": assignment.id, "application": application, "sheet": sheet,
            "round": {"id": round_.id, "call_id": round_.call_id, "number": round_.number, "name": round_.name,
                      "phase": round_.phase, "blind": round_.blind}}


@bp.get("/jury/assignments")
@bp.requires("jury:read")
@bp.arguments(PageArgs, location="query", as_kwargs=True)
@bp.response(200, AssignmentPage)
def my_assignments(limit, cursor):
    """Your live assignments on the panels you sit on, with your current score sheets."""
    query = (select(Assignment, Round).join(Round, Round.id == Assignment.round_id)
             .join(PanelMember, PanelMember.id == Assignment.member_id)
             .where(PanelMember.user_id == current_user.id, PanelMember.status == MemberStatus.ACTIVE,
                    Assignment.removed_at.is_(None), Assignment.confirmed_at.is_not(None),
                    Round.phase.in_((RoundPhase.SCORING, RoundPhase.CLOSED)))
             .order_by(Assignment.id))
    if cursor:
        query = query.where(after((Assignment.id,), decode_cursor(cursor, (int,))))
    rows = db.session.execute(query.limit(limit + 1)).all()
    labels = {}
    items = [_row(assignment, round_, labels) for assignment, round_ in rows
             if can(current_user, "jury.sit", round_.call)]
    return page(items, limit, lambda item: (item["id"],))


def register(app):
    """Serve the jury's part of the API (called from the jury's ``init_app``)."""
    from residency import api

    api.register(app, bp)
