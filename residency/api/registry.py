"""The application's API object and the names of the blueprints serving API operations."""

from flask import current_app

KEY = "residency.api"


def state(app=None):
    """``{"api": flask_smorest.Api, "blueprints": set of names}`` of ``app`` (default: current)."""
    return (app or current_app).extensions[KEY]


def blueprints(app=None):
    """The names of the blueprints serving the API's operations."""
    return frozenset(state(app)["blueprints"])
