"""The audit log for admins: filtered, paged, newest first, and its hash chain verified on demand."""

from datetime import datetime, time, timedelta, timezone

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from residency.accounts.forms import ConfirmForm
from residency.accounts.models import User
from residency.admin.views import PAGE_SIZE, bp
from residency.audit.commands import describe
from residency.audit.models import AuditEntry
from residency.audit.operations import verify_log
from residency.core.ids import parse_id, parse_page
from residency.core.permissions import require
from residency.extensions import db

FILTERS = ("action", "actor", "object_type", "object_id", "since", "until")


def _day(value):
    """A ``YYYY-MM-DD`` filter value as a date, or ``None`` when empty or malformed."""
    try:
        return datetime.strptime(value, "%Y-%m-%d").date() if value else None
    except ValueError:
        return None


def filtered(args):
    """The audit query narrowed by the filters in ``args``, and the filters as understood."""
    values = {name: args.get(name, "").strip()[:120] for name in FILTERS}
    query = db.select(AuditEntry).order_by(AuditEntry.seq.desc())
    if values["action"]:
        query = query.where(AuditEntry.action.startswith(values["action"], autoescape=True))
    if values["actor"]:
        query = query.join(User, User.id == AuditEntry.actor_id).where(
            User.email.icontains(values["actor"], autoescape=True))
    if values["object_type"]:
        query = query.where(AuditEntry.object_type == values["object_type"])
    object_id = parse_id(values["object_id"]) if values["object_id"] else None
    if values["object_id"] and object_id is None:
        values["object_id"] = ""
    if object_id is not None:
        query = query.where(AuditEntry.object_id == object_id)
    since, until = _day(values["since"]), _day(values["until"])
    values["since"], values["until"] = (since.isoformat() if since else ""), (until.isoformat() if until else "")
    if since:
        query = query.where(AuditEntry.at >= datetime.combine(since, time(), timezone.utc))
    if until:
        query = query.where(AuditEntry.at < datetime.combine(until + timedelta(days=1), time(), timezone.utc))
    return query, values


@bp.route("/audit", methods=["GET", "POST"])
def audit():
    """GET: the log. POST (a confirmed form): re-verify the whole chain and say whether it holds."""
    require("audit.read")
    form = ConfirmForm()
    if request.method == "POST":
        if form.validate_on_submit():
            broken, count = verify_log()
            flash(describe(broken, count), "success" if broken is None else "error")
        else:
            flash(_("The form expired: please try again."), "error")
        return redirect(url_for("admin.audit"))
    query, values = filtered(request.args)
    page = db.paginate(query, page=parse_page(request.args.get("page")), per_page=PAGE_SIZE, error_out=False)
    extra = {name: value for name, value in values.items() if value}
    return render_template("admin/audit.html", page=page, filters=values, extra=extra,
                           form=form)
