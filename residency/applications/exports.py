"""Exports of a call's applications: CSV (streamed) and XLSX (openpyxl, write-only mode).

One row per listed application, from its *frozen* last submitted version: fixed columns
(application, applicant, e-mail, state, eligibility, submission time in UTC ISO 8601, version,
fingerprint), then one column per question of the call's form, in form order, headed by the
question's label in the call's main language. Multiple choices are joined with "; ", files are
written as "filename (sha256)".

Rows are read ``CHUNK`` at a time (a server-side cursor on PostgreSQL), so 20,000 applications
never sit in memory together; the XLSX sheet is written to a temporary file as it goes.

Spreadsheet formula injection: a text cell starting with ``= + - @``, a tab or a carriage return
is prefixed with ``'`` in the CSV, and stored as a string (never a formula) in the XLSX.
"""

import copy
from datetime import timezone

from flask_babel import gettext as _
from sqlalchemy import select

from residency.accounts.models import User
from residency.applications import listing
from residency.applications.models import Application, ApplicationVersion
from residency.applications.review_eligibility import ELIGIBILITY_LABELS, eligibility_key
from residency.applications.review_list import STATE_LABELS, filtered
from residency.extensions import db
from residency.media.models import MediaAsset

CHUNK = 500
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CELL_MAX = 32_767  # characters Excel keeps in a cell
CSV_MIMETYPE = "text/csv"  # Werkzeug adds "; charset=utf-8" to a text type given as mimetype
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def localized(texts, language, fallback=None):
    """``texts`` (``{lang: text}`` or a plain string) in ``language``, else ``fallback``, else any."""
    if isinstance(texts, str):
        return texts
    texts = texts or {}
    for lang in (language, fallback):
        if lang and texts.get(lang):
            return texts[lang]
    return next((value for value in texts.values() if value), "")


def _choice_label(question, value, language, fallback):
    for choice in question.get("choices") or []:
        if str(choice.get("value")) == str(value):
            return localized(choice.get("label"), language, fallback) or str(value)
    return str(value)


def _as_list(value):
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def answer_text(question, value, files, language, fallback=None):
    """One answer as text: choices by their label in ``language``, files as "name (sha256)".

    :param value: as frozen in the version (a file answer lists file records, or asset ids).
    :param files: ``{asset id (str): {"filename", "sha256"}}`` for file answers given as ids.
    """
    kind = question.get("type")
    if kind == "file":
        parts = []
        for item in _as_list(value):
            info = item if isinstance(item, dict) else files.get(str(item)) or {}
            name = info.get("filename") or f"#{info.get('id', item)}"
            parts.append(f"{name} ({info['sha256']})" if info.get("sha256") else name)
        return "; ".join(parts)
    if kind in ("multiple_choice", "single_choice"):
        return "; ".join(_choice_label(question, item, language, fallback) for item in _as_list(value))
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(str(item) for item in value)
    return str(value)


def asset_records(answer_sets, questions):
    """Names and hashes of files that answers give as bare asset ids (not as frozen records),
    from the media library in one query: ``{asset id (str): {"filename", "sha256"}}``."""
    file_questions = [q["id"] for q in questions if q.get("type") == "file" and q.get("id")]
    wanted = set()
    for answers in answer_sets:
        for question_id in file_questions:
            wanted.update(item for item in _as_list(answers.get(question_id)) if isinstance(item, int))
    if not wanted:
        return {}
    return {
        str(asset.id): {"filename": asset.original_filename, "sha256": asset.sha256 or ""}
        for asset in db.session.execute(
            select(MediaAsset.id, MediaAsset.original_filename, MediaAsset.sha256).where(MediaAsset.id.in_(wanted))
        )
    }


def answers_for_display(call, snapshot, language):
    """``[(label, type, text)]``: the version's answers in the form's order, labels in ``language``;
    answers to questions the form no longer has come last, with the label they were submitted with."""
    questions = call.form or []
    answers = listing.snapshot_answers(snapshot)
    files = asset_records([answers], questions)
    shown = [
        (localized(q.get("label"), language, call.main_language), q.get("type"),
         answer_text(q, answers.get(q.get("id")), files, language, call.main_language))
        for q in questions
    ]
    known = {q.get("id") for q in questions}
    for item in (snapshot or {}).get("answers") or []:
        if isinstance(item, dict) and item.get("id") not in known:
            shown.append((item.get("label") or item.get("id"), item.get("type"),
                          answer_text(item, item.get("value"), files, language, call.main_language)))
    return shown


def header(call):
    """The first row: fixed columns in the viewer's language, questions in the call's main language."""
    fixed = [_("Application"), _("Applicant"), _("E-mail address"), _("State"), _("Eligible"),
             _("Submitted at (UTC)"), _("Version"), _("Fingerprint (SHA-256)")]
    return fixed + [localized(q.get("label"), call.main_language) or q.get("id", "") for q in call.form or []]


def _utc_iso(value):
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def rows(call, filters):
    """The rows of the applications listed with ``filters``, oldest submission first: an iterator
    of lists of plain values, read ``CHUNK`` at a time as it is consumed.

    Everything it needs of ``call`` and of the request (the form, the language, the labels) is
    read now, as plain values; the database is read only while iterating, through the session
    current then. A streamed response iterates after its view has returned, when the request's
    session has been closed and ``call`` is detached from it (``stream_with_context`` gives the
    iteration its own session, closed when the body ends).
    """
    questions = copy.deepcopy(call.form or [])
    language = call.main_language
    state_labels = {key: str(label) for key, label in STATE_LABELS.items()}
    eligibility_labels = {key: str(label) for key, label in ELIGIBILITY_LABELS.items()}
    query = filtered(
        select(Application.id, Application.state, Application.eligible, User.display_name, User.email,
               ApplicationVersion.number, ApplicationVersion.submitted_at, ApplicationVersion.fingerprint,
               ApplicationVersion.snapshot)
        .join(User, User.id == Application.owner_id)
        .join(ApplicationVersion, listing.current_version_join())
        .where(listing.listed(call.id)),
        filters, call.id,
    ).order_by(Application.submitted_at.asc(), Application.id.asc())
    return _read_rows(query, questions, language, state_labels, eligibility_labels)


def _read_rows(query, questions, language, state_labels, eligibility_labels):
    result = db.session.execute(query.execution_options(yield_per=CHUNK))
    try:
        for chunk in result.partitions():
            answer_sets = [listing.snapshot_answers(row.snapshot) for row in chunk]
            files = asset_records(answer_sets, questions)
            for row, answers in zip(chunk, answer_sets):
                yield [
                    row.id, row.display_name, row.email, state_labels.get(row.state, row.state),
                    eligibility_labels[eligibility_key(row.eligible)], _utc_iso(row.submitted_at),
                    row.number, row.fingerprint or "",
                ] + [answer_text(q, answers.get(q.get("id")), files, language) for q in questions]
    finally:
        result.close()  # the server-side cursor, also when the download stops half-way


# --- CSV -----------------------------------------------------------------------------------------

def csv_safe(value):
    """A cell for a CSV file: text that a spreadsheet would run as a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _Line:
    """A file-like object that keeps the last line ``csv.writer`` wrote."""

    def __init__(self):
        self.value = ""

    def write(self, text):
        self.value = text


def csv_chunks(header_row, data_rows, lines_per_chunk=200):
    """Yield the CSV file as UTF-8 bytes: a BOM (spreadsheet apps then read UTF-8), the header,
    the rows, ``lines_per_chunk`` lines at a time."""
    import csv

    line = _Line()
    writer = csv.writer(line)
    buffer = ["\ufeff"]
    writer.writerow([csv_safe(cell) for cell in header_row])
    buffer.append(line.value)
    for index, data in enumerate(data_rows, start=1):
        writer.writerow([csv_safe(cell) for cell in data])
        buffer.append(line.value)
        if index % lines_per_chunk == 0:
            yield "".join(buffer).encode("utf-8")
            buffer = []
    if buffer:
        yield "".join(buffer).encode("utf-8")


# --- XLSX ----------------------------------------------------------------------------------------

def _xlsx_cell(sheet, value):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if len(text) > XLSX_CELL_MAX:
        text = text[: XLSX_CELL_MAX - 1] + "…"
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # openpyxl reads "=…" as a formula; this cell is text, whatever it holds
    return cell


def write_xlsx(header_row, data_rows, fileobj, title):
    """Write an XLSX workbook of one sheet to ``fileobj`` in write-only mode (flat memory)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    bold = Font(bold=True)
    cells = []
    for value in header_row:
        cell = _xlsx_cell(sheet, str(value))
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    for data in data_rows:
        sheet.append([_xlsx_cell(sheet, value) for value in data])
    workbook.save(fileobj)


def _sheet_title(title):
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in str(title)).strip()
    return (cleaned or "Sheet")[:31]
