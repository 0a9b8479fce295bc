"""Requests (seen by both sides), the artist's terms and overview, and package links and downloads."""

import logging

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from residency.core.errors import ActionRefused, render_error
from residency.core.forms import show_refusal
from residency.core.permissions import can, require
from residency.core.types import utcnow
from residency.extensions import db, limiter
from residency.festivals import delivery, events, festivals, packages, rights, screenings
from residency.festivals.terms import terms_of, terms_problem
from residency.festivals.blueprint import bp
from residency.festivals.forms import DecisionForm, TermsForm
from residency.festivals.models import PackageState, RequestState
from residency.festivals.views_common import own_work_or_404, refuse, request_or_404, user
from residency.storage.base import content_disposition

log = logging.getLogger(__name__)


def _request_page(item, form=None, status=200):
    package = item.package
    downloads = delivery.downloads_of([package.id]) if package is not None else []
    return render_template(
        "festivals/request.html", item=item, package=package, form=form or DecisionForm(), downloads=downloads,
        states=rights.STATE_LABELS, events=rights.EVENT_LABELS, uses=rights.USES,
        replaced=rights.replaced_since_approval(item), terms=terms_of(item.work),
        terms_problem=terms_problem(terms_of(item.work), item.festival, item.edition, item.use),
        link_hours=current_app.config["FESTIVAL_LINK_SECONDS"] // 3600), status


@bp.route("/requests/<int:request_id>")
@login_required
def request_page(request_id):
    """A request and its history, for the festival's programmers, the artist and their coordinators."""
    return _request_page(request_or_404(request_id))


@bp.route("/requests/<int:request_id>/decide", methods=["POST"])
@login_required
def decide(request_id):
    item = request_or_404(request_id)
    require("request.decide", item)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _request_page(item, form, 400)
    try:
        rights.decide(user(), item, form.decision.data == "approve", form.message.data)
    except ActionRefused as refusal:
        db.session.rollback()
        show_refusal(form, refusal)
        return _request_page(item, form, refusal.status)
    db.session.commit()
    flash(_("Your answer is sent to the festival."), "success")
    return redirect(url_for("festivals.request_page", request_id=item.id), 303)


@bp.route("/requests/<int:request_id>/withdraw", methods=["POST"])
@login_required
def withdraw(request_id):
    item = request_or_404(request_id)
    require("festival.program", item.festival)
    try:
        rights.withdraw(user(), item)
    except ActionRefused as refusal:
        refuse(refusal)
    else:
        db.session.commit()
        flash(_("The request is withdrawn; the artist is told."), "success")
    return redirect(url_for("festivals.request_page", request_id=item.id), 303)


@bp.route("/requests/<int:request_id>/link", methods=["POST"])
@login_required
@limiter.limit("30 per hour")
def package_link(request_id):
    """A download link for the package, made for the programmer asking and no one else."""
    item = request_or_404(request_id)
    package = item.package
    require("package.download", package)
    if item.state != RequestState.APPROVED or package is None or package.state != PackageState.READY:
        flash(_("The package is not ready to download."), "error")
        return redirect(url_for("festivals.request_page", request_id=item.id), 303)
    token = delivery.make_link_token(package, current_user)
    return render_template("festivals/package_link.html", item=item, package=package,
                           link=url_for("festivals.download", token=token, _external=True),
                           hours=current_app.config["FESTIVAL_LINK_SECONDS"] // 3600)


def _refusal(status, message):
    body, code = render_error(status, message)
    return body, code, {"Cache-Control": "no-store"}


@bp.route("/download/<token>")
@login_required
@limiter.exempt
def download(token):
    """Stream the package named by a link: only to the programmer it was made for, while it lasts.

    Answers 206 for a satisfiable ``Range``, 416 for one past the end or malformed, 410 once the
    link expired or the request was withdrawn, 403 to anyone but the link's programmer, 404 for a
    link tampered with, 503 (logged, the festival told) when a stored file is missing.
    """
    try:
        package, user_id = delivery.read_link_token(token)
    except delivery.LinkExpired:
        return _refusal(410, _("This download link has expired. Open the request's page for a new one."))
    except delivery.LinkInvalid:
        abort(404)
    if user_id != current_user.id:
        return _refusal(403, _("This download link was made for someone else. Ask for your own on the request's page."))
    if not can(current_user, "package.download", package):
        return _refusal(403, _("You are no longer a programmer of this festival."))
    if package.request.state != RequestState.APPROVED:
        return _refusal(410, _("This request was withdrawn: its package is no longer delivered."))
    if package.state != PackageState.READY:
        return _refusal(409, _("This package is not ready."))
    missing = packages.missing_files(package)
    if missing:
        return _missing(package, missing)
    if package.assembled_key:
        return _presigned(package)
    return _stream(package)


def _missing(package, missing):
    log.error("package %s: %d stored file(s) missing at download time: %s", package.id, len(missing),
              ", ".join(f.path for f in missing))
    item = package.request
    last = item.events[-1].action if item.events else None
    if last != "file_missing":
        events.note_event(item, "file_missing", ", ".join(f.path.split("/", 1)[-1] for f in missing))
        events.tell_festival(item, "festival_package", _("A file of the package of “%(work)s” is missing",
                                                         work=item.work.title), package=package, failed=True,
                             reason=_("A file of the package is missing from storage."))
    db.session.commit()
    return _refusal(503, _("A file of this package is missing from storage. Nothing was sent; the coordinators "
                           "and your festival have been told. Try again once it is restored."))


def _presigned(package):
    """With S3: log the download and send the programmer to a short-lived presigned URL."""
    from residency.storage import get_storage

    download_id = delivery.start_download(package, current_user, 0, package.size - 1, via="presigned")
    url = get_storage().download_url(package.assembled_key, packages.file_name(package), expires=600,
                                     content_type="application/zip")
    log.info("package %s: presigned download %s", package.id, download_id)
    return redirect(url)


def _stream(package):
    size = package.size
    etag = delivery.etag(package)
    wanted = delivery.parse_range(request.headers.get("Range"), size)
    if_range = request.headers.get("If-Range")
    if wanted is not None and if_range and if_range.strip() != etag:
        wanted = None  # the package changed since the first part: send it whole
    if wanted == "unsatisfiable":
        return _range_refused(size)
    start, end = wanted if wanted is not None else (0, size - 1)
    if request.method == "HEAD":  # a download manager asking the size: nothing read, nothing logged
        download_id, body = None, b""
    else:
        download_id = delivery.start_download(package, current_user, start, end)
        body = delivery.streamed_body(package, start, end, download_id)
    response = current_app.response_class(body, status=206 if wanted is not None else 200, mimetype="application/zip",
                                          direct_passthrough=True)
    response.headers["Content-Length"] = str(end - start + 1)
    response.headers["Accept-Ranges"] = "bytes"
    response.headers["ETag"] = etag
    response.headers["Content-Disposition"] = content_disposition(packages.file_name(package))
    response.headers["Cache-Control"] = "private, no-store"
    if wanted is not None:
        response.headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    return response


def _range_refused(size):
    body, code = render_error(416, _("The requested range is not part of this package."))
    return body, code, {"Content-Range": f"bytes */{size}", "Cache-Control": "no-store"}


# The artist's side ---------------------------------------------------------------------------

@bp.route("/works/<int:work_id>/terms", methods=["GET", "POST"])
@login_required
def terms(work_id):
    """The artist states the work's distribution terms."""
    work = own_work_or_404(work_id)
    current = terms_of(work)
    form = TermsForm(obj=None if request.method == "POST" else current)
    form.festival_ids.choices = [SelectChoice(f.id, f"{f.name} ({f.city.name})") for f in festivals.all_festivals()]
    if request.method == "GET" and current is not None:
        form.all_festivals.data = "all" if current.all_festivals else "list"
        form.territories.data = ", ".join(current.territories or [])
    elif request.method == "GET":
        form.screening.data = True
    if form.validate_on_submit():
        try:
            rights.save_terms(user(), work, all_festivals=form.all_festivals.data == "all",
                              festival_ids=form.festival_ids.data or [], starts_on=form.starts_on.data,
                              ends_on=form.ends_on.data, screening=form.screening.data,
                              exhibition=form.exhibition.data, fee_amount=form.fee_amount.data,
                              fee_currency=form.fee_currency.data or "", territories=form.territory_list())
        except ActionRefused as refusal:
            db.session.rollback()
            show_refusal(form, refusal)
        else:
            db.session.commit()
            flash(_("Your terms are saved. Festivals see them in the catalogue."), "success")
            return redirect(url_for("festivals.mine"), 303)
    return render_template("festivals/terms.html", work=work, form=form), 400 if form.errors else 200


@bp.route("/mine")
@login_required
def mine():
    """The artist's view: requests for their works, who downloaded them, where they were shown."""
    from residency.media.models import Work

    works = db.session.execute(db.select(Work).where(Work.owner_id == current_user.id).order_by(Work.title)).scalars().all()
    requests = rights.requests_for_artist(current_user)
    package_ids = [r.package.id for r in requests if r.package is not None]
    return render_template("festivals/mine.html", works=works, requests=requests, states=rights.STATE_LABELS,
                           downloads=delivery.downloads_of(package_ids),
                           screenings=screenings.screenings_of_artist(current_user),
                           terms={w.id: terms_of(w) for w in works}, now=utcnow())
