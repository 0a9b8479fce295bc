"""The festivals feature's blueprint; its route modules hang from it."""

from flask import Blueprint

bp = Blueprint("festivals", __name__, url_prefix="/festivals")
