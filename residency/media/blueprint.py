"""The media feature's blueprint; its routes hang from it in ``views``, ``api`` and ``files``."""

from flask import Blueprint

bp = Blueprint("media", __name__)
