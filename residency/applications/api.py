"""Applications in the JSON API.

* ``applications:read`` — the caller's own applications (as owner or accepted co-applicant), their
  submitted versions and each version's receipt (the exact bytes its SHA-256 fingerprint is of).
  Another person's application is a 404, as if it did not exist.
* ``coordinator:read`` — the submitted applications of a call the caller runs, with the filters of
  the coordinators' list, one application as frozen at its last submission, and the CSV export.

The rules are the pages': ``application.view`` and ``call.manage_applications``.
"""

from datetime import datetime

import marshmallow as ma
from flask import Response, stream_with_context
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import exists, or_, select

from residency.accounts.models import User
from residency.api import Blueprint
from residency.api.fields import UTCDateTime
from residency.api.pagination import PageArgs, after, decode_cursor, page, page_schema
from residency.api.problems import ApiError
from residency.applications import exports, listing
from residency.applications.models import Application, ApplicationMember, ApplicationVersion
from residency.applications.operations import canonical_json
from residency.applications.policies import is_member
from residency.applications.review_eligibility import ELIGIBILITY_LABELS
from residency.applications.review_list import STATE_LABELS, Filters, filtered
from residency.audit.operations import record
from residency.calls.api import visible_call
from residency.calls.models import Call
from residency.core.permissions import can
from residency.extensions import db

bp = Blueprint("applications_api", __name__, description="Your applications; the applications of the calls you run.")
NOT_FOUND = _l("No application has this id.")


class CallRefSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    slug = ma.fields.String(required=True)
    title = ma.fields.Method("call_title", required=True)

    def call_title(self, call):
        return call.text("title")


class OwnApplicationSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    call = ma.fields.Nested(CallRefSchema, required=True)
    state = ma.fields.String(required=True)
    current_version = ma.fields.Integer(required=True, metadata={"description": "0 until first submitted."})
    answers = ma.fields.Dict(required=True, metadata={"description": "The draft's answers, by question id."})
    created_at = UTCDateTime(required=True)
    updated_at = UTCDateTime(required=True)
    submitted_at = UTCDateTime(required=True, allow_none=True)
    withdrawn_at = UTCDateTime(required=True, allow_none=True)


class VersionSchema(ma.Schema):
    number = ma.fields.Integer(required=True)
    submitted_at = UTCDateTime(required=True)
    fingerprint = ma.fields.String(required=True, metadata={"description": "SHA-256 (hex) of the receipt's bytes."})
    snapshot = ma.fields.Dict(required=True, metadata={"description": "The application as submitted (frozen)."})


class ApplicantSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    email = ma.fields.String(required=True)


class ListedApplicationSchema(ma.Schema):
    """A line of the coordinators' list."""

    id = ma.fields.Integer(required=True)
    applicant = ma.fields.Nested(ApplicantSchema, required=True)
    state = ma.fields.String(required=True)
    eligible = ma.fields.Boolean(required=True, allow_none=True)
    submitted_at = UTCDateTime(required=True)
    version = ma.fields.Integer(required=True)
    residence_city_id = ma.fields.Integer(required=True, allow_none=True)
    residence_country = ma.fields.String(required=True, allow_none=True)


class SubmittedApplicationSchema(ListedApplicationSchema):
    """One application as its coordinators see it: frozen at its last submission."""

    fingerprint = ma.fields.String(required=True)
    snapshot = ma.fields.Dict(required=True)


OwnApplicationPage = page_schema(OwnApplicationSchema, "OwnApplicationPage")
ListedApplicationPage = page_schema(ListedApplicationSchema, "ListedApplicationPage")


class ReviewListArgs(PageArgs):
    """The coordinators' list's filters."""

    state = ma.fields.String(validate=ma.validate.OneOf(list(STATE_LABELS)))
    eligible = ma.fields.String(validate=ma.validate.OneOf(list(ELIGIBILITY_LABELS)))
    duplicates = ma.fields.Boolean(load_default=False, metadata={"description": "Only possible duplicates."})
    q = ma.fields.String(validate=ma.validate.Length(1, 200), metadata={"description": "In the applicant's name or e-mail."})
    city = ma.fields.Integer(validate=ma.validate.Range(1, 2**31 - 1), metadata={"description": "City of residence (id)."})
    country = ma.fields.String(validate=ma.validate.Regexp(r"^[A-Za-z]{2}$"), metadata={"description": "Country of residence."})
    sort = ma.fields.String(load_default="-submitted", validate=ma.validate.OneOf(["-submitted", "submitted"]))


class ExportArgs(ReviewListArgs):
    class Meta:
        exclude = ("limit", "cursor", "sort")


# --- one's own ---------------------------------------------------------------------------------

def own_application(application_id):
    """:raise 404: not the caller's application (or none), the same answer."""
    application = db.session.get(Application, application_id)
    if application is None or not is_member(current_user, application):
        raise ApiError(404, "not_found", NOT_FOUND)
    return application


def own_version(application_id, number):
    application = own_application(application_id)
    version = db.session.execute(select(ApplicationVersion).where(
        ApplicationVersion.application_id == application.id, ApplicationVersion.number == number)).scalar_one_or_none()
    if version is None:
        raise ApiError(404, "not_found", _l("This application has no such version."))
    return version


@bp.get("/me/applications")
@bp.requires("applications:read")
@bp.arguments(PageArgs, location="query", as_kwargs=True)
@bp.response(200, OwnApplicationPage)
def my_applications(limit, cursor):
    """Your applications (drafts included), newest first."""
    member = exists().where(ApplicationMember.application_id == Application.id,
                            ApplicationMember.user_id == current_user.id, ApplicationMember.accepted_at.is_not(None))
    query = select(Application).where(or_(Application.owner_id == current_user.id, member)).order_by(Application.id.desc())
    if cursor:
        query = query.where(after((Application.id,), decode_cursor(cursor, (int,)), descending=True))
    rows = db.session.execute(query.limit(limit + 1)).scalars().all()
    return page(rows, limit, lambda application: (application.id,))


@bp.get("/me/applications/<int:application_id>")
@bp.requires("applications:read")
@bp.response(200, OwnApplicationSchema)
def my_application(application_id):
    """One of your applications."""
    return own_application(application_id)


@bp.get("/me/applications/<int:application_id>/versions")
@bp.requires("applications:read")
@bp.response(200, VersionSchema(many=True))
def my_versions(application_id):
    """The versions you submitted, oldest first."""
    application = own_application(application_id)
    return db.session.execute(select(ApplicationVersion).where(ApplicationVersion.application_id == application.id)
                              .order_by(ApplicationVersion.number)).scalars().all()


@bp.get("/me/applications/<int:application_id>/versions/<int:number>")
@bp.requires("applications:read")
@bp.response(200, VersionSchema)
def my_version(application_id, number):
    """One submitted version, as frozen."""
    return own_version(application_id, number)


@bp.get("/me/applications/<int:application_id>/versions/<int:number>/receipt")
@bp.requires("applications:read")
@bp.response(200, {"type": "object"}, description="The version's canonical JSON: its SHA-256 is the fingerprint.")
def my_receipt(application_id, number):
    """The receipt: the exact bytes of the version whose SHA-256 is its fingerprint."""
    version = own_version(application_id, number)
    return Response(canonical_json(version.snapshot), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="application-{application_id}-v{number}.json"'})


# --- the calls one runs --------------------------------------------------------------------------

def managed_call(call_id):
    """:raise 404: no such call, or one the caller may not see; :raise 403: a call the caller
    sees but does not run."""
    call = visible_call(call_id)
    if not can(current_user, "call.manage_applications", call):
        raise ApiError(403, "forbidden", _l("You do not run this call."))
    return call


def _filters(args):
    return Filters(state=args.get("state") or "", eligible=args.get("eligible") or "",
                   duplicates=bool(args.get("duplicates")), q=(args.get("q") or "").strip(), city=args.get("city") or 0,
                   country=(args.get("country") or "").upper())


def _listed_columns():
    return (Application.id, Application.owner_id, Application.state, Application.eligible, Application.submitted_at,
            Application.current_version, Application.residence_city_id, Application.residence_country,
            User.display_name, User.email)


def _listed_row(row):
    return {"id": row.id, "applicant": {"id": row.owner_id, "name": row.display_name, "email": row.email},
            "state": row.state, "eligible": row.eligible, "submitted_at": row.submitted_at,
            "version": row.current_version, "residence_city_id": row.residence_city_id,
            "residence_country": row.residence_country}


@bp.get("/calls/<int:call_id>/applications")
@bp.requires("coordinator:read")
@bp.arguments(ReviewListArgs, location="query")
@bp.response(200, ListedApplicationPage)
def call_applications(args, call_id):
    """The call's submitted applications, with the coordinators' list's filters; one query a page."""
    call = managed_call(call_id)
    descending = args["sort"] == "-submitted"
    query = filtered(select(*_listed_columns()).join(User, User.id == Application.owner_id)
                     .where(listing.listed(call.id)), _filters(args), call.id)
    order = (Application.submitted_at, Application.id)
    query = query.order_by(*(column.desc() if descending else column.asc() for column in order))
    if args.get("cursor"):
        query = query.where(after(order, decode_cursor(args["cursor"], (datetime, int)), descending))
    rows = db.session.execute(query.limit(args["limit"] + 1)).all()
    return page([_listed_row(row) for row in rows], args["limit"], lambda item: (item["submitted_at"], item["id"]))


@bp.get("/calls/<int:call_id>/applications/<int:application_id>")
@bp.requires("coordinator:read")
@bp.response(200, SubmittedApplicationSchema)
def call_application(call_id, application_id):
    """One submitted application of the call, as frozen at its last submission."""
    call = visible_call(call_id)
    application, version = listing.get_listed_application(call, application_id)
    if application is None or version is None or not can(current_user, "application.view", application):
        raise ApiError(404, "not_found", NOT_FOUND)
    if not can(current_user, "call.manage_applications", call):
        raise ApiError(403, "forbidden", _l("You do not run this call."))
    owner = application.owner
    return {"id": application.id, "applicant": {"id": owner.id, "name": owner.display_name, "email": owner.email},
            "state": application.state, "eligible": application.eligible, "submitted_at": version.submitted_at,
            "version": version.number, "residence_city_id": application.residence_city_id,
            "residence_country": application.residence_country, "fingerprint": version.fingerprint,
            "snapshot": version.snapshot}


@bp.get("/calls/<int:call_id>/applications/export.csv")
@bp.requires("coordinator:read")
@bp.arguments(ExportArgs, location="query")
@bp.response(200, {"type": "string"}, content_type="text/csv",
             description="One row per listed application (UTF-8 with BOM), streamed; the list's filters apply.")
def export_call_applications(args, call_id):
    """The call's applications as CSV, as the coordinators' page exports them (audited)."""
    call = managed_call(call_id)
    filters = _filters(args)
    record("call.applications_exported", actor=current_user._get_current_object(), obj=call, format="csv",
           filters=filters.as_args(page=""), via="api")
    db.session.commit()
    call = db.session.get(Call, call_id)
    chunks = exports.csv_chunks(exports.header(call), exports.rows(call, filters))
    return Response(stream_with_context(chunks), mimetype=exports.CSV_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="{call.slug}-applications.csv"',
                             "Cache-Control": "no-store"})
