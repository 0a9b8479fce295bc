"""The juror's dashboard and list of applications of a round, their own scores as CSV, and the
chair's progress table. Thin views over :mod:`.scoring` (counts) and :mod:`.blind` (labels)."""

from flask import Response, render_template, stream_with_context
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from residency.applications.exports import CSV_MIMETYPE, csv_chunks
from residency.applications.models import Application
from residency.core.permissions import can
from residency.core.types import utcnow
from residency.extensions import db
from residency.jury import blind, scoring
from residency.jury.blueprint import bp
from residency.jury.models import Assignment, MemberStatus, PanelMember, RoundPhase
from residency.jury.rounds import PHASE_LABELS, rounds_of
from residency.jury.scoring_views import criteria
from residency.jury.seats import chaired_round, juror_round


def _status_labels():
    return {"scored": _("scored"), "abstained": _("abstained"), "missing": _("not scored yet")}


@bp.route("/jury")
@login_required
def dashboard():
    """The viewer's panels and, per round, their progress and the deadline (in their timezone and
    the call's), with a countdown while scoring is open."""
    memberships = db.session.execute(
        select(PanelMember).where(PanelMember.user_id == current_user.id, PanelMember.status == MemberStatus.ACTIVE)
        .order_by(PanelMember.id.desc())
    ).scalars().all()
    panels = []
    for member in memberships:
        conflicted = scoring.conflicted_ids(member)
        chair = can(current_user, "jury.chair", member.call)
        rounds = []
        for round_ in rounds_of(member.call):
            progress = scoring.member_progress(member, round_.id, conflicted)
            rounds.append({"round": round_, "progress": progress, "state": scoring.scoring_state(round_),
                           "chair": chair})
        panels.append({"member": member, "call": member.call, "rounds": rounds, "chair": chair})
    return render_template("jury/dashboard.html", panels=panels, phases=PHASE_LABELS, now=utcnow())


def _my_rows(round_, member):
    """``[(number, application id, name or "", status, sheet or None)]`` of the viewer's live
    assignments in the round, conflicted ones left out, in label order."""
    numbers = blind.label_numbers(round_)
    conflicted = scoring.conflicted_ids(member)
    assignments = [a for a in db.session.execute(scoring.live_assignments(member.id, round_.id)).scalars()
                   if a.application_id not in conflicted]
    sheets = {review.assignment_id: review for review in scoring.current_reviews(round_.id, member_id=member.id)}
    names = {} if round_.blind else _applicant_names([a.application_id for a in assignments])
    rows = []
    for assignment in assignments:
        sheet = sheets.get(assignment.id)
        status = "missing" if sheet is None else "abstained" if sheet.abstained else "scored"
        rows.append((numbers.get(assignment.application_id, 0), assignment.application_id,
                     names.get(assignment.application_id, ""), status, sheet))
    return sorted(rows, key=lambda row: row[0])


def _applicant_names(application_ids):
    """``{application id: the owner's name}`` (for rounds that are not blind)."""
    if not application_ids:
        return {}
    rows = db.session.execute(select(Application).where(Application.id.in_(application_ids))).scalars()
    return {application.id: application.owner.display_name for application in rows}


@bp.route("/jury/rounds/<int:round_id>/applications")
@login_required
def round_applications(round_id):
    """The applications assigned to the viewer in the round, with what they saved for each.

    :raise 404: the viewer is not an active member of the round's call's panel.
    """
    round_, member = juror_round(round_id)
    rows = _my_rows(round_, member)
    progress = scoring.member_progress(member, round_.id)
    return render_template("jury/score_list.html", round=round_, call=round_.call, member=member, rows=rows,
                           progress=progress, state=scoring.scoring_state(round_), statuses=_status_labels(),
                           phases=PHASE_LABELS, now=utcnow(), threads=_threads(round_, member))


def _threads(round_, member):
    """``[(number, application id)]`` of the round's discussion threads the member takes part in,
    in label order, once scoring is closed (none before)."""
    from residency.jury import discussion

    if not discussion.is_open(round_):
        return []
    numbers = blind.label_numbers(round_)
    return sorted((number, app_id) for app_id, number in numbers.items()
                  if discussion.covers(round_, app_id) and discussion.participant(member, round_, app_id))


@bp.route("/jury/rounds/<int:round_id>/my-scores.csv")
@login_required
def my_scores_csv(round_id):
    """The viewer's own sheets of the round as CSV: one row per assigned application under its
    label (and, in a round that is not blind, its applicant), a column per criterion."""
    round_, member = juror_round(round_id)
    rows = _my_rows(round_, member)
    shown = criteria(round_.call)
    statuses = _status_labels()
    header = [_("Application")] + ([] if round_.blind else [_("Applicant")]) + [_("Status")] + \
        [criterion["name"] for criterion in shown] + [_("Reason for abstaining"), _("Saved at (UTC)")]

    def data():
        for number, _app_id, name, status, sheet in rows:
            values = {score.criterion_id: f"{score.value:g}" for score in sheet.scores} if sheet else {}
            yield ([str(blind.label_of(number))] + ([] if round_.blind else [name]) + [statuses[status]]
                   + [values.get(criterion["id"], "") for criterion in shown]
                   + [sheet.abstain_reason if sheet and sheet.abstained else "",
                      sheet.submitted_at.strftime("%Y-%m-%dT%H:%M:%SZ") if sheet else ""])

    response = Response(stream_with_context(csv_chunks(header, list(data()))), mimetype=CSV_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="round-{round_.number}-my-scores.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/jury/rounds/<int:round_id>/progress")
@login_required
def progress(round_id):
    """The chair's table: per juror, assigned / scored / abstained / missing; per application, the
    same with each juror's state. Labels only in a blind round.

    :raise 404: no such round, or the viewer has nothing to do with its call's jury.
    :raise 403: a juror of the call who does not chair it.
    """
    round_ = chaired_round(round_id)
    numbers = blind.label_numbers(round_)
    assignments = db.session.execute(
        select(Assignment).where(Assignment.round_id == round_.id, Assignment.removed_at.is_(None),
                                 Assignment.confirmed_at.is_not(None))
    ).scalars().all()
    counts = scoring.sheet_counts(round_.id)
    members = {member.id: member for member in db.session.execute(
        select(PanelMember).where(PanelMember.call_id == round_.call_id).order_by(PanelMember.id)).scalars()}
    jurors, applications = {}, {}
    for assignment in assignments:
        status = counts.get((assignment.member_id, assignment.application_id), "missing")
        jurors.setdefault(assignment.member_id, {"assigned": 0, "scored": 0, "abstained": 0, "missing": 0})
        jurors[assignment.member_id]["assigned"] += 1
        jurors[assignment.member_id][status] += 1
        applications.setdefault(assignment.application_id, []).append((assignment.member_id, status))
    names = {} if round_.blind else _applicant_names(list(applications))
    juror_rows = [(members[member_id], tally) for member_id, tally in jurors.items() if member_id in members]
    juror_rows.sort(key=lambda row: (row[0].user.display_name if row[0].user else row[0].email).lower())
    application_rows = sorted(
        ((numbers.get(app_id, 0), app_id, names.get(app_id, ""),
          sorted(((members[mid], status) for mid, status in entries if mid in members), key=lambda e: e[0].id))
         for app_id, entries in applications.items()), key=lambda row: row[0])
    total = {key: sum(tally[key] for _member, tally in juror_rows) for key in ("assigned", "scored", "abstained", "missing")}
    return render_template("jury/progress.html", round=round_, call=round_.call, juror_rows=juror_rows,
                           application_rows=application_rows, total=total, statuses=_status_labels(),
                           phases=PHASE_LABELS, state=scoring.scoring_state(round_), now=utcnow(),
                           setup=round_.phase == RoundPhase.SETUP, locale=str(get_locale()))
