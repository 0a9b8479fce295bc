"""Festivals, their editions, delivery profiles, requests and screenings pages."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from residency.cities.models import City
from residency.core.errors import ActionRefused
from residency.core.forms import show_refusal
from residency.core.permissions import require
from residency.extensions import db
from residency.festivals import catalogue, festivals, profiles, rights, screenings
from residency.festivals.blueprint import bp
from residency.festivals.forms import EditionForm, FestivalForm, ProfileForm, ProgrammerForm, ScreeningForm
from residency.festivals.views_common import edition_or_404, festival_or_404, user


def _cities():
    return db.session.execute(db.select(City).order_by(City.name)).scalars().all()


@bp.route("/")
@login_required
def index():
    """The festivals the user may see: all of them for coordinators, their own for programmers."""
    return render_template("festivals/index.html", festivals=festivals.visible_festivals(current_user))


def _festival_form_page(form, festival):
    form.city.choices = [SelectChoice(c.id, c.name) for c in _cities()]
    if form.validate_on_submit():
        try:
            festival = festivals.save_festival(user(), festival, name=form.name.data, city_id=form.city.data,
                                               slug=form.slug.data, website=form.website.data or "",
                                               description=form.description.data or "")
        except ActionRefused as refusal:
            db.session.rollback()
            show_refusal(form, refusal)
        else:
            db.session.commit()
            flash(_("The festival is saved."), "success")
            return redirect(url_for("festivals.festival", festival_id=festival.id), 303)
    return render_template("festivals/festival_form.html", form=form, festival=festival), 400 if form.errors else 200


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_festival():
    require("festivals.manage")
    return _festival_form_page(FestivalForm(), None)


@bp.route("/<int:festival_id>/edit", methods=["GET", "POST"])
@login_required
def edit_festival(festival_id):
    festival = festival_or_404(festival_id, "festivals.manage")
    form = FestivalForm(obj=None if request.method == "POST" else festival)
    if request.method == "GET":
        form.city.data = festival.city_id
    return _festival_form_page(form, festival)


@bp.route("/<int:festival_id>")
@login_required
def festival(festival_id):
    festival = festival_or_404(festival_id)
    return _festival_page(festival, ProgrammerForm())


def _festival_page(festival, form, status=200):
    return render_template("festivals/festival.html", festival=festival, programmers=festivals.programmers(festival),
                           profile_lines=profiles.describe(festival.delivery_profile), form=form), status


@bp.route("/<int:festival_id>/programmers", methods=["POST"])
@login_required
def add_programmer(festival_id):
    """Network admins give an account the programmer role of this festival."""
    festival = festival_or_404(festival_id, "festivals.manage")
    form = ProgrammerForm()
    if form.validate_on_submit():
        try:
            person = festivals.add_programmer(user(), festival, form.email.data)
        except ActionRefused as refusal:
            db.session.rollback()
            show_refusal(form, refusal)
        else:
            db.session.commit()
            flash(_("%(name)s is now a programmer of %(festival)s.", name=person.display_name, festival=festival.name),
                  "success")
            return redirect(url_for("festivals.festival", festival_id=festival.id), 303)
    return _festival_page(festival, form, 400)


@bp.route("/<int:festival_id>/programmers/<int:user_id>/remove", methods=["POST"])
@login_required
def remove_programmer(festival_id, user_id):
    festival = festival_or_404(festival_id, "festivals.manage")
    try:
        festivals.remove_programmer(user(), festival, user_id)
    except ActionRefused as refusal:
        db.session.rollback()
        if refusal.status == 404:
            abort(404)
        flash(str(refusal.message), "error")
    else:
        db.session.commit()
        flash(_("The programmer role is taken back."), "success")
    return redirect(url_for("festivals.festival", festival_id=festival.id), 303)


@bp.route("/<int:festival_id>/profile", methods=["GET", "POST"])
@login_required
def profile(festival_id):
    """The festival's delivery profile: what its packages hold (its programmers set it)."""
    festival = festival_or_404(festival_id, "festival.program")
    form = ProfileForm(data=None if request.method == "POST" else profiles.normalise(festival.delivery_profile))
    if form.validate_on_submit():
        festivals.save_profile(user(), festival, {"video": form.video.data, "subtitles": form.subtitles.data,
                                                  "stills": form.stills.data, "press_kit": form.press_kit.data})
        db.session.commit()
        flash(_("The delivery profile is saved. Packages prepared from now on follow it."), "success")
        return redirect(url_for("festivals.festival", festival_id=festival.id), 303)
    return render_template("festivals/profile.html", festival=festival, form=form), 400 if form.errors else 200


def _edition_page(festival, edition, form):
    if form.validate_on_submit():
        try:
            edition = festivals.save_edition(user(), festival, edition, name=form.name.data,
                                             starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                                             venues=(form.venues.data or "").splitlines())
        except ActionRefused as refusal:
            db.session.rollback()
            show_refusal(form, refusal)
        else:
            db.session.commit()
            flash(_("The edition is saved."), "success")
            return redirect(url_for("festivals.edition", festival_id=festival.id, edition_id=edition.id), 303)
    items = catalogue.shortlist(current_user, edition) if edition is not None else []
    return render_template("festivals/edition.html", festival=festival, edition=edition, form=form,
                           shortlist=items), 400 if form.errors else 200


@bp.route("/<int:festival_id>/editions/new", methods=["GET", "POST"])
@login_required
def new_edition(festival_id):
    festival = festival_or_404(festival_id, "festival.program")
    return _edition_page(festival, None, EditionForm())


@bp.route("/<int:festival_id>/editions/<int:edition_id>", methods=["GET", "POST"])
@login_required
def edition(festival_id, edition_id):
    """An edition: its dates and venues (programmers change them) and the user's shortlist."""
    festival = festival_or_404(festival_id, "festival.program")
    edition = edition_or_404(festival, edition_id)
    form = EditionForm(obj=None if request.method == "POST" else edition)
    if request.method == "GET":
        form.venues.data = "\n".join(edition.venues or [])
    return _edition_page(festival, edition, form)


@bp.route("/<int:festival_id>/requests")
@login_required
def festival_requests(festival_id):
    festival = festival_or_404(festival_id)
    return render_template("festivals/festival_requests.html", festival=festival,
                           requests=rights.requests_for_festival(festival), states=rights.STATE_LABELS)


def _screening_form(festival):
    form = ScreeningForm()
    form.work.choices = [SelectChoice(w.id, w.title) for w in screenings.approved_works(festival)]
    form.edition.choices = [SelectChoice(0, _("No edition"))] + [SelectChoice(e.id, e.name) for e in festival.editions]
    form.city.choices = [SelectChoice(c.id, c.name) for c in _cities()]
    if request.method == "GET":
        form.city.data = festival.city_id
    return form


@bp.route("/<int:festival_id>/screenings", methods=["GET", "POST"])
@login_required
def festival_screenings(festival_id):
    """The festival's recorded screenings; its programmers record new ones."""
    festival = festival_or_404(festival_id)
    form = _screening_form(festival)
    status = 200
    if request.method == "POST":
        require("festival.program", festival)
        if form.validate_on_submit():
            from residency.media.models import Work

            edition = festivals.get_edition(festival, form.edition.data) if form.edition.data else None
            try:
                screenings.record_screening(user(), festival, db.session.get(Work, form.work.data),
                                            screened_on=form.screened_on.data, venue=form.venue.data,
                                            city_id=form.city.data, edition=edition, audience=form.audience.data)
            except ActionRefused as refusal:
                db.session.rollback()
                show_refusal(form, refusal)
            else:
                db.session.commit()
                flash(_("The screening is recorded. The artist sees it on their page."), "success")
                return redirect(url_for("festivals.festival_screenings", festival_id=festival.id), 303)
        status = 400
    return render_template("festivals/screenings.html", festival=festival, form=form,
                           screenings=screenings.screenings_of_festival(festival)), status
