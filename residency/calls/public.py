"""The public side: the list of calls with filters, each call's page, the Atom feed and the ICS files.

Everything works without JavaScript; the countdown on a call's page is an enhancement.
"""

from flask import abort, make_response, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from residency.calls import feeds
from residency.calls.forms import FilterForm
from residency.calls.models import DISCIPLINES, Call, CallState
from residency.calls.operations import CLOSING_SOON
from residency.calls.blueprint import bp
from residency.calls.views import call_status, can_create_calls
from residency.cities.models import City
from residency.core.permissions import can, require
from residency.core.types import utcnow
from residency.extensions import db

FEED_CACHE = "public, max-age=300"


def published_calls(include_archived=False):
    """Every published call (archived ones only when asked), owner city and participating cities loaded."""
    query = (
        db.select(Call).where(Call.published_at.is_not(None))
        .options(joinedload(Call.city), selectinload(Call.cities))
        .order_by(Call.closes_at, Call.id)
    )
    if not include_archived:
        query = query.where(Call.state != CallState.ARCHIVED)
    return db.session.execute(query).scalars().unique().all()


def involves_city(call, city):
    """The call is the city's, or the city takes part in it (a network-wide call without a list: all)."""
    if call.city_id is not None:
        return call.city_id == city.id
    return not call.cities or any(c.id == city.id for c in call.cities)


def filter_calls(calls, city=None, discipline=None, status=None, now=None):
    """The calls matching the filters; ``status`` is "open" or "closing_soon" (closes within 14 days)."""
    now = now or utcnow()
    kept = []
    for call in calls:
        if city is not None and not involves_city(call, city):
            continue
        if discipline and discipline not in (call.disciplines or []):
            continue
        if status in ("open", "closing_soon") and not call.accepting(now):
            continue
        if status == "closing_soon" and call.closes_at - now > CLOSING_SOON:
            continue
        kept.append(call)
    return kept


@bp.route("/calls/")
def index():
    """Published calls, grouped as open, upcoming and past, filtered by city, discipline and status."""
    cities = db.session.execute(db.select(City).order_by(City.name)).scalars().all()
    form = FilterForm(request.args)
    form.fill_choices(cities)
    city = next((c for c in cities if c.slug == form.city.data), None)
    now = utcnow()
    discipline = form.discipline.data if form.discipline.data in DISCIPLINES else None
    status = form.status.data if form.status.data in ("open", "closing_soon") else None
    calls = filter_calls(published_calls(), city=city, discipline=discipline, status=status, now=now)
    groups = {"open": [], "upcoming": [], "past": []}
    for call in calls:
        status = call_status(call, now)
        groups["open" if status in ("open", "closing_soon") else "upcoming" if status == "upcoming" else "past"].append(call)
    groups["past"].sort(key=lambda c: c.closes_at, reverse=True)
    return render_template("calls/index.html", form=form, groups=groups, count=len(calls),
                           filtered=bool(city or discipline or status),
                           can_manage=can_create_calls(current_user))


def _visible_call(slug):
    """The call named ``slug``. :raise 404: unknown, or a draft the viewer does not run."""
    call = db.first_or_404(db.select(Call).where(Call.slug == slug))
    require("call.view", call, status=404)
    return call


@bp.route("/calls/<slug>")
def show(slug):
    """A call's page in the viewer's language (texts in another language are marked with ``lang``)."""
    call = _visible_call(slug)
    return render_template("calls/show.html", call=call, now=utcnow(), status=call_status(call),
                           can_edit=can(None, "call.edit", call))


@bp.route("/calls/feed.atom")
def atom():
    calls = sorted(published_calls(), key=lambda c: c.published_at, reverse=True)
    response = make_response(feeds.atom_feed(calls, get_locale(), utcnow()))
    response.headers["Content-Type"] = "application/atom+xml; charset=utf-8"
    response.headers["Cache-Control"] = FEED_CACHE
    return response


def _ics(calls, name, filename):
    response = make_response(feeds.ics_calendar(calls, name, get_locale()))
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = FEED_CACHE
    return response


@bp.route("/calls/deadlines.ics")
def deadlines():
    """Openings and deadlines of every published call that is not archived."""
    return _ics(published_calls(), _("Deadlines of the City to City calls"), "calls-deadlines.ics")


@bp.route("/calls/<slug>/deadlines.ics")
def call_deadlines(slug):
    call = _visible_call(slug)
    if call.published_at is None:
        abort(404)
    return _ics([call], call.text("title", get_locale()), f"{call.slug}-deadlines.ics")
