"""The rooms' blueprint; its route modules hang from it."""

from flask import Blueprint

bp = Blueprint("rooms", __name__)
