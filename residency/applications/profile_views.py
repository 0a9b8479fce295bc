"""The artist's profile and portfolio, reused by every application."""

from flask import flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from residency.applications import operations
from residency.applications.forms import ProfileForm
from residency.applications.blueprint import bp
from residency.core.errors import ActionRefused
from residency.core.forms import show_refusal
from residency.extensions import db
from residency.media.models import Work


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Biography, links, residence, career stage, organisation and selected works (own works only)."""
    user = current_user._get_current_object()
    saved = operations.profile_of(user)
    works = db.session.execute(db.select(Work).where(Work.owner_id == user.id).order_by(Work.title)).scalars().all()
    form = ProfileForm()
    form.fill_choices(str(get_locale()), works)
    if not form.is_submitted():
        form.bio.data, form.website.data, form.organisation.data = saved.bio, saved.website, saved.organisation
        form.links.data = "\n".join(saved.links or [])
        form.country.data, form.career_stage.data = saved.country_of_residence or "", saved.career_stage or ""
        form.works.data = list(saved.portfolio_work_ids or [])
    if form.validate_on_submit():
        try:
            operations.update_profile(
                user, bio=form.bio.data, website=form.website.data, links=form.link_list(),
                country=form.country.data,
                career_stage=form.career_stage.data, organisation=form.organisation.data, work_ids=form.works.data or [],
            )
        except ActionRefused as refusal:
            db.session.rollback()
            show_refusal(form, refusal)
        else:
            db.session.commit()
            flash(_("Your profile is saved. Applications you submit from now on include it."), "success")
            return redirect(url_for("applications.profile"))
    return render_template("applications/profile.html", form=form, works=works), 400 if form.errors else 200
