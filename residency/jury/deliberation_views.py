"""The chair's deliberation: the round's table under each ranking method (sortable, filtered,
flagged), one application's sheets, panel comments, discussion and decisions, publication of the
decisions, and the round's exports. Thin views over :mod:`.deliberation`, :mod:`.decisions`,
:mod:`.discussion`, :mod:`.exports` and :mod:`.ledger`.

Who: the chair and the call's coordinators see everything (:func:`~.seats.chaired_round`); only
the chair decides (a coordinator is told so: 403); jurors of the round take part in the
discussion of the applications they are not conflicted with (:mod:`.discussion_views`).
"""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from residency.applications.exports import CSV_MIMETYPE, XLSX_MIMETYPE
from residency.core.errors import ActionRefused
from residency.core.permissions import can
from residency.core.types import utcnow
from residency.extensions import db
from residency.jury import blind, decisions, deliberation, discussion, exports, ledger, ranking, scoring
from residency.jury.blueprint import bp
from residency.jury.models import CommentVisibility, PanelMember
from residency.jury.record_models import DecisionStage, Outcome
from residency.jury.rounds import PHASE_LABELS
from residency.jury.scoring_views import criteria
from residency.jury.seats import chaired_round

FILTER_DECISIONS = ("none", "proposed", *Outcome.ALL)


def _filters():
    """The table's filters from the query string (unknown values ignored)."""
    decision = request.args.get("decision", "")
    return {"disagreement": request.args.get("disagreement") == "1",
            "decision": decision if decision in FILTER_DECISIONS else ""}


@bp.route("/jury/rounds/<int:round_id>/deliberation")
@login_required
def deliberation_page(round_id):
    """The chair's table: every application of the round with its place, estimate and interval
    under each method, sorted by the one chosen (``sort``), filtered by disagreement and
    decision; the jurors' leniency and scale in words; the panel's agreement; whether the call's
    record verifies; what remains to publish.

    :raise 404: no such round, or the viewer has nothing to do with its call's jury.
    :raise 403: a juror of the call who does not chair it.
    """
    round_ = chaired_round(round_id)
    method = request.args.get("sort", "calibrated")
    method = method if method in ranking.METHODS else "calibrated"
    table = deliberation.table(round_)
    filters = _filters()
    lines = deliberation.sort_lines(table.lines, method, filters)
    width = table.scale[1] - table.scale[0]
    flagged = [member.id for member, juror, _words in table.jurors if deliberation.is_flagged_lenient(juror, width)]
    return render_template("jury/deliberation.html", round=round_, call=round_.call, table=table, lines=lines,
                           method=method, filters=filters, methods=deliberation.METHOD_LABELS,
                           method_help=deliberation.METHOD_HELP, tie_break=deliberation.TIE_BREAK,
                           alpha_meaning=deliberation.ALPHA_MEANING, outcomes=decisions.OUTCOME_LABELS,
                           verification=ledger.verify(round_.call_id), flagged=flagged,
                           unpublished=decisions.unpublished(round_.call_id), phases=PHASE_LABELS,
                           may_decide=can(current_user, "jury.decide", round_.call))


def _covered_or_404(round_, application_id):
    if not discussion.covers(round_, application_id):
        abort(404)


def _application_page(round_, application_id, status=200, errors=None, values=None):
    """One application of the round for the chair: each juror's sheet per criterion, the comments
    meant for the panel, the discussion, the decisions and their history."""
    numbers = blind.label_numbers(round_)
    names = {} if round_.blind else deliberation.applicant_names([application_id])
    members = {m.id: m for m in db.session.execute(
        db.select(PanelMember).where(PanelMember.call_id == round_.call_id)).scalars()}
    sheets = []
    for review in scoring.current_reviews(round_.id, application_id=application_id):
        comments = scoring.sheet_comments(review)
        sheets.append({"member": members.get(review.member_id), "review": review,
                       "scores": {score.criterion_id: score.value for score in review.scores},
                       "panel": comments.get(CommentVisibility.PANEL, ""),
                       "applicant": comments.get(CommentVisibility.APPLICANT, "")})
    line = next((line for line in deliberation.table(round_).lines if line.application_id == application_id), None)
    return render_template(
        "jury/deliberation_application.html", round=round_, call=round_.call, application_id=application_id,
        number=numbers.get(application_id, 0), name=names.get(application_id, ""), sheets=sheets, line=line,
        criteria=criteria(round_.call), methods=deliberation.METHOD_LABELS, outcomes=decisions.OUTCOME_LABELS,
        messages=discussion.messages(round_, application_id), members=members,
        history=decisions.decision_history(round_.id, application_id),
        may_decide=can(current_user, "jury.decide", round_.call),
        may_post=can(current_user, "jury.discuss", discussion.Thread(round_, application_id)),
        thread_open=discussion.is_open(round_), errors=errors or {}, values=values or {}, phases=PHASE_LABELS,
    ), status


@bp.route("/jury/rounds/<int:round_id>/deliberation/<int:application_id>")
@login_required
def deliberation_application(round_id, application_id):
    """One application of the round, as the chair deliberates on it.

    :raise 404: as :func:`deliberation_page`; the round does not cover the application.
    """
    round_ = chaired_round(round_id)
    _covered_or_404(round_, application_id)
    return _application_page(round_, application_id)


@bp.route("/jury/rounds/<int:round_id>/deliberation/<int:application_id>", methods=["POST"])
@login_required
def decide(round_id, application_id):
    """Record the chair's proposed decision (``stage`` "proposed") or the panel's final decision
    (``stage`` "final", with its rationale).

    :raise 404: as :func:`deliberation_application`.
    :raise 403: anyone but the chair (a coordinator, who sees the page).
    """
    round_ = chaired_round(round_id)
    _covered_or_404(round_, application_id)
    stage = request.form.get("stage", DecisionStage.FINAL)
    values = {"outcome": request.form.get("outcome", ""), "rationale": request.form.get("rationale", ""),
              "stage": stage}
    try:
        decisions.decide(current_user, round_, application_id, values["outcome"], values["rationale"], stage=stage,
                         now=utcnow())
    except ActionRefused as refusal:
        db.session.rollback()
        if refusal.status == 404:
            abort(404)
        flash(str(refusal.message), "error")
        return _application_page(round_, application_id, refusal.status,
                                 errors={refusal.field or "form": str(refusal.message)}, values=values)
    db.session.commit()
    flash(_("The decision is recorded."), "success")
    return redirect(url_for("jury.deliberation_application", round_id=round_id, application_id=application_id), 303)


@bp.route("/jury/calls/<int:call_id>/publish", methods=["GET", "POST"])
@login_required
def publish_decisions(call_id):
    """Publish the call's final decisions not yet published: the applicants are e-mailed in their
    language and see the outcome on their application's page.

    :raise 404: no such call, or the viewer has nothing to do with its jury.
    :raise 403: a juror who does not chair the panel.
    """
    from residency.calls.models import Call

    call = db.session.get(Call, call_id)
    if call is None or not can(current_user, "jury.view", call):
        abort(404)
    if not can(current_user, "jury.chair", call):
        abort(403)
    pending = decisions.unpublished(call.id)
    if request.method == "POST":
        published = decisions.publish(current_user, call, now=utcnow())
        db.session.commit()
        decisions.announce_published(call, published)
        if published:
            flash(_("%(n)d decisions are published; the applicants are being notified.", n=len(published)), "success")
        else:
            flash(_("There was no decision left to publish."), "info")
        return redirect(url_for("jury.publish_decisions", call_id=call.id), 303)
    numbers = {}
    for decision in pending:
        numbers[decision.application_id] = blind.label_numbers(decision_round(decision)).get(decision.application_id, 0)
    return render_template("jury/publish.html", call=call, pending=pending, numbers=numbers,
                           outcomes=decisions.OUTCOME_LABELS, selected=decisions.selected_applications(call.id))


def decision_round(decision):
    from residency.jury.models import Round

    return db.session.get(Round, decision.round_id)


def _download(body, mimetype, filename):
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/jury/rounds/<int:round_id>/export/<any(scores, ranking):what>.csv")
@login_required
def export_csv(round_id, what):
    """The round's scores per criterion and juror, or its ranking under each method, as CSV."""
    round_ = chaired_round(round_id)
    header, rows = exports.scores_table(round_) if what == "scores" else exports.ranking_table(round_)
    return _download(b"".join(exports.csv_body(header, rows)), CSV_MIMETYPE, f"round-{round_.number}-{what}.csv")


@bp.route("/jury/rounds/<int:round_id>/export.xlsx")
@login_required
def export_xlsx(round_id):
    """The round's scores and ranking as an XLSX workbook of two sheets."""
    round_ = chaired_round(round_id)
    return _download(exports.xlsx_bytes(round_), XLSX_MIMETYPE, f"round-{round_.number}-jury.xlsx")
