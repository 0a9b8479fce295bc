"""The coordinators' network-wide report of screenings: tables, a chart drawn on the server (SVG,
no script), and a CSV export."""

from flask import current_app, render_template, request
from flask_login import login_required

from residency.core.permissions import require
from residency.festivals import screenings
from residency.festivals.blueprint import bp
from residency.storage.base import content_disposition


def _year():
    text = request.args.get("year", "")
    return int(text) if text.isascii() and text.isdigit() and 1900 <= int(text) <= 2200 else None


@bp.route("/report")
@login_required
def report():
    require("festivals.report")
    year = _year()
    shown = screenings.all_screenings(year)
    tables = screenings.report(shown)
    return render_template("festivals/report.html", tables=tables, chart=screenings.chart_bars(tables["per_month"]),
                           year=year)


@bp.route("/report.csv")
@login_required
def report_csv():
    require("festivals.report")
    body = screenings.report_csv(screenings.all_screenings(_year()))
    response = current_app.response_class(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = content_disposition("screenings.csv")
    response.headers["Cache-Control"] = "private, no-store"
    return response
