"""Screenings: programmers record where an approved work was shown; the artist sees it; the
coordinators read the network's report (per city, per festival, a chart per month drawn on the
server, and a CSV export)."""

import csv
import io
from datetime import date, timedelta

import pytest

from residency.extensions import db
from residency.festivals.models import Screening
from tests.festivals.support import approved_request


@pytest.fixture
def approved(programmer, artist, work, edition):
    return approved_request(programmer, artist, work, edition)


def record(client, festival, work, city, **fields):
    data = {"work": work.id, "edition": 0, "screened_on": (date.today() - timedelta(days=1)).isoformat(),
            "venue": "Deep Space 8K", "city": city.id, "audience": "120"}
    data.update(fields)
    return client.post_form(f"/festivals/{festival.id}/screenings", data)


def test_programmer_records_and_artist_sees(client, login_as, programmer, artist, approved, work, festival,
                                            other_city):
    login_as(programmer)
    assert record(client, festival, work, other_city).status_code == 303
    screening = db.session.execute(db.select(Screening)).scalar_one()
    assert (screening.venue, screening.audience, screening.recorded_by_id) == ("Deep Space 8K", 120, programmer.id)
    login_as(artist)
    page = client.get("/festivals/mine").get_data(as_text=True)
    assert "Deep Space 8K" in page and "Linz" in page


@pytest.mark.parametrize("fields", [
    {"screened_on": (date.today() + timedelta(days=3)).isoformat()},
    {"venue": ""},
    {"audience": "-4"},
    {"audience": "many"},
])
def test_bad_screenings_are_refused(client, login_as, programmer, approved, work, festival, city, fields):
    login_as(programmer)
    assert record(client, festival, work, city, **fields).status_code == 400
    assert db.session.execute(db.select(Screening)).first() is None


def test_only_approved_works_of_ones_own_festival(client, login_as, programmer, other_programmer, artist, make_work,
                                                  approved, festival, city):
    unapproved = make_work(artist, title="Not asked for")
    login_as(programmer)
    assert record(client, festival, unapproved, city).status_code == 400
    login_as(other_programmer)
    assert record(client, festival, approved.work, city).status_code == 404
    assert db.session.execute(db.select(Screening)).first() is None


def test_network_report_with_chart_and_csv(client, login_as, programmer, coordinator, artist, approved, work, festival,
                                           city, other_city):
    login_as(programmer)
    record(client, festival, work, other_city, screened_on="2026-03-02", audience="80")
    record(client, festival, work, city, screened_on="2026-04-15", venue="=HYPERLINK(\"http://x\")", audience="")
    assert client.get("/festivals/report").status_code == 403
    login_as(coordinator)
    page = client.get("/festivals/report").get_data(as_text=True)
    assert "<svg" in page and "<script" not in page.split("<main", 1)[1].split("</main>", 1)[0]
    assert "2026-03: 1." in page and "2026-04: 1." in page
    assert "Linz" in page and "Lyon" in page and "Ars Electronica Festival" in page
    export = client.get("/festivals/report.csv")
    assert export.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True))))
    assert rows[0][:4] == ["date", "work", "artist", "festival"]
    assert [r[0] for r in rows[1:]] == ["2026-03-02", "2026-04-15"]
    assert rows[2][5].startswith("'=")  # no formula for a spreadsheet to run
    assert len(list(csv.reader(io.StringIO(client.get("/festivals/report.csv?year=2025").get_data(as_text=True))))) == 1
