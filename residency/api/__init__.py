"""The JSON API under ``/api/v1`` for festivals and integrations."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Feature modules add their endpoints to the blueprint.
from residency.cities import api as _cities_api  # noqa: E402,F401
