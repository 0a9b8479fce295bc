"""The coordinators' choice of the call's questions whose answers identify an applicant (hidden
from the jurors of a blind round): a page next to the jury's settings."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from residency.calls.operations import localized
from residency.core.errors import ActionRefused
from residency.extensions import db
from residency.jury import blind
from residency.jury.blueprint import bp
from residency.jury.panel_views import managed_call


def _questions(call):
    """``[(id, label, type)]`` of the call's form, labels in the viewer's language."""
    return [(question.get("id"), localized(question.get("label"), get_locale(), call.main_language)[0]
             or question.get("id"), question.get("type")) for question in call.form or []]


@bp.route("/manage/calls/<int:call_id>/jury/settings/identifying", methods=["GET", "POST"])
@login_required
def identifying_questions(call_id):
    """Mark the questions whose answers identify the applicant (a website, a list of past shows…).

    :raise 404: no such call, or one whose jury the viewer may not see.
    :raise 403: the viewer sees the jury but does not run it (a juror, the chair).
    """
    call = managed_call(call_id)
    chosen, status, error = blind.identifying_question_ids(call), 200, None
    if request.method == "POST":
        chosen = set(request.form.getlist("questions"))
        try:
            blind.set_identifying_questions(current_user._get_current_object(), call, chosen)
        except ActionRefused as refusal:
            db.session.rollback()
            status, error = refusal.status, str(refusal.message)
        else:
            db.session.commit()
            flash(_("Saved: blind rounds hide the answers to the questions you ticked."), "success")
            return redirect(url_for("jury.identifying_questions", call_id=call.id), 303)
    return render_template("jury/score_identifying.html", call=call, questions=_questions(call), chosen=chosen,
                           error=error), status
