"""The chair's assignment page of a round, under ``/manage/calls/<id>/jury/rounds/<id>/assignment``:
the live pairs measured against the rules (loads per juror, coverage, unmet preferences, what
cannot be met, in words), "Propose an assignment", "Confirm", and forms to change pairs by hand
and to hand a juror's reviews to others. Works without JavaScript.

Thin views over :mod:`residency.jury.assignment_ops`. Whoever may not see the call's jury gets
404, exactly as for a missing id; a juror who sees it but does not chair it, 403.
"""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, RadioField, SelectChoice, SelectField
from wtforms.validators import InputRequired, ValidationError

from residency.applications.models import Application
from residency.calls.models import Call
from residency.core.errors import ActionRefused
from residency.core.forms import show_refusal
from residency.core.permissions import can
from residency.extensions import db
from residency.jury import assignment_changes, assignment_ops, blind, panels, rounds
from residency.jury.blueprint import bp

#: Problems listed on the page before "and N more".
SHOWN_ISSUES = 50


def _optional_int(value):
    return int(value) if value not in (None, "") else None


class ProposeForm(FlaskForm):
    """Only the CSRF token."""


class ConfirmForm(FlaskForm):
    token = HiddenField()


def _lenient_int(value):
    try:
        return _optional_int(value)
    except (TypeError, ValueError):
        return None


class PairForm(FlaskForm):
    # Posts the database id; shows the name the round's juror pages give the application.
    application = SelectField(_l("Application"), coerce=_lenient_int, validate_choice=False,
                              validators=[InputRequired(_l("Choose an application of this round."))])
    member = SelectField(_l("Juror"), coerce=_optional_int,
                         validators=[InputRequired(_l("Choose a juror."))])
    action = RadioField(_l("Change"), default="add", validators=[InputRequired(_l("Choose what to change."))],
                        choices=[SelectChoice("add", _l("Add this juror to the application")),
                                 SelectChoice("remove", _l("Remove this juror from the application")),
                                 SelectChoice("move", _l("Move this juror's review to another juror"))])
    target = SelectField(_l("Move to"), coerce=_optional_int)

    def validate_application(self, field):
        if field.data not in {value for value, _label, *_rest in field.iter_choices() if value != ""}:
            raise ValidationError(_("Choose an application of this round."))

    def validate_target(self, field):
        if self.action.data == "move" and field.data is None:
            raise ValidationError(_("Choose the juror who takes the review over."))


class ReassignForm(FlaskForm):
    juror = SelectField(_l("Juror whose reviews go to others"), coerce=_optional_int,
                         validators=[InputRequired(_l("Choose a juror."))])


def _chaired_round(call_id, round_id):
    """``(call, round)`` if the viewer chairs the call's jury.

    :raise 404: no such call or round, or a call whose jury the viewer may not see.
    :raise 403: a member of the jury who does not chair it.
    """
    call = db.session.get(Call, call_id)
    if call is None or not can(current_user, "jury.view", call):
        abort(404)
    round_ = rounds.get_round(call, round_id)
    if round_ is None:
        abort(404)
    if not can(current_user, "jury.chair", call):
        abort(403)
    return call, round_


def _juror_choices(call, blank=False):
    choices = [SelectChoice(m.id, panels.display_name(m)) for m in assignment_ops.jurors_of(call)]
    return ([SelectChoice("", _("Choose…"))] if blank else []) + choices


def application_labels(round_):
    """``{application id: its name on the page}`` in label order: "Application N", the pseudonym
    the round's juror pages give it (:mod:`residency.jury.blind`), and in a round that is not
    blind the applicant's name after it, as on the progress page."""
    ids = rounds.round_application_ids(round_)
    numbers = blind.call_label_numbers(round_, ids)
    names = {} if round_.blind else {application.id: application.owner.display_name for application in
                                     db.session.execute(select(Application).where(Application.id.in_(ids))).scalars()}
    return {app_id: (numbers[app_id], names.get(app_id, "")) for app_id in blind.ordered_ids(numbers)}


def _label(number, name=""):
    text = _("Application %(number)d", number=number)
    return f"{text} · {name}" if name else text


def _forms(call, round_, pair=None, reassign=None):
    pair = pair or PairForm(formdata=None)
    reassign = reassign or ReassignForm(formdata=None)
    pair.application.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(app_id, _label(number, name)) for app_id, (number, name) in application_labels(round_).items()]
    pair.member.choices = _juror_choices(call, blank=True)
    reassign.juror.choices = _juror_choices(call, blank=True)
    pair.target.choices = _juror_choices(call, blank=True)
    return pair, reassign


def _issue_text(issue, names, numbers):
    """An :class:`~residency.jury.assignment_explain.Issue` in words, each application by its pseudonym."""
    number = numbers.get(issue.application_id, 0) if issue.application_id is not None else 0
    if issue.code == "no_jurors":
        return _("The round needs %(needed)d reviews and the panel has no active juror.", needed=issue.needed)
    if issue.code == "too_few_jurors":
        return ngettext("Application %(id)d has only %(num)d unconflicted juror for k = %(k)d.",
                        "Application %(id)d has only %(num)d unconflicted jurors for k = %(k)d.",
                        issue.available, id=number, k=issue.k)
    if issue.code == "capacity_short":
        return _("The jurors' caps add up to %(capacity)d reviews, fewer than the %(needed)d needed.",
                 capacity=issue.capacity, needed=issue.needed)
    if issue.code == "probability_cap":
        return _("Application %(id)d has %(available)d unconflicted jurors: with no pair above a probability of "
                 "%(probability)s, it cannot get %(k)d reviews.", id=number, available=issue.available,
                 probability=f"{issue.max_probability:g}", k=issue.k)
    if issue.code == "jurors_full":
        return ngettext("Application %(id)d lacks %(num)d review: its unconflicted jurors are at their caps.",
                        "Application %(id)d lacks %(num)d reviews: its unconflicted jurors are at their caps.",
                        issue.missing, id=number)
    if issue.code == "missing_reviews":
        return _("Application %(id)d has %(count)d of its %(k)d reviews.", id=number,
                 count=issue.k - issue.missing, k=issue.k)
    if issue.code == "load_outside_share":
        return _("%(name)s reviews %(load)d applications, outside the balanced share of %(low)d to %(high)d.",
                 name=names.get(issue.juror_id, issue.juror_id), load=issue.load, low=issue.low, high=issue.high)
    return issue.code


def _page(call, round_, pair=None, reassign=None, status=200):
    context, measured = assignment_ops.summary(round_)
    names = {m_id: panels.display_name(m) for m_id, m in context.members.items()}
    pairs_by_application = {}
    for _id, member_id, application_id, confirmed in context.rows:
        pairs_by_application.setdefault(application_id, []).append((member_id, confirmed))
    all_names = {m.id: panels.display_name(m) for m in panels.members_of(call)}
    labels = application_labels(round_)
    numbers = {app_id: number for app_id, (number, _name) in labels.items()}
    issues = [_issue_text(issue, names, numbers) for issue in measured.issues]
    proposed = sum(1 for row in context.rows if not row[3])
    pair, reassign = _forms(call, round_, pair, reassign)
    return render_template(
        "jury/assignment.html", call=call, round=round_, measured=measured, names=names, all_names=all_names,
        application_ids=context.application_ids, pairs_by_application=pairs_by_application, labels=labels,
        numbers=numbers,
        issues=issues[:SHOWN_ISSUES], more_issues=max(0, len(issues) - SHOWN_ISSUES), proposed=proposed,
        confirmed=len(context.rows) - proposed, caps={m_id: m.max_load for m_id, m in context.members.items()},
        propose_form=ProposeForm(formdata=None), confirm_form=ConfirmForm(formdata=None,
                                                                          token=assignment_ops.preview_token(round_)),
        pair_form=pair, reassign_form=reassign, can_manage=can(current_user, "jury.manage", call),
    ), status


def _back(call, round_):
    return redirect(url_for("jury.assignment", call_id=call.id, round_id=round_.id), 303)


def _refused(call, round_, refusal, form=None):
    db.session.rollback()
    db.session.refresh(round_)
    if form is not None:
        show_refusal(form, refusal)
    else:
        flash(str(refusal.message), "error")
    return _page(call, round_, pair=form if isinstance(form, PairForm) else None,
                 reassign=form if isinstance(form, ReassignForm) else None, status=refusal.status)


@bp.route("/manage/calls/<int:call_id>/jury/rounds/<int:round_id>/assignment")
@login_required
def assignment(call_id, round_id):
    """The round's assignment: what it achieves, what it cannot meet, and the chair's actions."""
    call, round_ = _chaired_round(call_id, round_id)
    return _page(call, round_)


@bp.route("/manage/calls/<int:call_id>/jury/rounds/<int:round_id>/assignment/propose", methods=["POST"])
@login_required
def assignment_propose(call_id, round_id):
    """Solve the round and show the result as a preview (confirmed pairs are kept)."""
    call, round_ = _chaired_round(call_id, round_id)
    if not ProposeForm().validate_on_submit():
        abort(400)
    try:
        solution = assignment_ops.propose(round_, current_user._get_current_object())
    except ActionRefused as refusal:
        return _refused(call, round_, refusal)
    db.session.commit()
    flash(ngettext("%(num)d pair proposed: look at it, then confirm it.",
                   "%(num)d pairs proposed: look at them, then confirm them.", len(solution.pairs)), "success")
    return _back(call, round_)


@bp.route("/manage/calls/<int:call_id>/jury/rounds/<int:round_id>/assignment/confirm", methods=["POST"])
@login_required
def assignment_confirm(call_id, round_id):
    """Confirm the preview the chair looked at: its pairs reach the jurors."""
    call, round_ = _chaired_round(call_id, round_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        count = assignment_ops.confirm(round_, current_user._get_current_object(), token=form.token.data or "")
    except ActionRefused as refusal:
        return _refused(call, round_, refusal)
    db.session.commit()
    flash(ngettext("%(num)d pair confirmed: the jurors see it now.", "%(num)d pairs confirmed: the jurors see them "
                   "now.", count), "success")
    return _back(call, round_)


@bp.route("/manage/calls/<int:call_id>/jury/rounds/<int:round_id>/assignment/pairs", methods=["POST"])
@login_required
def assignment_pair(call_id, round_id):
    """Add, remove or move one pair by hand (refused for a conflicted juror or a pair already there)."""
    call, round_ = _chaired_round(call_id, round_id)
    form, _reassign = _forms(call, round_, PairForm())
    if not form.validate_on_submit():
        return _page(call, round_, pair=form, status=400)
    actor = current_user._get_current_object()
    member = panels.get_member(call, form.member.data)
    try:
        if form.action.data == "add":
            assignment_changes.add_pair(round_, member, form.application.data, actor)
            message = _("%(name)s now reviews application %(id)d.", name=panels.display_name(member),
                        id=assignment_changes.pseudonym(round_, form.application.data))
        elif form.action.data == "remove":
            assignment_changes.remove_pair(round_, member, form.application.data, actor)
            message = _("%(name)s no longer reviews application %(id)d.", name=panels.display_name(member),
                        id=assignment_changes.pseudonym(round_, form.application.data))
        else:
            target = panels.get_member(call, form.target.data)
            if target is None:
                raise ActionRefused(_l("Choose an active juror of this panel."), field="target")
            assignment_changes.move_pair(round_, member, form.application.data, target, actor)
            message = _("Application %(id)d moved from %(from)s to %(to)s.",
                        id=assignment_changes.pseudonym(round_, form.application.data),
                        **{"from": panels.display_name(member), "to": panels.display_name(target)})
    except ActionRefused as refusal:
        return _refused(call, round_, refusal, form)
    db.session.commit()
    flash(message, "success")
    return _back(call, round_)


@bp.route("/manage/calls/<int:call_id>/jury/rounds/<int:round_id>/assignment/reassign", methods=["POST"])
@login_required
def assignment_reassign(call_id, round_id):
    """Hand a juror's reviews in this round to the other jurors, every other pair kept."""
    call, round_ = _chaired_round(call_id, round_id)
    _pair, form = _forms(call, round_, reassign=ReassignForm())
    if not form.validate_on_submit():
        return _page(call, round_, reassign=form, status=400)
    member = panels.get_member(call, form.juror.data)
    try:
        if member is None:
            raise ActionRefused(_l("Choose an active juror of this panel."), field="juror")
        results = assignment_changes.replace_member(member, current_user._get_current_object(), round_=round_,
                                                    reason=assignment_ops.Removal.REASSIGNED)
    except ActionRefused as refusal:
        return _refused(call, round_, refusal, form)
    db.session.commit()
    removed, added, missing = results.get(round_.id, (0, [], 0))
    if not removed:
        flash(_("%(name)s had no review to hand over in this round.", name=panels.display_name(member)), "success")
    else:
        flash(_("%(removed)d reviews of %(name)s handed to other jurors (%(added)d new pairs, %(missing)d still "
                "missing).", removed=removed, name=panels.display_name(member), added=len(added), missing=missing),
              "success")
    return _back(call, round_)
