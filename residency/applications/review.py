"""Coordinators' view of a call's applications: filters, counts, flags, messages, exports."""

from flask import Blueprint

bp = Blueprint("review", __name__)
