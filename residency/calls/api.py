"""Calls in the JSON API: published calls for anyone, with their questions in each language;
drafts for the coordinators who run them; a coordinator creating a call draft.

The rules are the pages': ``call.view`` (a draft is answered 404 to anyone who does not run it,
as if it did not exist) and ``call.create``.
"""

import marshmallow as ma
from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from residency.api import Blueprint
from residency.api.auth import principal
from residency.api.fields import Date, UTCDateTime, translations
from residency.api.pagination import PageArgs, after, decode_cursor, page, page_schema
from residency.api.problems import ApiError
from residency.calls.models import CAREER_STAGES, DISCIPLINES, FORMATS, Call, CallState
from residency.calls.operations.common import MAX_PLACES, TEXT_LIMITS, InvalidCall
from residency.calls.operations.details import _known_countries as known_countries
from residency.calls.operations.details import create_call
from residency.cities.models import City
from residency.core.permissions import can
from residency.extensions import db

bp = Blueprint("calls_api", __name__, description="Open calls: public ones, and drafts for their coordinators.")

STATES = (CallState.DRAFT, CallState.OPEN, CallState.CLOSED, CallState.IN_REVIEW, CallState.DECIDED, CallState.ARCHIVED)


class ChoiceSchema(ma.Schema):
    value = ma.fields.String(required=True)
    label = translations(required=True)


class QuestionSchema(ma.Schema):
    """A question of the call's application form; texts in each language the call has them."""

    id = ma.fields.String(required=True)
    type = ma.fields.String(required=True)
    required = ma.fields.Boolean(required=True, dump_default=False)
    label = translations(required=True, dump_default={})
    help = translations(required=True, dump_default={})
    word_limit = ma.fields.Integer(allow_none=True)
    choices = ma.fields.List(ma.fields.Nested(ChoiceSchema))
    kinds = ma.fields.List(ma.fields.String())
    max_size = ma.fields.Integer(metadata={"description": "Bytes per file."})
    max_count = ma.fields.Integer()


class CallTextsSchema(ma.Schema):
    title = ma.fields.String(required=True, dump_default="")
    summary = ma.fields.String(required=True, dump_default="")
    body = ma.fields.String(required=True, dump_default="")
    benefits = ma.fields.String(required=True, dump_default="")


class CallSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    slug = ma.fields.String(required=True)
    state = ma.fields.String(required=True, metadata={"enum": list(STATES)})
    city = ma.fields.Method("city_slug", required=True, metadata={"type": ["string", "null"],
                            "description": "The owner city's slug; null for a network-wide call."})
    main_language = ma.fields.String(required=True)
    texts = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(CallTextsSchema), required=True,
                           metadata={"description": "The call's texts, by language."})
    disciplines = ma.fields.List(ma.fields.String(), required=True)
    format = ma.fields.String(required=True)
    places = ma.fields.Integer(required=True)
    timezone = ma.fields.String(required=True)
    opens_at = UTCDateTime(required=True, allow_none=True)
    closes_at = UTCDateTime(required=True, allow_none=True)
    published_at = UTCDateTime(required=True, allow_none=True)
    residency_starts_on = Date(required=True, allow_none=True)
    residency_ends_on = Date(required=True, allow_none=True)
    questions = ma.fields.List(ma.fields.Nested(QuestionSchema), required=True, attribute="form")

    def city_slug(self, call):
        return call.city.slug if call.city is not None else None


CallPage = page_schema(CallSchema, "CallPage")


class CallListArgs(PageArgs):
    state = ma.fields.String(validate=ma.validate.OneOf(STATES[1:]), metadata={"description": "Only calls in this state."})
    city = ma.fields.String(validate=ma.validate.Length(1, 120), metadata={"description": "Only this city's calls (slug)."})


class CallDraftSchema(ma.Schema):
    """A new call draft; the details the call editor's first page asks for."""

    city = ma.fields.String(load_default=None, validate=ma.validate.Length(1, 120),
                            metadata={"description": "The owner city's slug; omit for a network-wide call."})
    main_language = ma.fields.String(load_default="en", validate=ma.validate.Length(2, 10),
                                     metadata={"description": "One of the site's languages (en, fr, es, pt)."})
    title = ma.fields.String(required=True, validate=ma.validate.Length(1, TEXT_LIMITS["title"]))
    summary = ma.fields.String(load_default="", validate=ma.validate.Length(0, TEXT_LIMITS["summary"]))
    body = ma.fields.String(load_default="", validate=ma.validate.Length(0, TEXT_LIMITS["body"]))
    benefits = ma.fields.String(load_default="", validate=ma.validate.Length(0, TEXT_LIMITS["benefits"]))
    disciplines = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(DISCIPLINES)), required=True,
                                 validate=ma.validate.Length(1, len(DISCIPLINES)))
    format = ma.fields.String(load_default="online", validate=ma.validate.OneOf(FORMATS))
    places = ma.fields.Integer(load_default=1, validate=ma.validate.Range(1, MAX_PLACES))
    residency_starts_on = ma.fields.Date(load_default=None)
    residency_ends_on = ma.fields.Date(load_default=None)
    countries = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(sorted(known_countries()))),
                               load_default=list, validate=ma.validate.Length(0, 300),
                               metadata={"description": "Countries of residence eligible (ISO 3166-1 alpha-2)."})
    career_stages = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(CAREER_STAGES)), load_default=list,
                                   validate=ma.validate.Length(0, len(CAREER_STAGES)))


def visible_call(call_id):
    """The call, if the caller may see it: a published call for anyone; a draft only for a
    coordinator who runs it, with a token holding ``coordinator:read``.

    :raise 404: no such call, or one the caller may not see (the same answer).
    """
    call = db.session.get(Call, call_id)
    if call is None or not can(current_user, "call.view", call):
        raise ApiError(404, "not_found", _l("No call has this id."))
    if call.published_at is None and call.state == CallState.DRAFT and "coordinator:read" not in principal().scopes:
        raise ApiError(404, "not_found", _l("No call has this id."))
    return call


@bp.get("/calls")
@bp.requires("public:read")
@bp.arguments(CallListArgs, location="query", as_kwargs=True)
@bp.response(200, CallPage)
def list_calls(limit, cursor, state=None, city=None):
    """Published calls, newest first."""
    query = db.select(Call).where(Call.published_at.is_not(None)).order_by(Call.id.desc())
    if state:
        query = query.where(Call.state == state)
    if city:
        query = query.join(City, City.id == Call.city_id).where(City.slug == city)
    if cursor:
        query = query.where(after((Call.id,), decode_cursor(cursor, (int,)), descending=True))
    rows = db.session.execute(query.limit(limit + 1)).scalars().all()
    return page(rows, limit, lambda call: (call.id,))


@bp.get("/calls/<int:call_id>")
@bp.requires("public:read")
@bp.response(200, CallSchema)
def get_call(call_id):
    """One call, with its questions in each language."""
    return visible_call(call_id)


@bp.post("/calls")
@bp.requires("coordinator:write")
@bp.arguments(CallDraftSchema)
@bp.response(201, CallSchema)
def create_call_draft(details):
    """Create a call draft for a city you coordinate (or a network-wide one, for network
    coordinators). It stays private until published from the call editor."""
    city = None
    if details.get("city"):
        city = db.session.execute(db.select(City).where(City.slug == details["city"])).scalar_one_or_none()
        if city is None:
            raise ApiError(404, "not_found", _l("No city has this slug."), errors={"json": {"city": ["Unknown city."]}})
    if not can(current_user, "call.create", city):
        raise ApiError(403, "forbidden", _l("You do not coordinate this city."))
    try:
        call = create_call(current_user._get_current_object(), city, {**details, "eligible_city_ids": [],
                                                                       "participating_city_ids": []})
    except InvalidCall as invalid:
        db.session.rollback()
        errors = {}
        for field, message in invalid.problems:
            errors.setdefault(field, []).append(str(message))
        raise ApiError(422, "invalid_call", invalid.message, errors={"json": errors}) from None
    db.session.commit()
    return call, 201, {"Location": url_for("calls_api.get_call", call_id=call.id)}
