"""Artists' pages: applying, the application form, drafts, submission, versions, withdrawal.

Thin: parse, call an operation, commit, render or redirect. The profile, files and co-applicants
pages live in the other ``*_views.py`` modules of this package, on the same blueprint.
"""

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_time, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from residency.accounts.forms import ConfirmForm
from residency.applications import operations
from residency.applications import uploads  # noqa: F401  (declares the "application" upload slot)
from residency.applications.blueprint import bp
from residency.applications.forms import (
    base_name, eligibility_answers, eligibility_field_name, eligibility_form, question_views, read_answers,
    replaced_answers,
)
from residency.applications.models import Application, ApplicationState, ApplicationVersion
from residency.applications.policies import is_member
from residency.applications.validation import InvalidAnswers, eligibility_fields
from residency.calls.models import Call
from residency.calls.operations import localized
from residency.cities.models import City
from residency.core.errors import ActionRefused
from residency.core.permissions import can, require
from residency.core.types import utcnow
from residency.extensions import db

STATE_LABELS = {
    ApplicationState.DRAFT: _l("Draft"),
    ApplicationState.SUBMITTED: _l("Submitted"),
    ApplicationState.WITHDRAWN: _l("Withdrawn"),
    ApplicationState.SHORTLISTED: _l("Shortlisted"),
    ApplicationState.SELECTED: _l("Selected"),
    ApplicationState.WAITLISTED: _l("On the waiting list"),
    ApplicationState.DECLINED: _l("Not selected"),
}

#: The cookie holding an invitation opened before logging in (see member_views).
PENDING_INVITATION = "pending_invitation"


@bp.context_processor
def _helpers():
    return {"state_labels": STATE_LABELS, "locale": str(get_locale())}


def load_application(application_id, action="application.view"):
    """The application, if the current user may see it (else 404) and do ``action`` (else 403)."""
    application = db.get_or_404(Application, application_id)
    require("application.view", application, status=404)
    if action != "application.view":
        require(action, application, status=403)
    return application


def load_call(slug):
    """The call, if the current user may see it (else 404: unpublished calls stay hidden)."""
    call = db.first_or_404(db.select(Call).where(Call.slug == slug))
    require("call.view", call, status=404)
    return call


def user():
    """The logged-in user itself (operations get a plain object, not the proxy)."""
    return current_user._get_current_object()


def refusal_response(refusal, template, **context):
    """After a refused action: roll back, then the page again with the message."""
    db.session.rollback()
    flash(str(refusal.message), "error")
    return render_template(template, **context), refusal.status


# My applications -----------------------------------------------------------------------------

@bp.route("/applications")
@login_required
def mine():
    """The applications the user started or joined, and an invitation waiting for them."""
    items = operations.applications_for(user())
    pending, token = None, request.cookies.get(PENDING_INVITATION)
    if token:
        try:
            pending = operations.find_invitation(token)
        except ActionRefused:
            pending = None
    if pending is not None and is_member(current_user, pending.application):
        pending = None
    return render_template("applications/mine.html", applications=items, pending=pending, pending_token=token)


# Applying: eligibility first -----------------------------------------------------------------

def _eligibility_context(call):
    fields, questions = eligibility_fields(call)
    cities = []
    if "city" in fields:
        cities = db.session.execute(
            db.select(City).where(City.id.in_(call.eligibility.get("city_ids") or [])).order_by(City.name)
        ).scalars().all()
    return fields, questions, cities


@bp.route("/calls/<slug>/apply", methods=["GET", "POST"])
@login_required
def apply(slug):
    """Check eligibility on a short page, then create the draft.

    :raise 404: unknown or unpublished call.
    """
    call = load_call(slug)
    now = utcnow()
    locale = str(get_locale())
    fields, questions, cities = _eligibility_context(call)
    form = eligibility_form(call, locale, cities, fields, questions, profile=operations.profile_of(user()), user=user())
    existing = operations.applications_of(user(), call)
    context = {"call": call, "form": form, "fields": fields, "questions": questions, "existing": existing,
               "closed": operations.closed_reason(call, now), "reasons": [],
               "can_apply": can(user(), "application.create", call)}
    if request.method == "GET":
        return render_template("applications/apply.html", **context)
    if not form.validate_on_submit():
        abort(400)
    try:
        application = operations.start_application(
            user(), call, eligibility_answers(form, questions), now, locale,
            city_names={c.id: c.name for c in cities},
        )
    except InvalidAnswers as refusal:
        db.session.rollback()
        for key, messages in refusal.errors.items():
            name = eligibility_field_name(key, questions)
            if name in form:
                form[name].errors = list(messages)
        return render_template("applications/apply.html", **context), 400
    except operations.NotEligible as refusal:
        db.session.rollback()
        context["reasons"] = refusal.reasons
        return render_template("applications/apply.html", **context), refusal.status
    except ActionRefused as refusal:
        return refusal_response(refusal, "applications/apply.html", **context)
    db.session.commit()
    flash(_("Your application is started. It is saved as a draft as you go; submit it before the deadline."), "success")
    return redirect(url_for("applications.edit", application_id=application.id))


# The application form ------------------------------------------------------------------------

def _edit_page(application, values, errors=None, status=200, replaced=None):
    now = utcnow()
    files = operations.attached_files(application)
    writable = is_member(current_user, application) and application.state in operations.EDITABLE_STATES \
        and application.call.accepting(now)
    return render_template(
        "applications/edit.html", application=application, call=application.call,
        questions=question_views(application.call, get_locale(), values, errors, files), errors=errors or {},
        writable=writable, closed=operations.closed_reason(application.call, now),
        changed=operations.unsubmitted_changes(application),
        can_manage=can(current_user, "application.manage_members", application), confirm=ConfirmForm(),
        replaced=_replaced_views(application.call, replaced),
    ), status


def _replaced_views(call, replaced):
    """``[(question label, the replaced answer as text)]`` for the page."""
    locale = get_locale()
    views = []
    for qid, value in (replaced or {}).items():
        question = call.question(qid) or {}
        choices = {str(choice.get("value")): localized(choice.get("label"), locale, call.main_language)[0]
                   for choice in question.get("choices") or []}
        items = value if isinstance(value, list) else [value]
        text = "; ".join(choices.get(str(item)) or str(item) for item in items)
        views.append((localized(question.get("label"), locale, call.main_language)[0], text))
    return views


@bp.route("/applications/<int:application_id>", methods=["GET"])
@login_required
def edit(application_id):
    """Members edit the draft here; the call's coordinators see the last submitted version."""
    application = load_application(application_id)
    if not is_member(current_user, application) and application.current_version:
        return redirect(url_for("applications.version", application_id=application.id, number=application.current_version))
    return _edit_page(application, dict(application.answers or {}))


@bp.route("/applications/<int:application_id>", methods=["POST"])
@login_required
def save(application_id):
    """The form's buttons: "Save draft" (keeps what is unfinished), "Submit", and each file
    question's button (saves the draft, then opens the question's files page)."""
    application = load_application(application_id, "application.edit")
    values = read_answers(application.call, request.form)
    replaced = replaced_answers(application.call, request.form, values, application.answers)
    typed = {**(application.answers or {}), **values}
    if request.form.get("action") == "submit":
        return _submit(application, values, typed, replaced)
    return _save_draft(application, values, typed, replaced, request.form.get("action") or "")


def _submit(application, values, typed, replaced):
    """Submit, unless this page would submit over answers it never showed (409)."""
    if replaced:
        # Submitting over answers this page never showed could send the jury text nobody reread.
        db.session.rollback()
        flash(_("Some answers were changed in another window after you opened this page. Nothing was submitted: "
                "check the answers below, then submit again."), "error")
        return _edit_page(application, typed, status=409, replaced=replaced)
    try:
        version = operations.submit_application(user(), application, values, utcnow(), str(get_locale()))
    except InvalidAnswers as refusal:
        db.session.rollback()
        flash(str(refusal.message), "error")
        return _edit_page(application, typed, refusal.errors, 400)
    except ActionRefused as refusal:
        db.session.rollback()
        flash(str(refusal.message), "error")
        return _edit_page(application, typed, status=refusal.status)
    db.session.commit()
    flash(_("Your application is submitted (version %(n)d). A receipt is on its way by e-mail.", n=version.number), "success")
    return redirect(url_for("applications.version", application_id=application.id, number=version.number))


def _save_draft(application, values, typed, replaced, action):
    """Save the draft; show what it replaced, if anything; go to a file question's page if asked."""
    now = utcnow()
    try:
        errors = operations.save_draft(user(), application, values, now)
    except ActionRefused as refusal:
        db.session.rollback()
        flash(str(refusal.message), "error")
        return _edit_page(application, typed, status=refusal.status)
    db.session.commit()
    if errors:
        flash(_("Your other answers are saved. Correct the answers marked below: they are not saved yet."), "error")
        return _edit_page(application, typed, errors, 400)
    if replaced:
        flash(_("Draft saved at %(time)s. Some answers had been changed in another window after you opened this "
                "page: what your save replaced is shown below, so that you can keep what you need.",
                time=format_time(now, "short")), "warning")
        return _edit_page(application, typed, replaced=replaced)
    flash(_("Draft saved at %(time)s.", time=format_time(now, "short")), "success")
    question = application.call.question(action[len("files:"):]) if action.startswith("files:") else None
    if question is not None and question.get("type") == "file":
        return redirect(url_for("applications.files", application_id=application.id, question_id=question["id"]), 303)
    return redirect(url_for("applications.edit", application_id=application.id), 303)


@bp.route("/applications/<int:application_id>/autosave", methods=["POST"])
@login_required
def autosave(application_id):
    """JSON ``{"answers": {question id: value}, "bases": {question id: the saved value the page
    was loaded with, as JSON}}`` from autosave.js; only the fields that changed.

    :return: 200 ``{saved_at, saved_at_text, errors: {}, replaced: [{label, text}]}`` (``replaced``:
        answers saved elsewhere after the page was loaded, which this save replaced: the page
        shows them); 422 with ``errors`` when some answers
        are malformed (the others are saved); 403/404/409 ``{error}``.
    """
    application = load_application(application_id, "application.edit")
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        return jsonify(error=_("Send the answers as a JSON object.")), 400
    now = utcnow()
    bases = data.get("bases") if isinstance(data.get("bases"), dict) else {}
    replaced = replaced_answers(application.call, {base_name(qid): str(value) for qid, value in bases.items()},
                                data["answers"], application.answers)
    try:
        errors = operations.save_draft(user(), application, data["answers"], now)
    except ActionRefused as refusal:
        db.session.rollback()
        return jsonify(error=str(refusal.message)), refusal.status
    db.session.commit()
    body = {
        "saved_at": now.isoformat(),
        "saved_at_text": format_time(now, "short"),
        "errors": {qid: [str(m) for m in messages] for qid, messages in errors.items()},
        "replaced": [{"label": label, "text": text} for label, text in _replaced_views(application.call, replaced)],
    }
    return jsonify(body), 422 if errors else 200


# Versions and receipts -----------------------------------------------------------------------

def _version(application, number):
    version = db.session.execute(
        db.select(ApplicationVersion).where(ApplicationVersion.application_id == application.id, ApplicationVersion.number == number)
    ).scalar_one_or_none()
    if version is None:
        abort(404)
    return version


@bp.route("/applications/<int:application_id>/versions/<int:number>")
@login_required
def version(application_id, number):
    """A submitted version as frozen, with its receipt (fingerprint, time)."""
    application = load_application(application_id)
    item = _version(application, number)
    return render_template("applications/version.html", application=application, call=application.call, version=item,
                           snapshot=item.snapshot, member=is_member(current_user, application))


@bp.route("/applications/<int:application_id>/versions/<int:number>.json")
@login_required
def version_json(application_id, number):
    """The exact bytes the fingerprint is the SHA-256 of (``sha256sum`` gives it back)."""
    application = load_application(application_id)
    item = _version(application, number)
    return Response(operations.canonical_json(item.snapshot), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="application-{application.id}-v{number}.json"'})


@bp.route("/applications/<int:application_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(application_id):
    """Confirm, then withdraw (versions kept; it may be submitted again until the deadline)."""
    application = load_application(application_id, "application.edit")
    form = ConfirmForm()
    if request.method == "GET":
        return render_template("applications/withdraw.html", application=application, call=application.call, form=form)
    if not form.validate_on_submit():
        abort(400)
    try:
        operations.withdraw_application(user(), application, utcnow())
    except ActionRefused as refusal:
        db.session.rollback()
        flash(str(refusal.message), "error")
        return redirect(url_for("applications.edit", application_id=application.id), 303)
    db.session.commit()
    flash(_("Your application is withdrawn. You may submit it again until the deadline."), "success")
    return redirect(url_for("applications.edit", application_id=application.id))


