"""Creating a residency from a call's selected applications (once the jury's decisions are
published): the artists are the people of those applications."""

from flask import flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required

from residency.calls.models import Call, CallState
from residency.core.errors import ActionRefused
from residency.core.forms import show_refusal
from residency.core.permissions import can, require
from residency.extensions import db
from residency.residencies import operations
from residency.residencies.blueprint import bp
from residency.residencies.forms import FromCallForm
from residency.residencies.loading import me

#: The most calls offered in the list (the latest first).
MAX_CALLS = 100


def calls_with_selection(user):
    """``[(call, people)]``: calls of the cities ``user`` coordinates (not drafts) with at least
    one selected, published application, and the people a residency would take from each."""
    calls = db.session.execute(
        db.select(Call).where(Call.state != CallState.DRAFT, Call.city_id.is_not(None))
        .order_by(Call.id.desc()).limit(MAX_CALLS)
    ).scalars().all()
    offered = []
    for call in calls:
        if can(user, "residencies.create", call.city):
            people = operations.selected_people(call)
            if people:
                offered.append((call, people))
    return offered


@bp.route("/residencies/new/from-call", methods=["GET", "POST"])
@login_required
def new_from_call():
    """Choose a call with published selections; its selected artists form the new residency."""
    require("residencies.create")
    offered = calls_with_selection(me())
    form = FromCallForm()
    form.fill_timezones()
    locale = str(get_locale())
    form.call.choices = [(call.id, call.text("title", locale) or call.slug) for call, _people in offered]
    if not form.is_submitted() and offered:
        form.call.data, form.timezone.data = offered[0][0].id, offered[0][0].city.timezone
    if form.validate_on_submit():
        call = next((call for call, _people in offered if call.id == form.call.data), None)
        try:
            if call is None:
                raise ActionRefused(_("Choose one of the calls listed."), field="call")
            residency = operations.create_from_selection(
                me(), call, form.title.data, form.description.data, form.timezone.data,
                form.starts_on.data, form.ends_on.data)
        except ActionRefused as refusal:
            db.session.rollback()
            show_refusal(form, refusal)
        else:
            db.session.commit()
            flash(_("The residency is created with the call's selected artists. Add its mentors and coordinators."),
                  "success")
            return redirect(url_for("residencies.participants", residency_id=residency.id))
    return render_template("residencies/from_call.html", form=form, offered=offered), 400 if form.errors else 200
