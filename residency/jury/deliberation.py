"""What the chair deliberates on: a round's scores turned into the three rankings side by side,
with flags, the jurors' leniency and scale in words, the panel's agreement, comments meant for the
panel, discussion threads and decisions. Reads only; the views render it, :mod:`.decisions`
writes.

Only the current sheets of live assignments count (a superseded or removed sheet does not);
an abstention counts for nothing. Applications are named by the round's pseudonym (and, in a
round that is not blind, by their applicant).
"""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from residency.applications.models import Application
from residency.extensions import db
from residency.jury import blind, decisions, ranking, scoring
from residency.jury.models import Comment, CommentVisibility, PanelMember, RoundApplication
from residency.jury.record_models import DecisionStage, DiscussionMessage

METHOD_LABELS = {
    "mean": _l("Mean"),
    "zscore": _l("Per-juror z-score"),
    "calibrated": _l("Calibrated"),
}
METHOD_HELP = {
    "mean": _l("The weighted total averaged over the jurors who scored the application."),
    "zscore": _l("Each juror's totals standardised first (their mean and spread), then averaged: corrects "
                 "lenient and harsh jurors, roughly."),
    "calibrated": _l("Estimates together each application's quality and each juror's leniency, scale and noise, "
                     "shrinking jurors who scored few applications towards the panel and allowing for scores "
                     "piled at the ends of the scale. The interval is where the quality lies with 95% "
                     "probability under the model."),
}
TIE_BREAK = _l("Equal estimates are ordered by the narrower interval, then by more scores, then by the earlier "
               "application.")
ALPHA_MEANING = _l("Krippendorff's alpha measures how far the jurors agree beyond chance: 1 is full agreement, 0 "
                   "is what scoring at random would give; from about 0.67 the panel's scores can be relied on "
                   "with caution, from 0.8 with confidence.")


def criteria_of(call):
    """``(ids, weights, scales)`` of the call's rubric."""
    rubric = call.rubric or []
    return ([c.get("id") for c in rubric], [float(c.get("weight", 1)) for c in rubric],
            [(float(c.get("scale_min", 0)), float(c.get("scale_max", 10))) for c in rubric])


def round_rows(round_):
    """``[(application id, member id, values or None)]`` of the round's current sheets, values in
    the rubric's order. A sheet missing a criterion the rubric has since gained is left out."""
    ids, _weights, _scales = criteria_of(round_.call)
    rows = []
    for review in scoring.current_reviews(round_.id):
        if review.abstained:
            rows.append((review.application_id, review.member_id, None))
            continue
        values = {score.criterion_id: score.value for score in review.scores}
        if all(cid in values for cid in ids):
            rows.append((review.application_id, review.member_id, [values[cid] for cid in ids]))
    return rows


@dataclass
class Line:
    """One application of the chair's table."""

    application_id: int
    number: int
    name: str
    places: dict = field(default_factory=dict)     # method -> Ranked
    scores: int = 0
    abstentions: int = 0
    spread: float = 0.0
    disagreement: bool = False
    proposed: object = None                        # Decision
    final: object = None                           # Decision
    panel_comments: int = 0
    messages: int = 0

    @property
    def label(self):
        return blind.label_of(self.number)


@dataclass
class Table:
    round: object
    lines: list
    rankings: dict
    jurors: list          # [(member, Juror, words)]
    alpha: float | None
    scale: tuple

    @property
    def empty(self):
        return not any(line.scores for line in self.lines)


def table(round_):
    """The chair's :class:`Table` of the round: every application it covers, scored or not."""
    call = round_.call
    _ids, weights, scales = criteria_of(call)
    rows = round_rows(round_)
    rankings = {method: ranking.rank(rows, weights, scales, method) for method in ranking.METHODS} if weights else {}
    numbers = blind.label_numbers(round_)
    covered = db.session.execute(
        select(RoundApplication.application_id).where(RoundApplication.round_id == round_.id)).scalars().all()
    names = {} if round_.blind else applicant_names(covered)
    proposed = decisions.current_decisions(round_.id, DecisionStage.PROPOSED)
    final = decisions.current_decisions(round_.id, DecisionStage.FINAL)
    comments = _counts(select(Comment.application_id, func.count(Comment.id)).where(
        Comment.round_id == round_.id, Comment.visibility == CommentVisibility.PANEL), Comment.application_id)
    messages = _counts(select(DiscussionMessage.application_id, func.count(DiscussionMessage.id)).where(
        DiscussionMessage.round_id == round_.id), DiscussionMessage.application_id)
    lines = {app_id: Line(app_id, numbers.get(app_id, 0), names.get(app_id, ""), proposed=proposed.get(app_id),
                          final=final.get(app_id), panel_comments=comments.get(app_id, 0),
                          messages=messages.get(app_id, 0)) for app_id in covered}
    for app_id, _member, values in rows:
        if app_id in lines and values is None:
            lines[app_id].abstentions += 1
    for method, result in rankings.items():
        for entry in result.applications:
            line = lines.get(entry.application_id)
            if line is not None:
                line.places[method] = entry
                line.scores, line.spread, line.disagreement = entry.scores, entry.spread, entry.disagreement
    scale = (scales[0] if scales else (0.0, 10.0))
    alpha = ranking.agreement(rows, weights, scales) if weights else None
    return Table(round_, sorted(lines.values(), key=lambda line: line.number), rankings,
                 _jurors(rankings.get("calibrated"), scale), alpha, scale)


def _counts(query, column):
    return dict(db.session.execute(query.group_by(column)).tuples().all())


def applicant_names(application_ids):
    if not application_ids:
        return {}
    rows = db.session.execute(select(Application).where(Application.id.in_(application_ids))).scalars()
    return {application.id: application.owner.display_name for application in rows}


def _jurors(calibrated, scale):
    """``[(member, Juror, [sentences])]`` of the calibrated model, most lenient first."""
    if calibrated is None or not calibrated.jurors:
        return []
    members = {member.id: member for member in db.session.execute(
        select(PanelMember).where(PanelMember.id.in_([j.juror_id for j in calibrated.jurors]))).scalars()}
    width = scale[1] - scale[0]
    found = [(members[j.juror_id], j, juror_words(j, width)) for j in calibrated.jurors if j.juror_id in members]
    return sorted(found, key=lambda item: -item[1].leniency)


def juror_words(juror, width):
    """The calibrated model's reading of a juror, in sentences."""
    (leniency, points), (scale, ratio) = ranking.juror_traits(juror, width)
    words = []
    if leniency == "above":
        words.append(_l("Scores about %(points).1f points above the panel.", points=points))
    elif leniency == "below":
        words.append(_l("Scores about %(points).1f points below the panel.", points=points))
    else:
        words.append(_l("Scores about as high as the panel."))
    if scale == "narrower":
        words.append(_l("Uses a narrower range than the panel (×%(ratio).1f).", ratio=ratio))
    elif scale == "wider":
        words.append(_l("Uses a wider range than the panel (×%(ratio).1f).", ratio=ratio))
    if juror.scores < 5:
        words.append(_l("Few scores (%(n)d): the estimate leans on the panel's.", n=juror.scores))
    return words


def is_flagged_lenient(juror, width):
    """A juror the chair should know about: clearly lenient or harsh, or using an odd range."""
    (leniency, _points), (scale, _ratio) = ranking.juror_traits(juror, width)
    return leniency != "level" or scale != "same"


def sort_lines(lines, method, filters):
    """The table's lines sorted by ``method`` (best first; unscored last, by number), then kept by
    ``filters``: ``disagreement`` (only flagged), ``decision`` ("none", "proposed" or an outcome)."""
    def key(line):
        entry = line.places.get(method)
        return (0, entry.place) if entry is not None else (1, line.number)

    kept = sorted(lines, key=key)
    if filters.get("disagreement"):
        kept = [line for line in kept if line.disagreement]
    wanted = filters.get("decision")
    if wanted == "none":
        kept = [line for line in kept if line.final is None and line.proposed is None]
    elif wanted == "proposed":
        kept = [line for line in kept if line.proposed is not None and line.final is None]
    elif wanted:
        kept = [line for line in kept if line.final is not None and line.final.outcome == wanted]
    return kept
