"""The bid page: a panel member says, per application, how much they would like to review it.

Only the applications the member is not in conflict with are listed; a bid on any other is refused
and nothing is saved. Once the current round's assignment is confirmed the page shows the bids and
no longer takes changes. Permissions as on the conflict pages (404 for a jury the viewer may not
see, 403 for a coordinator who does not sit on the panel).
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from residency.core.errors import ActionRefused
from residency.core.ids import parse_id
from residency.extensions import db
from residency.jury import bids, conflicts
from residency.jury.blueprint import bp
from residency.jury.conflict_views import application_rows, is_blind, member_call

NO_PREFERENCE = ""


def _bid_page(call, member, errors=None, posted=None, status=200):
    conflicted = conflicts.conflicted_application_ids(member)
    shown = [application for application in conflicts.candidate_applications(call)
             if application.id not in conflicted]
    rows = application_rows(call, shown, is_blind(call))
    saved = bids.bids_of(member)
    values = {row.id: (posted[row.id] if posted is not None and row.id in posted else saved.get(row.id))
              for row in rows}
    labels = {row.id: row.label for row in rows}
    problems = [(application_id, labels.get(application_id), message)
                for application_id, message in (errors or {}).items()]
    return render_template(
        "jury/bids.html", call=call, member=member, rows=rows, values=values, errors=errors or {},
        problems=problems, closed=bids.bidding_closed(call), blind=is_blind(call), choices=bids.BID_LABELS,
        no_preference=NO_PREFERENCE,
    ), status


def _posted_bids(form):
    """``{application id: bid or None}`` from the ``bid-<id>`` fields. :raise 400: a malformed id."""
    posted = {}
    for name in form:
        if not name.startswith("bid-"):
            continue
        application_id = parse_id(name.partition("-")[2])
        if application_id is None:
            abort(400)
        value = form.get(name, NO_PREFERENCE)
        posted[application_id] = None if value == NO_PREFERENCE else value
    return posted


@bp.route("/jury/calls/<int:call_id>/bids", methods=["GET", "POST"])
@login_required
def bids_page(call_id):
    """The member's bids: eager, willing, rather not or no preference, per application."""
    call, member = member_call(call_id)
    conflicts.refresh_automatic_conflicts(call, members=[member], actor=current_user)
    db.session.commit()  # kept when a refused form is rolled back: the page then lists what it should
    if request.method == "GET":
        return _bid_page(call, member)
    posted = _posted_bids(request.form)
    try:
        changed = bids.save_bids(member, posted, current_user)
    except bids.InvalidBids as refusal:
        db.session.rollback()
        errors = {key: str(message) for key, message in refusal.errors.items()}
        return _bid_page(call, member, errors=errors, posted=posted, status=refusal.status)
    except ActionRefused as refusal:
        db.session.rollback()
        flash(str(refusal.message), "error")
        return _bid_page(call, member, status=refusal.status)
    db.session.commit()
    flash(_("Your bids are saved.") if changed else _("Nothing changed."), "success" if changed else "info")
    return redirect(url_for("jury.bids_page", call_id=call.id))
