"""Loading what a residency route names, with the answers the rules give.

A residency the viewer may not see is answered exactly as a missing one (404), and so is any of
its participants or sessions; a residency they see but may not change answers 403.
"""

from flask import abort
from flask_login import current_user

from residency.core.permissions import can, require
from residency.extensions import db
from residency.residencies.models import Residency


def me():
    return current_user._get_current_object()


def visible_residency(residency_id, action=None):
    """The residency ``residency_id`` if the viewer sees it (``residencies.view``), and may do
    ``action`` to it when one is named.

    :raise 404: no such residency, or one the viewer may not see.
    :raise 403: the viewer sees it but may not do ``action``.
    """
    residency = db.session.get(Residency, residency_id)
    if residency is None or not can(current_user, "residencies.view", residency):
        abort(404)
    if action is not None:
        require(action, residency)
    return residency


def found(obj):
    """``obj``, or 404 when it is None (a participant or session not of this residency)."""
    if obj is None:
        abort(404)
    return obj
