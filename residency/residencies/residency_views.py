"""A person's residencies, the residency page, and creating, editing and archiving a residency.

Thin views: load and check through the rules, call an operation, commit once.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from residency.cities.models import City
from residency.core.errors import ActionRefused
from residency.core.forms import show_refusal
from residency.core.hooks import providers
from residency.core.permissions import can, require
from residency.core.types import utcnow
from residency.extensions import db
from residency.residencies import labels, notify, operations, scheduling
from residency.residencies.access import participation
from residency.residencies.blueprint import bp
from residency.residencies.forms import ConfirmForm, NewResidencyForm, ResidencyForm
from residency.residencies.loading import me, visible_residency
from residency.residencies.zones import zone_of


@bp.route("/residencies/")
@login_required
def index():
    """The residencies the viewer takes part in and, for coordinators, those of their cities."""
    user = me()
    mine = operations.residencies_of(user)
    coordinated = [r for r in operations.residencies_coordinated(user) if r not in mine] \
        if can(user, "residencies.create") else []
    return render_template("residencies/index.html", mine=mine, coordinated=coordinated,
                           status_labels=labels.STATUS_LABELS, unread=notify.unread_count(user))


def coordinated_cities(user):
    """The cities in which ``user`` may create a residency, by name."""
    cities = db.session.execute(db.select(City).order_by(City.name)).scalars().all()
    return [city for city in cities if can(user, "residencies.create", city)]


def _fill_new(form, cities):
    form.fill_timezones()
    form.city.choices = [(city.id, city.name) for city in cities]
    if not form.is_submitted():
        user_city = next((city for city in cities if city.id == me().city_id), cities[0])
        form.city.data, form.timezone.data = user_city.id, user_city.timezone


@bp.route("/residencies/new", methods=["GET", "POST"])
@login_required
def new():
    """Create a residency by hand in a city the coordinator runs; people are added next."""
    require("residencies.create")
    cities = coordinated_cities(me())
    if not cities:
        abort(403)
    form = NewResidencyForm()
    _fill_new(form, cities)
    if form.validate_on_submit():
        city = next((city for city in cities if city.id == form.city.data), None)
        try:
            if city is None:
                raise ActionRefused(_("Choose one of the cities you coordinate."), field="city")
            residency = operations.create_residency(
                me(), city, form.title.data, form.description.data, form.timezone.data,
                form.starts_on.data, form.ends_on.data)
        except ActionRefused as refusal:
            db.session.rollback()
            show_refusal(form, refusal)
        else:
            db.session.commit()
            flash(_("The residency is created. Add its artists, mentors and coordinators."), "success")
            return redirect(url_for("residencies.participants", residency_id=residency.id))
    return render_template("residencies/new.html", form=form), 400 if form.errors else 200


@bp.route("/residencies/<int:residency_id>")
@login_required
def residency(residency_id):
    """The residency: its programme, participants, sessions (in the viewer's time and the
    residency's), the viewer's notices of it, and links to its room and calendar."""
    residency = visible_residency(residency_id)
    user = me()
    mine = participation(user, residency.id)
    notices = notify.notices_of(user, residency.id, limit=10) if mine else []
    unread = [notice for notice in notices if notice.read_at is None]
    now = utcnow()
    sessions = scheduling.sessions_of(residency)
    links = [item for item in providers("residency_page_links") if not item.permission
             or can(user, item.permission, residency)]
    return render_template(
        "residencies/residency.html", residency=residency, me=mine, sessions=sessions,
        upcoming=[s for s in sessions if s.ends_at >= now and not s.cancelled],
        past=[s for s in sessions if s.ends_at < now or s.cancelled],
        participants=operations.participants_of(residency), viewer_zone=zone_of(user), notices=notices,
        unread=unread, links=links, confirm=ConfirmForm(), kind_labels=labels.KIND_LABELS,
        role_labels=labels.ROLE_LABELS, status_labels=labels.STATUS_LABELS,
        can_manage=can(user, "residencies.manage", residency),
        can_schedule=can(user, "residencies.schedule", residency),
    )


@bp.route("/residencies/<int:residency_id>/edit", methods=["GET", "POST"])
@login_required
def edit(residency_id):
    """Change the title, programme, timezone and dates (not of an archived residency)."""
    residency = visible_residency(residency_id, "residencies.manage")
    form = ResidencyForm(obj=None if request.method == "POST" else residency)
    form.fill_timezones()
    if form.validate_on_submit():
        try:
            operations.update_residency(me(), residency, form.title.data, form.description.data,
                                        form.timezone.data, form.starts_on.data, form.ends_on.data)
        except ActionRefused as refusal:
            db.session.rollback()
            show_refusal(form, refusal)
        else:
            db.session.commit()
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("residencies.residency", residency_id=residency.id))
    status = 409 if residency.archived and form.is_submitted() else 400 if form.errors else 200
    return render_template("residencies/edit.html", residency=residency, form=form), status


@bp.route("/residencies/<int:residency_id>/archive", methods=["GET", "POST"])
@login_required
def archive(residency_id):
    """Archive the residency (asks for confirmation first): it becomes read-only."""
    residency = visible_residency(residency_id, "residencies.manage")
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            operations.archive_residency(me(), residency)
        except ActionRefused as refusal:
            db.session.rollback()
            flash(str(refusal.message), "error")
            return redirect(url_for("residencies.residency", residency_id=residency.id))
        db.session.commit()
        flash(_("The residency is archived."), "success")
        return redirect(url_for("residencies.residency", residency_id=residency.id))
    return render_template("residencies/archive.html", residency=residency, form=form), 400 if form.errors else 200
