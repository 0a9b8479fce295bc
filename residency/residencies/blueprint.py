"""The residencies' blueprint; its route modules hang from it."""

from flask import Blueprint

bp = Blueprint("residencies", __name__)
