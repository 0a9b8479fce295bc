"""What the festivals' views share: loading objects the user may see (else 404, exactly as a
missing id), and answering a refusal."""

from flask import abort, flash
from flask_login import current_user

from residency.core.permissions import can, require
from residency.extensions import db
from residency.festivals import catalogue, rights
from residency.festivals.festivals import get_edition, get_festival
from residency.media.models import Work


def user():
    return current_user._get_current_object()


def festival_or_404(festival_id, action=None):
    """The festival, if the user may see it; then ``action`` is required (403).

    :raise 404: no such festival, or one the user may not see.
    """
    festival = get_festival(festival_id)
    if festival is None or not can(current_user, "festival.view", festival):
        abort(404)
    if action:
        require(action, festival)
    return festival


def edition_or_404(festival, edition_id):
    edition = get_edition(festival, edition_id)
    if edition is None:
        abort(404)
    return edition


def catalogue_work_or_404(work_id):
    """A work of the catalogue, for someone who may browse it. :raise 404: otherwise."""
    if not can(current_user, "catalogue.browse"):
        abort(404)
    work = catalogue.catalogue_work(work_id)
    if work is None:
        abort(404)
    return work


def request_or_404(request_id):
    request = rights.get_request(request_id)
    if request is None or not can(current_user, "request.view", request):
        abort(404)
    return request


def own_work_or_404(work_id):
    work = db.session.get(Work, work_id)
    if work is None or not can(current_user, "work.terms", work):
        abort(404)
    return work


def refuse(refusal):
    db.session.rollback()
    flash(str(refusal.message), "error")
