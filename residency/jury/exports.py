"""Exports of a round for its chair and the call's coordinators, CSV and XLSX:

- **scores**: one row per current sheet (juror × application), a column per criterion of the
  rubric, the sheet's weighted total, abstentions with their reason;
- **ranking**: one row per application the round covers, with its place, estimate and 95%
  interval under each method (mean, z-score, calibrated), its scores, spread, disagreement flag,
  and the proposed and final decisions.

Applications are named by the round's pseudonym, and by their applicant when the round is not
blind (as on the chair's pages). Text that a spreadsheet would run as a formula is neutralised
(a leading ``'`` in CSV, a text cell in XLSX).
"""

import io

from flask_babel import gettext as _

from residency.applications.exports import XLSX_CELL_MAX, csv_chunks
from residency.jury import blind, deliberation, ranking, scoring
from residency.jury.decisions import OUTCOME_LABELS
from residency.jury.scoring_views import criteria


def _juror_name(member):
    return member.user.display_name if member.user else member.email


def scores_table(round_):
    """``(header, rows)`` of the round's current sheets."""
    shown = criteria(round_.call)
    ids, weights, scales = deliberation.criteria_of(round_.call)
    numbers = blind.label_numbers(round_)
    names = {} if round_.blind else deliberation.applicant_names(list(numbers))
    header = [_("Application")] + ([] if round_.blind else [_("Applicant")]) + [_("Juror"), _("Status")] + \
        [criterion["name"] for criterion in shown] + [_("Weighted total"), _("Reason for abstaining"),
                                                      _("Saved at (UTC)")]
    rows = []
    reviews = sorted(scoring.current_reviews(round_.id), key=lambda r: (numbers.get(r.application_id, 0), r.member_id))
    for review in reviews:
        values = {score.criterion_id: score.value for score in review.scores}
        total = ""
        if not review.abstained and weights and all(cid in values for cid in ids):
            data = ranking.prepare([(review.application_id, review.member_id, [values[c] for c in ids])], weights, scales)
            total = round(float(data.total[0]), 3)
        member = review_member(review)
        rows.append([str(blind.label_of(numbers.get(review.application_id, 0)))]
                    + ([] if round_.blind else [names.get(review.application_id, "")])
                    + [_juror_name(member) if member else "", _("abstained") if review.abstained else _("scored")]
                    + [values.get(cid, "") for cid in ids]
                    + [total, review.abstain_reason if review.abstained else "",
                       review.submitted_at.strftime("%Y-%m-%dT%H:%M:%SZ")])
    return header, rows


def review_member(review):
    from residency.extensions import db
    from residency.jury.models import PanelMember

    return db.session.get(PanelMember, review.member_id)


def ranking_table(round_):
    """``(header, rows)`` of the round's applications, sorted by the calibrated method."""
    table = deliberation.table(round_)
    header = [_("Application")] + ([] if round_.blind else [_("Applicant")])
    for method in ranking.METHODS:
        label = str(deliberation.METHOD_LABELS[method])
        header += [_("%(method)s: place", method=label), _("%(method)s: estimate", method=label),
                   _("%(method)s: interval low", method=label), _("%(method)s: interval high", method=label)]
    header += [_("Scores"), _("Abstentions"), _("Spread"), _("Jurors disagree"), _("Proposed decision"),
               _("Final decision"), _("Rationale")]
    rows = []
    for line in deliberation.sort_lines(table.lines, "calibrated", {}):
        row = [str(line.label)] + ([] if round_.blind else [line.name])
        for method in ranking.METHODS:
            entry = line.places.get(method)
            row += [entry.place, round(entry.estimate, 3), round(entry.low, 3), round(entry.high, 3)] if entry \
                else ["", "", "", ""]
        row += [line.scores, line.abstentions, round(line.spread, 3) if line.scores else "",
                _("yes") if line.disagreement else _("no"),
                str(OUTCOME_LABELS[line.proposed.outcome]) if line.proposed else "",
                str(OUTCOME_LABELS[line.final.outcome]) if line.final else "",
                line.final.rationale if line.final else ""]
        rows.append(row)
    return header, rows


def csv_body(header, rows):
    return csv_chunks(header, rows)


def xlsx_bytes(round_):
    """The workbook: a "Scores" sheet and a "Ranking" sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, (header, rows) in ((_("Scores"), scores_table(round_)), (_("Ranking"), ranking_table(round_))):
        sheet = workbook.create_sheet(title=str(title)[:31])
        cells = []
        for value in header:
            cell = _cell(sheet, str(value))
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)
        for row in rows:
            sheet.append([_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(sheet, value):
    """A write-only cell; text is always stored as text (never a formula)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if not isinstance(value, str):
        return WriteOnlyCell(sheet, value=value)
    text = ILLEGAL_CHARACTERS_RE.sub("", value)[:XLSX_CELL_MAX]
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    return cell
