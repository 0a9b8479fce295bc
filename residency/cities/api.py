"""Cities in the JSON API: the network's 22 cities, public."""

import marshmallow as ma
from flask_babel import lazy_gettext as _l

from residency.api import Blueprint
from residency.api.pagination import PageArgs, after, decode_cursor, page, page_schema
from residency.api.problems import ApiError
from residency.cities.models import City
from residency.extensions import db

bp = Blueprint("cities_api", __name__, description="The cities of the network (public).")


class CitySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    country = ma.fields.String(required=True, metadata={"description": "ISO 3166-1 alpha-2."})
    timezone = ma.fields.String(required=True, metadata={"description": "IANA time zone."})
    languages = ma.fields.List(ma.fields.String(), required=True)
    latitude = ma.fields.Float(required=True)
    longitude = ma.fields.Float(required=True)


CityPage = page_schema(CitySchema, "CityPage")


@bp.get("/cities")
@bp.requires("public:read")
@bp.arguments(PageArgs, location="query", as_kwargs=True)
@bp.response(200, CityPage)
def list_cities(limit, cursor):
    """The cities, by name."""
    query = db.select(City).order_by(City.name, City.id)
    if cursor:
        query = query.where(after((City.name, City.id), decode_cursor(cursor, (str, int))))
    rows = db.session.execute(query.limit(limit + 1)).scalars().all()
    return page(rows, limit, lambda city: (city.name, city.id))


@bp.get("/cities/<slug>")
@bp.requires("public:read")
@bp.response(200, CitySchema)
def get_city(slug):
    """One city, by its slug."""
    city = db.session.execute(db.select(City).where(City.slug == slug[:120])).scalar_one_or_none()
    if city is None:
        raise ApiError(404, "not_found", _l("No city has this slug."))
    return city
