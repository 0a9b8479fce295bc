"""Coordinators' view of a call's applications: filters, counts, flags, messages, exports.

Thin views: each loads the call (and the application), asks ``call.manage_applications``, calls a
query or an operation (:mod:`.review_list`, :mod:`.review_duplicates`, :mod:`.review_eligibility`,
:mod:`.review_messages`, :mod:`.exports`), commits once, then renders or redirects. A call or an
application the viewer may not see is answered 404, exactly as if it did not exist; one they see
but do not run, 403.
"""

import re
import tempfile
from dataclasses import dataclass
from zoneinfo import ZoneInfo
from functools import lru_cache

from babel import Locale
from flask import (Response, abort, current_app, flash, redirect, render_template, request,
                   send_file, stream_with_context, url_for)
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from residency.applications import (
    exports, listing, review_duplicates, review_eligibility, review_list, review_messages,
)
from residency.applications.blueprint import review_bp as bp
from residency.audit.operations import record
from residency.calls.models import Call
from residency.core.dates import datetime_formatter
from residency.core.errors import ActionRefused
from residency.core.forms import show_refusal
from residency.core.ids import parse_page
from residency.core.permissions import can, require
from residency.core.types import utcnow
from residency.extensions import db, limiter

DECISIONS = {"eligible": True, "ineligible": False, "unknown": None}
#: Codes CLDR lists that are not countries one lives in (EU, UN, "unknown region"…).
NOT_COUNTRIES = {"AC", "CP", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"}


class EligibilityForm(FlaskForm):
    decision = RadioField(
        _l("Eligibility"),
        choices=[SelectChoice("eligible", _l("Eligible")), SelectChoice("ineligible", _l("Not eligible")),
                 SelectChoice("unknown", _l("Not checked yet"))],
        validators=[DataRequired(_l("Choose whether the application is eligible."))],
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=review_eligibility.NOTE_MAX_LENGTH)],
                         description=_l("Required when the application is not eligible. Applicants do not see it."))


class MessageForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(_l("Enter a subject.")),
                                                     Length(max=review_messages.SUBJECT_MAX_LENGTH)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(_l("Write the message.")),
                                                    Length(max=review_messages.BODY_MAX_LENGTH)])


def _limit(name, default):
    return lambda: current_app.config.get(name, default)


def _sender_key():
    """Messages are limited per coordinator, whatever network they write from."""
    return f"review-messages:{current_user.id}" if current_user.is_authenticated else get_remote_address()


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a login; each view then asks the permission rule about its call."""


def _visible_call(call_id):
    """The call, if the viewer may see it. :raise 404: no such call, or a draft the viewer does not
    run (answered exactly as if it did not exist)."""
    call = db.session.get(Call, call_id)
    if call is None or not can(current_user, "call.view", call):
        abort(404)
    return call


def _managed_call(call_id):
    """The call, if the viewer runs it.

    :raise 404: no such call, or one the viewer may not see.
    :raise 403: a call the viewer sees (a published one) but does not run.
    """
    call = _visible_call(call_id)
    require("call.manage_applications", call)
    return call


def _listed_application(call_id, application_id):
    """The call, one of its submitted applications and the version shown, if the viewer runs the call.

    The application is the object of these routes: one the viewer may not see is answered exactly
    as if it did not exist, whatever the call.

    :return: ``(call, application, version)``.
    :raise 404: no such call or one the viewer may not see; not one of the call's submitted
        applications (a draft, another call's); an application the viewer may not see.
    :raise 403: the viewer sees the application (its applicant) but does not run the call.
    """
    call = _visible_call(call_id)
    application, version = listing.get_listed_application(call, application_id)
    if application is None or version is None or not can(current_user, "application.view", application):
        abort(404)
    require("call.manage_applications", call)
    return call, application, version


def _page_number():
    return parse_page(request.args.get("page"))


def _locale():
    return str(get_locale())


@bp.route("/manage/calls/<int:call_id>/applications")
def applications(call_id):
    """The call's submitted applications: counts, filters, sorting, 50 a page."""
    call = _managed_call(call_id)
    filters = review_list.Filters.from_mapping(request.args)
    page = review_list.list_applications(call, filters)
    return render_template("review/list.html", call=call, filters=filters, counts=page.counts, page=page,
                           rows=_display_rows(call, page.items, page.cities), cities=page.cities,
                           country_options=country_options(_locale(), filters.country), **_context())


#: Stands for an application id in a URL built once per page.
_ID_MARK = 987654321


@dataclass(frozen=True)
class DisplayRow:
    """A row of the list as the table shows it: plain strings, escaped by the template."""

    url: str
    name: str
    email: str
    iso: str
    when: str
    version: str
    residence: str
    state: str
    eligibility: str
    note: str
    duplicates: list  # of DisplayDuplicate


@dataclass(frozen=True)
class DisplayDuplicate:
    url: str
    label: str
    reason: str


def _display_rows(call, items, cities):
    """``items`` (:class:`review_list.Row`) as the table shows them.

    Each label is translated, the application URL built and the time formatter set up once per
    page, not once per cell: with 50 rows, ``url_for``, ``gettext`` and the ``datetime`` filter
    in the template cost several milliseconds.
    """
    head, _mark, tail = url_for("review.application", call_id=call.id, application_id=_ID_MARK).partition(str(_ID_MARK))
    # zoneinfo converts several times faster than the pytz zone Flask-Babel gives, to the same result.
    short_datetime = datetime_formatter(get_locale(), ZoneInfo(str(get_timezone())), "short")
    states, eligibility = _strings(review_list.STATE_LABELS), _strings(review_eligibility.ELIGIBILITY_LABELS)
    country_names = get_locale().territories
    # Translated once, filled per row (gettext without variables gives the translated pattern).
    version_pattern, same_file_pattern = _("version %(number)d"), _("same file: %(files)s")
    same_artist = _("same artist")
    truncate = current_app.jinja_env.filters["truncate"]

    def duplicate(link):
        reasons = ([same_artist] if link.same_artist else []) + (
            [same_file_pattern % {"files": ", ".join(link.files)}] if link.files else [])
        return DisplayDuplicate(url=f"{head}{int(link.application_id)}{tail}",
                                label=f"{link.name} (#{link.application_id})", reason=", ".join(reasons))

    rows = []
    for item in items:
        city = cities.get(item.city_id, "")
        country = country_names.get(item.country, item.country) if item.country else ""
        rows.append(DisplayRow(
            url=f"{head}{int(item.id)}{tail}", name=item.name, email=item.email,
            iso=item.submitted_at.isoformat() if item.submitted_at else "",
            when=short_datetime(item.submitted_at) if item.submitted_at else "",
            version=version_pattern % {"number": item.version} if item.version > 1 else "",
            residence=", ".join(part for part in (city, country) if part),
            state=states.get(item.state, item.state),
            eligibility=eligibility[review_eligibility.eligibility_key(item.eligible)],
            note=truncate(current_app.jinja_env, item.last_note, 120) if item.last_note else "",
            duplicates=[duplicate(link) for link in item.duplicates],
        ))
    return rows


def _context():
    """Labels as plain strings (translated once, not at each use) and the viewer's language."""
    return {"states": _strings(review_list.STATE_LABELS), "eligibility": _strings(review_eligibility.ELIGIBILITY_LABELS),
            "sorts": _strings(review_list.SORT_LABELS), "eligibility_key": review_eligibility.eligibility_key,
            "country_names": get_locale().territories, "locale": _locale()}


#: ``{(id of a label table, language): {key: translated label}}``: a few tables, a few languages.
_TRANSLATED = {}


def _strings(labels):
    """``labels`` (a module's table of lazy strings) in the viewer's language, translated once
    per language and process. The result is shared: read it, never change it."""
    key = (id(labels), _locale())
    strings = _TRANSLATED.get(key)
    if strings is None:
        strings = _TRANSLATED[key] = {name: str(label) for name, label in labels.items()}
    return strings


def country_options(locale, selected):
    """The ``<option>`` list of countries one may live in, names in ``locale``, ``selected`` marked."""
    options = _country_options(locale)
    if selected:
        options = options.replace(f'<option value="{selected}">', f'<option value="{selected}" selected>', 1)
    return Markup(options)


@lru_cache(maxsize=16)
def _country_options(locale):
    """Built once per language: ~250 options are too many to render on every request."""
    names = Locale.parse(locale).territories
    countries = sorted(((code, name) for code, name in names.items()
                        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES), key=lambda item: item[1])
    return "".join(f'<option value="{code}">{escape(name)}</option>' for code, name in countries)


@bp.route("/manage/calls/<int:call_id>/applications/<int:application_id>")
def application(call_id, application_id):
    """One submitted application as frozen at its last submission, with flags and messages."""
    call, application, version = _listed_application(call_id, application_id)
    return _application_page(call, application, version)


def _application_page(call, application, version, eligibility_form=None, message_form=None, status=200):
    if eligibility_form is None:
        decision = {True: "eligible", False: "ineligible"}.get(application.eligible, "unknown")
        eligibility_form = EligibilityForm(formdata=None, decision=decision)
    snapshot = version.snapshot or {}
    flags = review_duplicates.duplicates_of(call, [application.id])
    return render_template(
        "review/application.html", call=call, application=application, version=version,
        answers=exports.answers_for_display(call, snapshot, _locale()),
        country=listing.snapshot_country(snapshot), city_id=listing.snapshot_city(snapshot),
        cities=review_list.city_names(), duplicates=flags.get(application.id, []),
        notes=review_eligibility.eligibility_notes(application), messages=review_messages.messages_to(application),
        eligibility_form=eligibility_form, message_form=message_form or MessageForm(formdata=None), **_context(),
    ), status


@bp.route("/manage/calls/<int:call_id>/applications/<int:application_id>/eligibility", methods=["POST"])
def eligibility(call_id, application_id):
    """Mark the application eligible or not, with a note (audited)."""
    call, application, version = _listed_application(call_id, application_id)
    form = EligibilityForm()
    if form.validate_on_submit():
        try:
            review_eligibility.set_eligibility(application, current_user._get_current_object(),
                                       DECISIONS[form.decision.data], form.note.data)
        except ActionRefused as refusal:
            db.session.rollback()
            show_refusal(form, refusal)
            return _application_page(call, application, version, eligibility_form=form, status=refusal.status)
        db.session.commit()
        flash(_("Eligibility saved."), "success")
        return redirect(url_for("review.application", call_id=call.id, application_id=application.id))
    return _application_page(call, application, version, eligibility_form=form, status=400)


@bp.route("/manage/calls/<int:call_id>/applications/<int:application_id>/messages", methods=["POST"])
@limiter.limit(_limit("RATELIMIT_APPLICANT_MESSAGES", "30 per hour"), methods=["POST"], key_func=_sender_key)
def message_one(call_id, application_id):
    """Write to the people of one application (owner and accepted co-applicants)."""
    call, application, version = _listed_application(call_id, application_id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            message = review_messages.send_message(call, current_user._get_current_object(), form.subject.data,
                                              form.body.data, application=application)
        except ActionRefused as refusal:
            db.session.rollback()
            show_refusal(form, refusal)
            return _application_page(call, application, version, message_form=form, status=refusal.status)
        db.session.commit()
        flash(_("Message sent to %(count)d people.", count=message.recipients), "success")
        return redirect(url_for("review.application", call_id=call.id, application_id=application.id))
    return _application_page(call, application, version, message_form=form, status=400)


@bp.route("/manage/calls/<int:call_id>/applications/messages", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_APPLICANT_MESSAGES", "30 per hour"), methods=["POST"], key_func=_sender_key)
def messages(call_id):
    """The messages sent about the call, and the form to write to every applicant."""
    call = _managed_call(call_id)
    form = MessageForm()
    status = 200
    if form.validate_on_submit():
        try:
            message = review_messages.send_message(call, current_user._get_current_object(), form.subject.data, form.body.data)
        except ActionRefused as refusal:
            db.session.rollback()
            show_refusal(form, refusal)
            status = refusal.status
        else:
            db.session.commit()
            flash(_("Message sent to %(count)d people.", count=message.recipients), "success")
            return redirect(url_for("review.messages", call_id=call.id))
    elif form.errors:
        status = 400
    page = review_messages.list_messages(call, page=_page_number())
    return render_template("review/messages.html", call=call, form=form, page=page,
                           broadcasts_per_day=review_messages.BROADCASTS_PER_DAY), status


def _export_name(call, extension):
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", call.slug or f"call-{call.id}").strip("-") or f"call-{call.id}"
    return f"{slug}-applications-{utcnow():%Y%m%d}.{extension}"


def _export(call, kind):
    """Parse the list's filters, audit the export (it holds personal data) and commit."""
    filters = review_list.Filters.from_mapping(request.args)
    record("call.applications_exported", actor=current_user._get_current_object(), obj=call, format=kind,
           filters=filters.as_args(page=""))
    db.session.commit()
    return filters


@bp.route("/manage/calls/<int:call_id>/applications/export.csv")
def export_csv(call_id):
    """The answers as CSV (UTF-8 with BOM), streamed; the list's filters apply."""
    call = _managed_call(call_id)
    filters = _export(call, "csv")
    chunks = exports.csv_chunks(exports.header(call), exports.rows(call, filters))
    response = Response(stream_with_context(chunks), mimetype=exports.CSV_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{_export_name(call, "csv")}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/manage/calls/<int:call_id>/applications/export.xlsx")
def export_xlsx(call_id):
    """The answers as an XLSX workbook, written through a temporary file; the list's filters apply."""
    call = _managed_call(call_id)
    filters = _export(call, "xlsx")
    spool = tempfile.TemporaryFile()
    try:
        exports.write_xlsx(exports.header(call), exports.rows(call, filters), spool, _("Applications"))
        spool.seek(0)
    except Exception:
        spool.close()
        raise
    response = send_file(spool, mimetype=exports.XLSX_MIMETYPE, as_attachment=True,
                         download_name=_export_name(call, "xlsx"), max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response
