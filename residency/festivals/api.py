"""Festivals in the JSON API: the catalogue (``festivals:read``), a festival's requests with their
packages and download links, its screenings; a programmer requesting a work and recording a
screening (``festivals:write``).

The rules are the festival pages': ``catalogue.browse``, ``festival.view`` (a festival one may
not see is a 404, as if it did not exist), ``festival.program``, ``package.download``; the
operations are the pages' own (:func:`~residency.festivals.rights.create_request`,
:func:`~residency.festivals.screenings.record_screening`).
"""

from datetime import datetime

import marshmallow as ma
from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from residency.api import Blueprint
from residency.api.fields import Date, UTCDateTime
from residency.api.pagination import PageArgs, after, decode_cursor, page, page_schema
from residency.api.problems import ApiError
from residency.core.permissions import can
from residency.extensions import db
from residency.festivals import delivery, rights, screenings
from residency.festivals.models import (
    CatalogueEntry, Edition, Festival, PackageState, RequestState, RightsRequest, Screening,
)
from residency.media.models import Work

bp = Blueprint("festivals_api", __name__, description="The catalogue, a festival's requests, packages and screenings.")


class WorkSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    year = ma.fields.Integer(required=True, allow_none=True)
    duration_seconds = ma.fields.Integer(required=True, allow_none=True)
    medium = ma.fields.String(required=True)
    main_language = ma.fields.String(required=True)
    synopsis = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), required=True)
    artist = ma.fields.Function(lambda work: work.owner.display_name, required=True, metadata={"type": "string"})


class WorkRefSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)


class PackageSchema(ma.Schema):
    state = ma.fields.String(required=True)
    size = ma.fields.Integer(required=True, allow_none=True)
    ready_at = UTCDateTime(required=True, allow_none=True)
    download_url = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "A link made for you, valid FESTIVAL_LINK_SECONDS, opened while logged in (null until ready)."})


class RequestSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    work = ma.fields.Nested(WorkRefSchema, required=True)
    edition_id = ma.fields.Integer(required=True)
    use = ma.fields.String(required=True)
    state = ma.fields.String(required=True)
    created_at = UTCDateTime(required=True)
    decided_at = UTCDateTime(required=True, allow_none=True)
    package = ma.fields.Nested(PackageSchema, required=True, allow_none=True)


class NewRequestSchema(ma.Schema):
    work_id = ma.fields.Integer(required=True, validate=ma.validate.Range(1, 2**31 - 1))
    edition_id = ma.fields.Integer(required=True, validate=ma.validate.Range(1, 2**31 - 1))
    use = ma.fields.String(required=True, validate=ma.validate.OneOf(list(rights.USES)))
    message = ma.fields.String(load_default="", validate=ma.validate.Length(0, 2000))


class ScreeningSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    work_id = ma.fields.Integer(required=True)
    edition_id = ma.fields.Integer(required=True, allow_none=True)
    screened_on = Date(required=True)
    venue = ma.fields.String(required=True)
    city_id = ma.fields.Integer(required=True)
    audience = ma.fields.Integer(required=True, allow_none=True)


class NewScreeningSchema(ma.Schema):
    work_id = ma.fields.Integer(required=True, validate=ma.validate.Range(1, 2**31 - 1))
    screened_on = ma.fields.Date(required=True)
    venue = ma.fields.String(required=True, validate=ma.validate.Length(1, 200))
    edition_id = ma.fields.Integer(load_default=None, validate=ma.validate.Range(1, 2**31 - 1))
    audience = ma.fields.Integer(load_default=None, validate=ma.validate.Range(0, 10_000_000))


WorkPage = page_schema(WorkSchema, "CatalogueWorkPage")
RequestPage = page_schema(RequestSchema, "FestivalRequestPage")
ScreeningPage = page_schema(ScreeningSchema, "ScreeningPage")


def visible_festival(festival_id, action="festival.program"):
    """:raise 404: no such festival or one the caller may not see; :raise 403: seen, not programmed."""
    festival = db.session.get(Festival, festival_id)
    if festival is None or not can(current_user, "festival.view", festival):
        raise ApiError(404, "not_found", _l("No festival has this id."))
    if not can(current_user, action, festival):
        raise ApiError(403, "forbidden", _l("You are not a programmer of this festival."))
    return festival


def _package(request):
    package = request.package
    if package is None:
        return None
    ready = (request.state == RequestState.APPROVED and package.state == PackageState.READY
             and can(current_user, "package.download", package))
    link = url_for("festivals.download", token=delivery.make_link_token(package, current_user), _external=True) \
        if ready else None
    return {"state": package.state, "size": package.size, "ready_at": package.ready_at, "download_url": link}


def _request(request):
    return {"id": request.id, "work": request.work, "edition_id": request.edition_id, "use": request.use,
            "state": request.state, "created_at": request.created_at, "decided_at": request.decided_at,
            "package": _package(request)}


@bp.get("/catalogue")
@bp.requires("festivals:read")
@bp.arguments(PageArgs, location="query", as_kwargs=True)
@bp.response(200, WorkPage)
def catalogue(limit, cursor):
    """The works cleared for distribution, most recently added first."""
    if not can(current_user, "catalogue.browse"):
        raise ApiError(403, "forbidden", _l("The catalogue is for festival programmers and coordinators."))
    order = (CatalogueEntry.added_at, CatalogueEntry.id)
    query = (select(Work, CatalogueEntry.added_at, CatalogueEntry.id).join(CatalogueEntry, CatalogueEntry.work_id == Work.id)
             .order_by(*(column.desc() for column in order)))
    if cursor:
        query = query.where(after(order, decode_cursor(cursor, (datetime, int)), descending=True))
    rows = db.session.execute(query.limit(limit + 1)).all()
    body, status, headers = page(rows, limit, lambda row: (row[1], row[2]))
    body["items"] = [row[0] for row in body["items"]]
    return body, status, headers


@bp.get("/festivals/<int:festival_id>/requests")
@bp.requires("festivals:read")
@bp.arguments(PageArgs, location="query", as_kwargs=True)
@bp.response(200, RequestPage)
def festival_requests(festival_id, limit, cursor):
    """The festival's requests for works, newest first, with their packages."""
    festival = visible_festival(festival_id)
    query = select(RightsRequest).where(RightsRequest.festival_id == festival.id).order_by(RightsRequest.id.desc())
    if cursor:
        query = query.where(after((RightsRequest.id,), decode_cursor(cursor, (int,)), descending=True))
    rows = db.session.execute(query.limit(limit + 1)).scalars().all()
    body, status, headers = page(rows, limit, lambda item: (item.id,))
    body["items"] = [_request(item) for item in body["items"]]
    return body, status, headers


@bp.post("/festivals/<int:festival_id>/requests")
@bp.requires("festivals:write")
@bp.arguments(NewRequestSchema)
@bp.response(201, RequestSchema)
def request_work(data, festival_id):
    """Ask for a work of the catalogue for one of the festival's editions."""
    festival = visible_festival(festival_id)
    work = db.session.get(Work, data["work_id"])
    edition = db.session.get(Edition, data["edition_id"])
    if work is None or db.session.execute(select(CatalogueEntry.id).where(CatalogueEntry.work_id == work.id)).first() is None:
        raise ApiError(404, "not_found", _l("No work of the catalogue has this id."))
    if edition is None or edition.festival_id != festival.id:
        raise ApiError(404, "not_found", _l("The festival has no edition with this id."))
    request = rights.create_request(current_user._get_current_object(), festival, edition, work, data["use"],
                                    data["message"])
    db.session.commit()
    return _request(request), 201


@bp.get("/festivals/<int:festival_id>/screenings")
@bp.requires("festivals:read")
@bp.arguments(PageArgs, location="query", as_kwargs=True)
@bp.response(200, ScreeningPage)
def festival_screenings(festival_id, limit, cursor):
    """The screenings the festival recorded, newest first."""
    festival = visible_festival(festival_id)
    query = select(Screening).where(Screening.festival_id == festival.id).order_by(Screening.id.desc())
    if cursor:
        query = query.where(after((Screening.id,), decode_cursor(cursor, (int,)), descending=True))
    return page(db.session.execute(query.limit(limit + 1)).scalars().all(), limit, lambda item: (item.id,))


@bp.post("/festivals/<int:festival_id>/screenings")
@bp.requires("festivals:write")
@bp.arguments(NewScreeningSchema)
@bp.response(201, ScreeningSchema)
def record_screening(data, festival_id):
    """Record that an approved work was shown (in the festival's city unless an edition says otherwise)."""
    festival = visible_festival(festival_id)
    work = db.session.get(Work, data["work_id"])
    if work is None:
        raise ApiError(404, "not_found", _l("No work has this id."))
    edition = db.session.get(Edition, data["edition_id"]) if data["edition_id"] else None
    if data["edition_id"] and edition is None:
        raise ApiError(404, "not_found", _l("The festival has no edition with this id."))
    screening = screenings.record_screening(
        current_user._get_current_object(), festival, work, screened_on=data["screened_on"], venue=data["venue"],
        city_id=festival.city_id, edition=edition, audience=data["audience"])
    db.session.commit()
    return screening, 201


def register(app):
    """Serve the festivals' part of the API (called from the festivals' ``init_app``)."""
    from residency import api

    api.register(app, bp)
