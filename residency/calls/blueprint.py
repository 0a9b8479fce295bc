"""The calls feature's blueprint; its routes hang from it in ``views``, ``public`` and ``editor``."""

from flask import Blueprint

bp = Blueprint("calls", __name__)
