"""A participant's calendar feed (a secret address calendar programs subscribe to, which they can
replace or revoke), and their notices of new and changed sessions."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import login_required

from residency.core.types import utcnow
from residency.extensions import db, limiter
from residency.residencies import calendar, notify, scheduling
from residency.residencies.access import participation
from residency.residencies.blueprint import bp
from residency.residencies.forms import ConfirmForm
from residency.residencies.loading import found, me, visible_residency
from residency.residencies.session_views import ics_response


def _feed_limit():
    return current_app.config.get("RATELIMIT_RESIDENCY_FEED", "60 per minute")


def _calendar_page(residency, participant, token=None, status=200):
    feed_url = current_app.config["BASE_URL"] + url_for("residencies.feed", token=token) if token else None
    return render_template("residencies/calendar.html", residency=residency, feed=calendar.live_feed(participant),
                           feed_url=feed_url, form=ConfirmForm()), status


@bp.route("/residencies/<int:residency_id>/calendar")
@login_required
def calendar_page(residency_id):
    """The participant's calendar feed: whether one works, and the buttons to make or revoke it.

    :raise 404: the viewer does not take part in the residency (a feed is a participant's own).
    """
    residency = visible_residency(residency_id)
    participant = found(participation(me(), residency.id))
    return _calendar_page(residency, participant)


@bp.route("/residencies/<int:residency_id>/calendar/new", methods=["POST"])
@login_required
@limiter.limit("20 per hour")
def new_feed(residency_id):
    """Make a new secret feed address (the previous one stops working) and show it, once."""
    residency = visible_residency(residency_id)
    participant = found(participation(me(), residency.id))
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    token = calendar.new_feed(participant)
    db.session.commit()
    return _calendar_page(residency, participant, token)


@bp.route("/residencies/<int:residency_id>/calendar/revoke", methods=["POST"])
@login_required
def revoke_feed(residency_id):
    """Revoke the feed address: calendars subscribed to it get nothing more."""
    residency = visible_residency(residency_id)
    participant = found(participation(me(), residency.id))
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    revoked = calendar.revoke_feed(participant)
    db.session.commit()
    flash(_("The feed address is revoked.") if revoked else _("There was no feed address to revoke."), "success")
    return redirect(url_for("residencies.calendar_page", residency_id=residency.id))


@bp.route("/residencies/calendar/<token>.ics")
@limiter.limit(_feed_limit)
def feed(token):
    """Every session of the residency, for calendar programs, in the participant's language (no
    login: the secret address is the authority). An unknown, revoked or replaced address, or one of someone who left: 404."""
    row = calendar.feed_by_token(token)
    if row is None:
        abort(404)
    feed_row, participant, residency = row
    feed_row.last_used_at = utcnow()
    with force_locale(participant.user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        body = calendar.ics_document(residency, scheduling.sessions_of(residency))
    db.session.commit()
    return ics_response(body, f"residency-{residency.id}.ics", attachment=False)


@bp.route("/residencies/notices")
@login_required
def notices():
    """The viewer's notices of every residency, newest first."""
    items = notify.notices_of(me(), limit=100)
    return render_template("residencies/notices.html", notices=items, form=ConfirmForm(),
                           text=notify.notice_text)


@bp.route("/residencies/notices/read", methods=["POST"])
@login_required
def read_notices():
    """Mark every notice read."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    notify.mark_read(me(), utcnow())
    db.session.commit()
    return redirect(url_for("residencies.notices"))


@bp.route("/residencies/<int:residency_id>/notices/read", methods=["POST"])
@login_required
def read_residency_notices(residency_id):
    """Mark the viewer's notices of one residency read (from the residency's page)."""
    residency = visible_residency(residency_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    notify.mark_read(me(), utcnow(), residency.id)
    db.session.commit()
    return redirect(url_for("residencies.residency", residency_id=residency.id))
