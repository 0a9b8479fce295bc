"""Cities in the JSON API."""

from flask import Blueprint, jsonify

from residency.cities.models import City
from residency.extensions import db

bp = Blueprint("cities_api", __name__)


@bp.get("/cities")
def list_cities():
    """``{"cities": [...]}``, sorted by name."""
    cities = db.session.execute(db.select(City).order_by(City.name)).scalars()
    return jsonify({"cities": [city.to_dict() for city in cities]})


@bp.get("/cities/<slug>")
def get_city(slug):
    city = db.first_or_404(db.select(City).where(City.slug == slug))
    return jsonify(city.to_dict())
