"""Admin pages. Every view asks the permission rules; nothing here is reachable by role alone."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, or_

from residency.accounts import operations
from residency.accounts.forms import ConfirmForm
from residency.accounts.models import Role, RoleGrant, User
from residency.admin.forms import ROLE_LABELS, GrantRoleForm, UserSearchForm
from residency.audit.models import AuditEntry
from residency.cities.models import City
from residency.core.errors import ActionRefused
from residency.core.health import health
from residency.core.ids import parse_page
from residency.core.jobs import enqueue_after_commit
from residency.core.models import SystemProbe
from residency.core.permissions import require
from residency.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 50


@bp.before_request
@login_required
def _signed_in():
    """Every admin page needs a login; each view then checks its own permission."""


def _page():
    return parse_page(request.args.get("page"))


@bp.route("/")
def index():
    require("admin.access")
    counts = {
        "users": db.session.scalar(db.select(func.count(User.id))),
        "grants": db.session.scalar(db.select(func.count(RoleGrant.id))),
        "audit": db.session.scalar(db.select(func.count(AuditEntry.id))),
    }
    return render_template("admin/index.html", counts=counts)


@bp.route("/users")
def users():
    require("roles.manage")
    form = UserSearchForm(request.args)
    query = db.select(User).order_by(User.created_at.desc())
    if form.q.data:
        pattern = f"%{form.q.data.strip().lower()}%"
        query = query.where(or_(func.lower(User.email).like(pattern), func.lower(User.display_name).like(pattern)))
    page = db.paginate(query, page=_page(), per_page=PAGE_SIZE, error_out=False)
    return render_template("admin/users.html", page=page, form=form, role_labels=ROLE_LABELS)


def _cities():
    return db.session.execute(db.select(City).order_by(City.name)).scalars().all()


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id):
    """A user's roles, with a form to grant one more.

    :raise 403: the viewer may not manage roles.
    :raise 404: no such user.
    """
    require("roles.manage")
    person = db.get_or_404(User, user_id)
    form = GrantRoleForm()
    form.fill_choices(_cities())
    if form.validate_on_submit():
        scope_type, _sep, scope_id = form.scope.data.partition(":")
        try:
            operations.grant_role(current_user._get_current_object(), person, form.role.data, scope_type, int(scope_id or 0))
        except (ActionRefused, ValueError) as refusal:
            db.session.rollback()
            flash(str(getattr(refusal, "message", _("Unknown role or scope."))), "error")
            return _user_page(person, form, 400)
        db.session.commit()
        flash(_("Role granted."), "success")
        return redirect(url_for("admin.user", user_id=person.id))
    return _user_page(person, form, 400 if form.errors else 200)


def _user_page(person, form, status=200):
    cities = {city.id: city for city in _cities()}
    return render_template("admin/user.html", person=person, form=form, cities=cities,
                           role_labels=ROLE_LABELS, revoke=ConfirmForm()), status


@bp.route("/users/<int:user_id>/grants/<int:grant_id>/revoke", methods=["POST"])
def revoke(user_id, grant_id):
    """Revoke one of the user's grants.

    :raise 403: the viewer may not manage roles.
    :raise 404: no such grant for this user.
    """
    require("roles.manage")
    grant = db.get_or_404(RoleGrant, grant_id)
    if grant.user_id != user_id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if grant.user_id == current_user.id and grant.role == Role.NETWORK_ADMIN:
        flash(_("You cannot remove your own admin role; ask another admin."), "error")
        form = GrantRoleForm(formdata=None)
        form.fill_choices(_cities())
        return _user_page(grant.user, form, 400)
    operations.revoke_role(current_user._get_current_object(), grant)
    db.session.commit()
    flash(_("Role revoked."), "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/system", methods=["GET", "POST"])
def system():
    """Health of every part, and a round trip through the job queue on demand."""
    require("system.probe")
    form = ConfirmForm()
    if form.validate_on_submit():
        from residency.core.tasks import complete_probe

        probe = SystemProbe(requested_by_id=current_user.id)
        db.session.add(probe)
        db.session.flush()
        enqueue_after_commit(complete_probe, probe.id)
        db.session.commit()
        flash(_("Test job queued."), "success")
        return redirect(url_for("admin.system"))
    report, ok = health()
    probes = db.session.execute(db.select(SystemProbe).order_by(SystemProbe.id.desc()).limit(10)).scalars().all()
    return render_template("admin/system.html", report=report, ok=ok, probes=probes, form=form)
