"""Call pages: the public list, each call's page and feeds, and the coordinators' editor."""

from flask import Blueprint

bp = Blueprint("calls", __name__)
