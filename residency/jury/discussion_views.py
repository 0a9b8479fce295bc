"""The discussion thread of one application of a round, for the round's jurors (conflicted ones
never reach it: 404, as for a missing application). Thin views over :mod:`.discussion`."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from residency.core.errors import ActionRefused
from residency.core.permissions import can
from residency.extensions import db, limiter
from residency.jury import blind, deliberation, discussion
from residency.jury.blueprint import bp
from residency.jury.models import PanelMember
from residency.jury.seats import juror_round


def _thread(round_id, application_id):
    """``(round, member, thread)`` for a participant. :raise 404: anyone else."""
    round_, member = juror_round(round_id)
    thread = discussion.Thread(round_, application_id)
    if not can(current_user, "jury.discuss", thread):
        abort(404)
    return round_, member, thread


def _page(round_, application_id, status=200, error=None, body=""):
    numbers = blind.label_numbers(round_)
    names = {} if round_.blind else deliberation.applicant_names([application_id])
    members = {m.id: m for m in db.session.execute(
        db.select(PanelMember).where(PanelMember.call_id == round_.call_id)).scalars()}
    return render_template("jury/discussion.html", round=round_, call=round_.call, application_id=application_id,
                           number=numbers.get(application_id, 0), name=names.get(application_id, ""),
                           messages=discussion.messages(round_, application_id), members=members,
                           open=discussion.is_open(round_), error=error, body=body,
                           chair=can(current_user, "jury.chair", round_.call)), status


@bp.route("/jury/rounds/<int:round_id>/applications/<int:application_id>/discussion")
@login_required
def discussion_page(round_id, application_id):
    """The thread, and a form to write in it once scoring of the round is closed.

    :raise 404: not a juror of the round or its chair, conflicted, or the round does not cover it.
    """
    round_, _member, _thread_ = _thread(round_id, application_id)
    return _page(round_, application_id)


@bp.route("/jury/rounds/<int:round_id>/applications/<int:application_id>/discussion", methods=["POST"])
@login_required
@limiter.limit("60 per hour", methods=["POST"], key_func=lambda: f"jury-discussion:{current_user.get_id()}")
def post_to_discussion(round_id, application_id):
    """Add a message to the thread. :raise 404: as :func:`discussion_page`."""
    round_, member, _thread_ = _thread(round_id, application_id)
    body = request.form.get("body", "")
    try:
        discussion.post_message(member, round_, application_id, body)
    except ActionRefused as refusal:
        db.session.rollback()
        if refusal.status == 404:
            abort(404)
        return _page(round_, application_id, refusal.status, error=str(refusal.message), body=body)
    db.session.commit()
    flash(_("Your message is posted."), "success")
    return redirect(url_for("jury.discussion_page", round_id=round_id, application_id=application_id) + "#latest", 303)
