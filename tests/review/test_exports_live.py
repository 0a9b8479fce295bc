"""The exports through a real server (gunicorn, PostgreSQL): the whole streamed CSV and the XLSX
of a call with a question of every type and 1,000 applications, as a coordinator downloads them.

The Flask test client keeps the test's database session open around the request; a real server
ends the request's session before it sends a streamed body, so only this shows what the
coordinator's browser receives.
"""

import csv
import io
import json
import subprocess
import sys

import pytest

from tests import services
from tests.live.stack import ROOT, Browser, Stack
from tests.review.live_export_data import (
    APPLICATIONS,
    FORMULAS,
    PASSWORD,
    SPECS,
    answers_for,
    email_for,
    files_for,
    name_for,
    submitted_at,
)

FIXED = ["Application", "Applicant", "E-mail address", "State", "Eligible", "Submitted at (UTC)", "Version",
         "Fingerprint (SHA-256)"]
LABELS = [spec["label"] for spec in SPECS.values()]
ELIGIBLE = ("Eligible", "Not eligible", "Not checked yet")  # as the data gives True, False, None in turn


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A running stack on its own PostgreSQL database, filled by ``live_export_data``."""
    url = services.create_postgres_database("residency_export")
    stack = Stack(tmp_path_factory.mktemp("export") / "data", env={"DATABASE_URL": url}, worker=False)
    try:
        stack.start()
        filled = subprocess.run([sys.executable, "-m", "tests.review.live_export_data"], cwd=ROOT, env=stack.env,
                                check=False, capture_output=True, text=True, timeout=600)
        assert filled.returncode == 0, filled.stderr[-3000:]
        yield stack, json.loads(filled.stdout.strip().splitlines()[-1])
    finally:
        stack.stop()
        services.drop_postgres_database(url)


def logged_in(stack, email):
    browser = Browser(stack.url)
    browser.headers["Accept-Language"] = "en"
    response = browser.submit("/login", {"email": email, "password": PASSWORD}, allow_redirects=False)
    assert response.status_code == 302, response.text[:1000]
    return browser


@pytest.fixture(scope="module")
def coordinator(exported):
    stack, info = exported
    return logged_in(stack, info["people"]["coordinator"])


def export_url(info, extension):
    return f"/manage/calls/{info['call_id']}/applications/export.{extension}"


def expected_answers(n):
    """The answer columns of application ``n``: choices by their French label, files as "name (sha256)"."""
    given = answers_for(n)
    return [
        given["short_text"],
        given["long_text"],
        "" if n == 4 else ("En ligne" if n % 2 == 0 else "Hybride"),
        "" if n == 4 else ("Son; Jeux" if n % 2 == 0 else "Vidéo"),
        given["url"],
        given["date"],
        "; ".join(f"{name} ({digest})" for name, digest in files_for(n)),
    ]


def expected_row(info, n):
    """Application ``n``'s row as written, before the CSV's formula guard."""
    return [info["application_ids"][n], name_for(n), email_for(n), "Submitted", ELIGIBLE[n % 3],
            submitted_at(n).strftime("%Y-%m-%dT%H:%M:%SZ"), 1, info["fingerprints"][n], *expected_answers(n)]


def guarded(value):
    """What the CSV promises for a cell: text a spreadsheet would run gets a leading '."""
    text = str(value)
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def test_csv_streams_every_application_with_every_kind_of_answer(exported, coordinator):
    """The CSV (UTF-8 with a BOM) streams to the end through the real server: a header with every
    question's label, then the 1,000 submitted applications oldest first (not the draft), each with
    its answers to every kind of question; formula-like text comes out prefixed with '."""
    stack, info = exported

    response = coordinator.get(export_url(info, "csv"), stream=True)
    body = response.content  # the whole body: a failure while streaming breaks the chunked encoding

    assert response.status_code == 200, stack.logs()
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="export-call-applications-')
    assert "Content-Length" not in response.headers  # streamed, not built in memory first
    assert body.startswith("\ufeff".encode())
    header, *rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert len(rows) + 1 == APPLICATIONS + 1
    assert header == FIXED + LABELS
    assert [int(row[0]) for row in rows] == info["application_ids"]
    assert str(info["draft_id"]) not in {row[0] for row in rows}
    for n, row in enumerate(rows):
        assert row == [guarded(value) for value in expected_row(info, n)], n

    assert rows[0][8] == "'" + FORMULAS[0] and rows[1][8] == "'+33 6 12 34 56 78"
    assert rows[2][8] == "'@SUM(A1:A9)" and rows[3][8] == "'-1+2"
    assert rows[5][1] == "'=cmd|' /C calc'!A0"
    assert rows[6][1] == "Zoë Łukasiewicz 李 6" and rows[6][9].endswith("Deuxième ligne : 李 6")
    assert rows[4][10:14] == ["", "", "", ""]  # optional questions left unanswered
    assert rows[3][14] == f"dossier-3.pdf ({files_for(3)[0][1]}); extrait-3.mp4 ({files_for(3)[1][1]})"


def open_transactions(database_url):
    """How many connections to the database sit inside a transaction (holding its snapshot)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(services.postgres_url())
    try:
        with engine.connect() as connection:
            return connection.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = :name AND state LIKE 'idle in transaction%'"
            ), {"name": make_url(database_url).database}).scalar_one()
    finally:
        engine.dispose()


def test_csv_can_be_downloaded_again_and_the_server_keeps_serving(exported, coordinator):
    """Each download is complete and ends its transaction with its body (the first must not leave
    the next one, or another page, broken)."""
    stack, info = exported

    first = coordinator.get(export_url(info, "csv") + "?eligible=yes").content
    assert open_transactions(stack.env["DATABASE_URL"]) == 0
    second = coordinator.get(export_url(info, "csv") + "?eligible=yes")

    assert second.status_code == 200 and second.content == first
    rows = list(csv.reader(io.StringIO(first.decode("utf-8-sig"), newline="")))[1:]
    assert [int(row[0]) for row in rows] == [i for n, i in enumerate(info["application_ids"]) if n % 3 == 0]
    listing = coordinator.get(f"/manage/calls/{info['call_id']}/applications")
    assert listing.status_code == 200 and "artist999@example.org" in listing.text
    assert "Traceback" not in (stack.data_dir / "web1.log").read_text()


def test_xlsx_holds_every_application_as_typed_cells(exported, coordinator):
    """The XLSX has the same header and the same 1,000 rows; ids and versions are numbers, and
    formula-like answers are text cells holding exactly what was written."""
    from openpyxl import load_workbook

    _stack, info = exported

    response = coordinator.get(export_url(info, "xlsx"))

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "export-call-applications-" in disposition
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *rows = list(sheet.iter_rows())
    assert [cell.value for cell in header] == FIXED + LABELS
    assert len(rows) == APPLICATIONS
    for n, row in enumerate(rows):
        assert [cell.value if cell.value is not None else "" for cell in row] == expected_row(info, n), n
    for n in FORMULAS:
        assert rows[n][8].value == FORMULAS[n] and rows[n][8].data_type == "s"
    assert rows[5][1].value == "=cmd|' /C calc'!A0" and rows[5][1].data_type == "s"
    assert rows[6][1].value == "Zoë Łukasiewicz 李 6"


@pytest.mark.parametrize("who", ["juror", "linz_coordinator", "artist", "anonymous"])
def test_people_who_do_not_run_the_call_get_no_export(exported, who):
    """The call's jurors, another city's coordinators and applicants (even of this call) are
    refused (403) with no data; a visitor who is not logged in is sent to log in."""
    stack, info = exported
    if who == "anonymous":
        browser = Browser(stack.url)
    else:
        browser = logged_in(stack, info["artist"] if who == "artist" else info["people"][who])

    for extension in ("csv", "xlsx"):
        response = browser.get(export_url(info, extension), allow_redirects=False)
        if who == "anonymous":
            assert response.status_code == 302 and "/login" in response.headers["Location"]
        else:
            assert response.status_code == 403, extension
        assert "attachment" not in response.headers.get("Content-Disposition", "")
        assert email_for(1) not in response.text and "dossier-1.pdf" not in response.text
