"""Call pages: the public list, each call's page and feeds (public.py), the coordinators' editor
(editor.py and its editor_*.py pages), and the template helpers both use (times in a call's zone,
texts with fallback)."""

from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from flask import url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

from residency.calls import forms
from residency.calls.blueprint import bp
from residency.calls.models import CallState
from residency.calls.operations import CLOSING_SOON, localized, utc_offset
from residency.calls.states import STATE_LABELS
from residency.cities.models import City
from residency.core.i18n import language_name
from residency.core.permissions import can
from residency.core.types import utcnow
from residency.extensions import db


def call_status(call, now=None):
    """What the public sees: draft, upcoming, open, closing_soon, closed, in_review, decided, archived."""
    now = now or utcnow()
    if call.published_at is None and call.state == CallState.DRAFT:
        return "draft"
    if call.accepting(now):
        return "closing_soon" if call.closes_at - now <= CLOSING_SOON else "open"
    if call.state == CallState.DRAFT and call.opens_at and now < call.opens_at:
        return "upcoming"
    if call.state in (CallState.DRAFT, CallState.OPEN):
        return "closed"
    return call.state


STATUS_LABELS = {
    "draft": STATE_LABELS[CallState.DRAFT],
    "upcoming": _l("Upcoming"),
    "open": STATE_LABELS[CallState.OPEN],
    "closing_soon": _l("Closing soon"),
    "closed": STATE_LABELS[CallState.CLOSED],
    "in_review": STATE_LABELS[CallState.IN_REVIEW],
    "decided": STATE_LABELS[CallState.DECIDED],
    "archived": STATE_LABELS[CallState.ARCHIVED],
}


def can_create_calls(user):
    """True when ``user`` may create a call for some city or for the whole network."""
    if not user.is_authenticated:
        return False
    if can(user, "call.create", None):
        return True
    return any(can(user, "call.create", city) for city in coordinated_cities(user))


def coordinated_cities(user):
    """The cities ``user`` may create calls for (every city for network coordinators and admins)."""
    query = db.select(City).order_by(City.name)
    if not can(user, "call.create", None):
        ids = [g.scope_id for g in user.grants if g.role == "city_coordinator" and g.scope_type == "city"]
        query = query.where(City.id.in_(ids))
    return [city for city in db.session.execute(query).scalars() if can(user, "call.create", city)]


@bp.app_template_filter("in_zone")
def in_zone_filter(value, zone, format="medium"):
    """An instant shown in ``zone`` (a call's timezone), in the viewer's language."""
    if value is None:
        return ""
    return format_datetime(value, format, tzinfo=ZoneInfo(zone), locale=get_locale())


@bp.app_template_filter("utc_offset")
def utc_offset_filter(value, zone):
    return utc_offset(value, zone) if value is not None else ""


@bp.app_template_filter("local_date")
def local_date_filter(value, format="long"):
    """A calendar date (no timezone) in the viewer's language."""
    return format_date(value, format, locale=get_locale()) if value is not None else ""


@bp.app_template_global("localized")
def localized_global(values, main_language):
    """``(text, language)`` of a ``{lang: text}`` mapping in the viewer's language, with fallback.

    Templates mark the text with ``lang`` when ``language`` is not the page's.
    """
    return localized(values, get_locale(), main_language)


@bp.app_template_global("localized_in")
def localized_in_global(values, lang, main_language):
    """``(text, language)`` of a ``{lang: text}`` mapping in ``lang`` (a preview in a chosen language)."""
    return localized(values, lang, main_language)


@bp.app_template_global("call_text")
def call_text_global(call, field, lang=None):
    """``(text, language)`` of one of the call's texts (title, summary, body, benefits) in ``lang``
    (default: the viewer's language), with fallback."""
    values = {code: texts.get(field) for code, texts in (call.texts or {}).items()}
    return localized(values, lang or get_locale(), call.main_language)


@bp.app_template_global("country_name")
def country_name(code):
    return Locale.parse(str(get_locale())).territories.get(code, code)


@bp.app_template_global("cities_named")
def cities_named(city_ids):
    """"Linz, Lyon": the names of the cities with these ids."""
    names = db.session.execute(db.select(City.name).where(City.id.in_(city_ids)).order_by(City.name)).scalars()
    return ", ".join(names)


@bp.app_template_global("call_status")
def call_status_global(call):
    return call_status(call)


@bp.app_template_global("maybe_url")
def maybe_url(endpoint, **values):
    """The address of ``endpoint`` if another feature provides it with these arguments, else None."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


@bp.app_template_global("apply_url")
def apply_url(call):
    """The artists' application page of ``call`` (``applications.apply``), once that feature provides it."""
    return maybe_url("applications.apply", slug=call.slug) or maybe_url("applications.apply", call_id=call.id)


@bp.app_template_global("language_label")
def language_label(code):
    return language_name(code)


@bp.app_template_global("call_labels")
def call_labels():
    return {
        "disciplines": forms.DISCIPLINE_LABELS, "formats": forms.FORMAT_LABELS, "stages": forms.CAREER_STAGE_LABELS,
        "types": forms.QUESTION_TYPE_LABELS, "kinds": forms.KIND_LABELS, "answers": forms.ANSWER_LABELS,
        "status": STATUS_LABELS, "states": STATE_LABELS,
    }


