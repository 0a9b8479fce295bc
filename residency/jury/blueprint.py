"""The jury feature's blueprint; its route modules hang from it."""

from flask import Blueprint

bp = Blueprint("jury", __name__)
