"""The calls feature's blueprint; its routes hang from it in ``views``, ``public`` and the editor's
``editor_details``, ``editor_form``, ``editor_rubric`` and ``editor_timeline``."""

from flask import Blueprint

bp = Blueprint("calls", __name__)
