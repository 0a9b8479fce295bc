"""Public city pages."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import Blueprint, render_template
from flask_babel import get_locale

from residency.cities.models import City
from residency.core.permissions import require
from residency.extensions import db

bp = Blueprint("cities", __name__, url_prefix="/cities")


def home_section():
    """The home page's list of the cities (the ``home_sections`` hook)."""
    return {"cities": db.session.execute(db.select(City).order_by(City.name)).scalars().all()}


@bp.route("/")
def index():
    cities = db.session.execute(db.select(City).order_by(City.name)).scalars().all()
    return render_template("cities/index.html", cities=cities)


@bp.route("/<slug>")
def show(slug):
    city = db.first_or_404(db.select(City).where(City.slug == slug))
    require("city.view", city)
    local_now = datetime.now(timezone.utc).astimezone(ZoneInfo(city.timezone))
    return render_template("cities/show.html", city=city, local_now=local_now, locale=str(get_locale()))
