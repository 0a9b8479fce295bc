"""Exports of the answers: CSV and XLSX, from the frozen submitted versions, safe to open."""

import csv
import io
from datetime import datetime, timezone

import pytest

from residency.audit.models import AuditEntry
from tests.review.conftest import FORM


@pytest.fixture
def exported_call(make_call, make_application, make_asset, make_user):
    """A call written in French with three submitted applications and a draft."""
    call = make_call(main_language="fr", texts={"fr": {"title": "Résidence"}})
    zoe = make_user(name="Zoë Łukasiewicz 李", email="zoe@example.org")
    make_application(
        call, owner=zoe, versions=2, eligible=True,
        submitted_at=datetime(2026, 3, 2, 14, 30, 5, tzinfo=timezone.utc),
        answers={"statement": "=HYPERLINK(\"http://evil.example\",\"click\")", "disciplines": ["sound", "games"],
                 "format": "hybrid", "website": "https://zoe.example"},
        files=[make_asset(zoe, "reel.mp4", content="reel"), make_asset(zoe, "cv.pdf", content="cv")],
        live_answers={"statement": "A draft nobody should see"},
    )
    make_application(call, owner=make_user(name="@admin", email="at@example.org"), state="withdrawn",
                     answers={"statement": "-2+3", "disciplines": []})
    make_application(call, owner=make_user(name="Plain Name", email="plain@example.org"), eligible=False,
                     answers={"statement": "Line one\nLine two, with a comma"})
    make_application(call, owner=make_user(name="Drafty", email="draft@example.org"), state="draft")
    return call


def read_csv(response):
    data = response.get_data()
    assert data.startswith("\ufeff".encode("utf-8"))  # the BOM spreadsheet apps need for UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_has_one_row_per_application_and_one_column_per_question(client, login_as, coordinator, exported_call):
    """The CSV lists each submitted application's last version, questions in form order with their
    labels in the call's main language; drafts and live drafts are left out."""
    login_as(coordinator)

    response = client.get(f"/manage/calls/{exported_call.id}/applications/export.csv")

    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header == ["Application", "Applicant", "E-mail address", "State", "Eligible", "Submitted at (UTC)",
                      "Version", "Fingerprint (SHA-256)"] + [q["label"]["fr"] for q in FORM]
    assert header[-5:] == ["Démarche artistique", "Disciplines", "Format", "Site web", "Portfolio"]
    by_email = {row[2]: dict(zip(header, row)) for row in rows}
    assert set(by_email) == {"zoe@example.org", "at@example.org", "plain@example.org"}
    zoe = by_email["zoe@example.org"]
    assert zoe["Applicant"] == "Zoë Łukasiewicz 李"
    assert zoe["Submitted at (UTC)"] == "2026-03-02T14:30:05Z"
    assert zoe["Version"] == "2" and len(zoe["Fingerprint (SHA-256)"]) == 64
    assert zoe["Eligible"] == "Eligible" and zoe["State"] == "Submitted"
    assert zoe["Disciplines"] == "Son; Jeux" and zoe["Format"] == "Hybride" and zoe["Site web"] == "https://zoe.example"
    assert zoe["Portfolio"].startswith("reel.mp4 (") and "; cv.pdf (" in zoe["Portfolio"]
    assert "A draft nobody should see" not in response.get_data(as_text=True)
    assert by_email["plain@example.org"]["Démarche artistique"] == "Line one\nLine two, with a comma"
    assert by_email["at@example.org"]["State"] == "Withdrawn"


def test_csv_cells_cannot_run_as_formulas(client, login_as, coordinator, exported_call):
    """Text starting with = + - @ is written with a leading ' so a spreadsheet shows it as text."""
    login_as(coordinator)

    header, *rows = read_csv(client.get(f"/manage/calls/{exported_call.id}/applications/export.csv"))

    by_email = {row[2]: dict(zip(header, row)) for row in rows}
    assert by_email["zoe@example.org"]["Démarche artistique"] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert by_email["at@example.org"]["Applicant"] == "'@admin"
    assert by_email["at@example.org"]["Démarche artistique"] == "'-2+3"
    assert by_email["plain@example.org"]["Applicant"] == "Plain Name"


def test_csv_export_keeps_the_list_filters_and_is_audited(client, db, login_as, coordinator, exported_call):
    """The download follows the list's filters; each export is recorded in the audit log."""
    login_as(coordinator)

    _header, *rows = read_csv(client.get(f"/manage/calls/{exported_call.id}/applications/export.csv?eligible=no"))

    assert [row[2] for row in rows] == ["plain@example.org"]
    entry = db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "call.applications_exported")).scalar_one()
    assert entry.actor_id == coordinator.id and entry.data == {"format": "csv", "filters": {"eligible": "no"}}


def test_xlsx_holds_the_same_answers_as_text_never_formulas(client, login_as, coordinator, exported_call):
    """The XLSX workbook has the same rows; a formula-like answer is stored as a string cell."""
    from openpyxl import load_workbook

    login_as(coordinator)

    response = client.get(f"/manage/calls/{exported_call.id}/applications/export.xlsx")

    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    header = [cell.value for cell in sheet[1]]
    assert header[5] == "Submitted at (UTC)" and header[-5] == "Démarche artistique"
    rows = {row[2].value: row for row in sheet.iter_rows(min_row=2)}
    assert set(rows) == {"zoe@example.org", "at@example.org", "plain@example.org"}
    statement = rows["zoe@example.org"][header.index("Démarche artistique")]
    assert statement.value == "=HYPERLINK(\"http://evil.example\",\"click\")" and statement.data_type == "s"
    assert rows["at@example.org"][1].value == "@admin" and rows["at@example.org"][1].data_type == "s"
    assert rows["zoe@example.org"][1].value == "Zoë Łukasiewicz 李"
    assert rows["zoe@example.org"][header.index("Disciplines")].value == "Son; Jeux"
    assert rows["zoe@example.org"][0].value == int(rows["zoe@example.org"][0].value)  # ids stay numbers
