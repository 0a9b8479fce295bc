"""The coordinators' pages of a call's rounds under ``/manage/calls/<id>/jury/rounds``: the list,
adding and editing a round (times in the call's timezone), its phase moves and, once closed, the
applications it advances.

Thin views over :mod:`residency.jury.rounds`; the call is checked as on the panel's pages (404 for
whoever may not see its jury, 403 for a member who does not run it).
"""

from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateTimeLocalField, FloatField, IntegerField, RadioField, SelectChoice,
                     StringField)
from wtforms.validators import InputRequired, Length, Optional

from residency.core.errors import ActionRefused
from residency.core.forms import show_refusal
from residency.core.types import utcnow
from residency.extensions import db
from residency.jury import panels, round_moves, rounds
from residency.jury.blueprint import bp
from residency.jury.models import RoundCoverage, RoundPhase, ScoresVisibility
from residency.jury.panel_views import ConfirmForm, managed_call

_TIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]

MOVE_LABELS = {
    RoundPhase.SCORING: _l("Start scoring"),
    RoundPhase.CLOSED: _l("Close the round"),
}
MOVE_CONSEQUENCES = {
    RoundPhase.SCORING: _l("The jurors can score the applications assigned to them until the round closes. The "
                           "applications the round covers are fixed now: applications marked eligible later are "
                           "not added. Blind review and the visibility of scores can no longer change."),
    RoundPhase.CLOSED: _l("Nobody can score any more, even before the planned closing time. This cannot be undone."),
}


class ProbabilityField(FloatField):
    """A decimal number written with a point or a comma (0.5 or 0,5)."""

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [valuelist[0].strip().replace(",", ".")]
        super().process_formdata(valuelist)


class RoundForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Length(max=rounds.NAME_MAX_LENGTH)])
    scoring_opens_at = DateTimeLocalField(_l("Scoring opens"), format=_TIME_FORMATS, validators=[Optional()])
    scoring_closes_at = DateTimeLocalField(_l("Scoring closes"), format=_TIME_FORMATS, validators=[Optional()])
    coverage = RadioField(_l("Applications covered"), choices=[SelectChoice(k, v) for k, v in rounds.COVERAGE_LABELS.items()],
                          default=RoundCoverage.ELIGIBLE)
    reviews_per_application = IntegerField(_l("Reviews per application (k)"), default=3,
                                           validators=[InputRequired(_l("Enter how many jurors review each application."))])
    blind = BooleanField(_l("Blind review: jurors do not see who applied"))
    others_scores = RadioField(_l("Jurors see each other's scores"), choices=[SelectChoice(k, v) for k, v in rounds.VISIBILITY_LABELS.items()],
                               default=ScoresVisibility.AFTER_OWN)
    max_pair_probability = ProbabilityField(_l("Highest probability of a juror–application pair (optional)"),
                                      validators=[Optional()])

    FIELDS = ("name", "scoring_opens_at", "scoring_closes_at", "coverage", "reviews_per_application", "blind",
              "others_scores", "max_pair_probability")

    def values(self):
        return {name: self[name].data for name in self.FIELDS}

    def fill(self, round_):
        """The round's values, its times as wall-clock times in the call's timezone."""
        zone = ZoneInfo(round_.call.timezone or "UTC")
        for name in self.FIELDS:
            value = getattr(round_, name)
            if name in ("scoring_opens_at", "scoring_closes_at") and value is not None:
                value = value.astimezone(zone).replace(tzinfo=None)
            self[name].data = value


class AdvanceForm(FlaskForm):
    """The checkboxes ``advanced`` (application ids) are read from the request."""


def _round_or_404(call, round_id):
    round_ = rounds.get_round(call, round_id)
    if round_ is None:
        abort(404)
    return round_


def _show_problems(form, refusal):
    db.session.rollback()
    for field, message in getattr(refusal, "problems", [(refusal.field, refusal.message)]):
        show_refusal(form, ActionRefused(message, field=field))
    return refusal.status


@bp.route("/manage/calls/<int:call_id>/jury/rounds", endpoint="rounds")
@login_required
def rounds_list(call_id):
    """The call's rounds with their phase, dates, coverage and k."""
    call = managed_call(call_id)
    items = rounds.rounds_of(call)
    counts = {r.id: len(rounds.round_application_ids(r)) for r in items}
    return render_template("jury/rounds.html", call=call, rounds=items, counts=counts, labels=_labels())


@bp.route("/manage/calls/<int:call_id>/jury/rounds/new", methods=["GET", "POST"])
@login_required
def new_round(call_id):
    """Add a round (numbered after the last one), in set-up."""
    call = managed_call(call_id)
    form = RoundForm()
    status = 200
    if request.method == "GET" and rounds.rounds_of(call):
        form.coverage.data = RoundCoverage.ADVANCED
    if form.validate_on_submit():
        try:
            round_, notes = rounds.create_round(me(), call, form.values())
        except ActionRefused as refusal:
            status = _show_problems(form, refusal)
        else:
            db.session.commit()
            for note in notes:
                flash(str(note), "info")
            flash(_("Round %(number)d is added.", number=round_.number), "success")
            return redirect(url_for("jury.round", call_id=call.id, round_id=round_.id))
    elif request.method == "POST":
        status = 400
    return render_template("jury/round_form.html", call=call, form=form, round=None, locked=set(),
                           labels=_labels()), status


@bp.route("/manage/calls/<int:call_id>/jury/rounds/<int:round_id>", methods=["GET", "POST"], endpoint="round")
@login_required
def round_page(call_id, round_id):
    """A round: its settings (what its phase still allows to change), its moves and applications."""
    call = managed_call(call_id)
    round_ = _round_or_404(call, round_id)
    locked = rounds.locked_fields(round_)
    form = RoundForm()
    status = 200
    if request.method == "GET":
        form.fill(round_)
    elif form.validate_on_submit():
        values = form.values()
        if locked:  # disabled inputs are not sent: they keep the round's values
            kept = RoundForm(formdata=None)
            kept.fill(round_)
            values.update({name: kept[name].data for name in locked})
        try:
            _round, notes = rounds.update_round(me(), round_, values)
        except ActionRefused as refusal:
            status = _show_problems(form, refusal)
        else:
            db.session.commit()
            for note in notes:
                flash(str(note), "info")
            flash(_("Saved."), "success")
            return redirect(url_for("jury.round", call_id=call.id, round_id=round_.id))
    else:
        status = 400
    if locked:
        kept = RoundForm(formdata=None)
        kept.fill(round_)
        for name in locked:
            form[name].data = kept[name].data
    return _round_page(call, round_, form, locked, status)


def _round_page(call, round_, form, locked, status=200):
    applications = rounds.round_applications(round_)
    moves = [target for target in (RoundPhase.SCORING, RoundPhase.CLOSED) if round_moves.can_move(round_, target)]
    return render_template(
        "jury/round.html", call=call, round=round_, form=form, locked=locked, applications=applications,
        moves=moves, move_labels=MOVE_LABELS, now=utcnow(), labels=_labels(), advance=AdvanceForm(),
        problems=round_moves.scoring_problems(round_) if RoundPhase.SCORING in moves else [],
        advanced=rounds.advanced_ids(round_) if round_.phase == RoundPhase.CLOSED else set(),
    ), status


@bp.route("/manage/calls/<int:call_id>/jury/rounds/<int:round_id>/move/<target>", methods=["GET", "POST"])
@login_required
def move_round(call_id, round_id, target):
    """A confirmation page, then the phase move (every reason given when it cannot happen)."""
    call = managed_call(call_id)
    round_ = _round_or_404(call, round_id)
    if target not in MOVE_LABELS:
        abort(404)
    form = ConfirmForm()
    problems, status = [], 200
    if form.validate_on_submit():
        # Two coordinators pressing at once: one move. The call's rounds are locked in the jury's order.
        rounds.lock_rounds(call.id)
        db.session.refresh(round_)
        try:
            round_moves.move_round(round_, target, actor=me())
        except ActionRefused as refusal:
            db.session.rollback()
            problems = [message for _field, message in getattr(refusal, "problems", [(None, refusal.message)])]
            status = refusal.status
        else:
            db.session.commit()
            flash(_("Round %(number)d is now “%(phase)s”.", number=round_.number,
                    phase=rounds.PHASE_LABELS[round_.phase]), "success")
            return redirect(url_for("jury.round", call_id=call.id, round_id=round_.id))
    elif request.method == "POST":
        status = 400
    elif not round_moves.can_move(round_, target):
        problems, status = [_("A round cannot go from “%(from)s” to “%(to)s”.", **{
            "from": rounds.PHASE_LABELS[round_.phase], "to": rounds.PHASE_LABELS[target]})], 409
    elif target == RoundPhase.SCORING:
        problems = [str(p) for p in round_moves.scoring_problems(round_)]
    return render_template("jury/round_move.html", call=call, round=round_, form=form, target=target,
                           label=MOVE_LABELS[target], consequence=MOVE_CONSEQUENCES[target], problems=problems,
                           labels=_labels()), status


@bp.route("/manage/calls/<int:call_id>/jury/rounds/<int:round_id>/advanced", methods=["POST"])
@login_required
def advance(call_id, round_id):
    """Which applications of a closed round go on to the next round (the ticked ones)."""
    call = managed_call(call_id)
    round_ = _round_or_404(call, round_id)
    if not AdvanceForm().validate_on_submit():
        abort(400)
    ids = []
    for raw in request.form.getlist("advanced"):
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 10:
            abort(400)
        ids.append(int(raw))
    try:
        chosen = round_moves.set_advanced(me(), round_, ids)
    except ActionRefused as refusal:
        db.session.rollback()
        flash(str(refusal.message), "error")
        return redirect(url_for("jury.round", call_id=call.id, round_id=round_.id), 303)
    db.session.commit()
    flash(ngettext("%(num)d application goes on to the next round.",
                   "%(num)d applications go on to the next round.", len(chosen)), "success")
    return redirect(url_for("jury.round", call_id=call.id, round_id=round_.id))


def me():
    return current_user._get_current_object()


def _labels():
    return {"phase": rounds.PHASE_LABELS, "coverage": rounds.COVERAGE_LABELS, "visibility": rounds.VISIBILITY_LABELS,
            "role": panels.ROLE_LABELS}
