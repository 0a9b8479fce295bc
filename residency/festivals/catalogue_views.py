"""The catalogue for programmers: search, a work's page (player, stills, specs, QC), shortlists,
requests; and the coordinators' page adding works to it."""

import json
from contextlib import closing

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from residency.core.errors import ActionRefused
from residency.core.forms import show_refusal
from residency.core.ids import parse_page
from residency.core.permissions import can, require
from residency.extensions import db, limiter
from residency.festivals import catalogue, festivals, rights
from residency.festivals.terms import terms_of
from residency.festivals.blueprint import bp
from residency.festivals.forms import CatalogueAddForm, RequestForm, ShortlistForm
from residency.festivals.views_common import catalogue_work_or_404, refuse, user
from residency.media.models import MediaAsset, Work
from residency.media.qc_warnings import asset_warnings
from residency.storage import StorageError, get_storage

#: The processed files a programmer's page may play or show.
SHOWN = {"preview": "video/mp4", "audio_preview": "audio/mp4", "poster": "image/jpeg", "thumbnail": "image/jpeg",
         "webvtt": "text/vtt"}


@bp.route("/catalogue")
@login_required
def catalogue_index():
    """Search and filter the catalogue (programmers and coordinators; others meet a missing page)."""
    if not can(current_user, "catalogue.browse"):
        abort(404)
    from residency.cities.models import City

    filters = catalogue.parse_filters(request.args)
    page = parse_page(request.args.get("page"))
    works, total = catalogue.search(filters, page)
    cities = db.session.execute(db.select(City).order_by(City.name)).scalars().all()
    return render_template("festivals/catalogue.html", works=works, total=total, page=page, filters=filters,
                           facets=catalogue.facets(), cities=cities, calls=catalogue.any_call_in_catalogue(),
                           page_size=catalogue.PAGE_SIZE, locale=str(get_locale()))


def _editions_for(user_):
    """The upcoming editions of the festivals the user programs, as form choices."""
    choices = []
    for festival in festivals.festivals_of(user_):
        for edition in festivals.upcoming_editions(festival):
            choices.append(SelectChoice(edition.id, f"{festival.name} — {edition.name}"))
    return choices


def _work_page(work, request_form=None, status=200):
    me = user()
    editions = _editions_for(me)
    request_form = request_form or RequestForm()
    request_form.edition.choices = editions
    shortlist_form = ShortlistForm()
    shortlist_form.edition.choices = editions
    media = catalogue.media_of(work)
    qc = {asset.id: asset_warnings(asset) for asset in media["files"]}
    return render_template("festivals/catalogue_work.html", work=work, media=media, qc=qc,
                           synopsis=work.synopsis_in(get_locale()), bio=catalogue.artist_bio(work),
                           terms=terms_of(work), request_form=request_form, shortlist_form=shortlist_form,
                           shortlisted=catalogue.shortlisted_editions(me, work), editions=editions,
                           subtitle_language=catalogue.subtitle_language), status


@bp.route("/catalogue/<int:work_id>")
@login_required
def catalogue_work(work_id):
    return _work_page(catalogue_work_or_404(work_id))


@bp.route("/catalogue/<int:work_id>/files/<int:asset_id>/<which>")
@login_required
def catalogue_file(work_id, asset_id, which):
    """A processed file of a catalogue work (preview, poster, WebVTT, QC report) by a signed URL."""
    work = catalogue_work_or_404(work_id)
    asset = db.session.get(MediaAsset, asset_id)
    if asset is None or asset.work_id != work.id or asset.superseded_by_id is not None:
        abort(404)
    derivative = asset.derivative(which) if which in SHOWN or which == "qc" else None
    if derivative is None or derivative.state != "done" or not derivative.key:
        abort(404)
    if which == "qc":
        return _qc_report(derivative, asset)
    url = get_storage().download_url(derivative.key, f"{asset.id}-{which}.{derivative.key.rsplit('.', 1)[-1]}",
                                     current_app.config["MEDIA_URL_SECONDS"], inline=True, content_type=SHOWN[which])
    return redirect(url)


def _qc_report(derivative, asset):
    from residency.media.qc_warnings import localized_report
    from residency.storage.base import content_disposition

    try:
        with closing(get_storage().open(derivative.key)) as stream:
            report = json.loads(stream.read())
    except (StorageError, ValueError):
        abort(404)
    body = json.dumps(localized_report(report), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Content-Disposition"] = content_disposition(f"{asset.id}-qc.json")
    return response


@bp.route("/catalogue/<int:work_id>/shortlist", methods=["POST"])
@login_required
def shortlist_toggle(work_id):
    """Add the work to (or take it off) the user's shortlist of one of their festivals' editions."""
    work = catalogue_work_or_404(work_id)
    form = ShortlistForm()
    form.edition.choices = _editions_for(user())
    if not form.validate_on_submit():
        flash(_("Choose one of your festivals' coming editions."), "error")
        return redirect(url_for("festivals.catalogue_work", work_id=work.id), 303)
    from residency.festivals.models import Edition

    edition = db.session.get(Edition, form.edition.data)
    added = catalogue.toggle_shortlist(user(), edition, work)
    db.session.commit()
    flash(_("Added to the shortlist of %(edition)s.", edition=edition.name) if added
          else _("Taken off the shortlist of %(edition)s.", edition=edition.name), "success")
    return redirect(url_for("festivals.catalogue_work", work_id=work.id), 303)


@bp.route("/catalogue/<int:work_id>/request", methods=["POST"])
@login_required
@limiter.limit("60 per hour")
def request_work(work_id):
    """Ask the artist for the work, for one of the user's festivals' coming editions."""
    work = catalogue_work_or_404(work_id)
    form = RequestForm()
    form.edition.choices = _editions_for(user())
    if not form.validate_on_submit():
        return _work_page(work, form, 400)
    from residency.festivals.models import Edition

    edition = db.session.get(Edition, form.edition.data)
    try:
        made = rights.create_request(user(), edition.festival, edition, work, form.use.data, form.message.data)
    except ActionRefused as refusal:
        db.session.rollback()
        show_refusal(form, refusal)
        return _work_page(work, form, refusal.status)
    db.session.commit()
    flash(_("Your request is sent to the artist. You will be told of the answer."), "success")
    return redirect(url_for("festivals.request_page", request_id=made.id), 303)


# The coordinators' side --------------------------------------------------------------------

@bp.route("/catalogue/manage", methods=["GET", "POST"])
@login_required
def manage_catalogue():
    """Coordinators add works to the catalogue by hand (until residencies offer finished works)."""
    require("catalogue.manage")
    from residency.calls.models import Call

    form = CatalogueAddForm()
    calls = db.session.execute(db.select(Call).order_by(Call.id.desc()).limit(200)).scalars().all()
    form.call.choices = [SelectChoice(0, _("None"))] + [
        SelectChoice(c.id, c.text("title", str(get_locale())) or c.slug) for c in calls]
    status = 200
    if form.validate_on_submit():
        work = db.session.get(Work, form.work_id.data)
        try:
            if work is None:
                raise ActionRefused(_("There is no work with this number."), field="work_id")
            catalogue.add_to_catalogue(user(), work, form.call.data or None)
        except ActionRefused as refusal:
            db.session.rollback()
            if refusal.field == "work":
                refusal.field = "work_id"
            show_refusal(form, refusal)
            status = 400
        else:
            db.session.commit()
            flash(_("“%(title)s” is in the catalogue.", title=work.title), "success")
            return redirect(url_for("festivals.manage_catalogue"), 303)
    elif request.method == "POST":
        status = 400
    return render_template("festivals/catalogue_manage.html", form=form,
                           entries=catalogue.catalogue_entries()), status


@bp.route("/catalogue/<int:work_id>/remove", methods=["POST"])
@login_required
def remove_from_catalogue(work_id):
    work = catalogue_work_or_404(work_id)
    require("catalogue.manage")
    try:
        catalogue.remove_from_catalogue(user(), work)
    except ActionRefused as refusal:
        refuse(refusal)
    else:
        db.session.commit()
        flash(_("“%(title)s” is no longer offered to festivals.", title=work.title), "success")
    return redirect(url_for("festivals.manage_catalogue"), 303)
