"""Screenings recorded by programmers, and the network-wide report of where works were shown."""

import csv
import io
from collections import Counter, defaultdict
from datetime import date

from flask_babel import lazy_gettext as _l

from residency.audit.operations import record
from residency.core.errors import ActionRefused
from residency.extensions import db
from residency.festivals.models import RequestState, RightsRequest, Screening

MAX_AUDIENCE = 10_000_000


def record_screening(actor, festival, work, *, screened_on, venue, city_id, edition=None, audience=None):
    """A programmer records that ``work`` was shown by ``festival``.

    :raise ActionRefused: the work was never approved for the festival, a date in the future, no
        venue, an audience that is not a count of people.
    """
    approved = db.session.execute(db.select(RightsRequest.id).where(
        RightsRequest.work_id == work.id, RightsRequest.festival_id == festival.id,
        RightsRequest.state == RequestState.APPROVED)).first()
    if approved is None:
        raise ActionRefused(_l("Only a work approved for this festival can be recorded as shown."), field="work")
    if screened_on > date.today():
        raise ActionRefused(_l("Record a screening once it has taken place."), field="screened_on")
    if not (venue or "").strip():
        raise ActionRefused(_l("Name the venue."), field="venue")
    if audience is not None and not 0 <= audience <= MAX_AUDIENCE:
        raise ActionRefused(_l("The audience is a number of people."), field="audience")
    if edition is not None and edition.festival_id != festival.id:
        raise ActionRefused(_l("Choose one of the festival's editions."), field="edition")
    screening = Screening(festival_id=festival.id, edition_id=edition.id if edition else None, work_id=work.id,
                          screened_on=screened_on, venue=venue.strip()[:200], city_id=city_id, audience=audience,
                          recorded_by_id=actor.id)
    db.session.add(screening)
    db.session.flush()
    record("festival.screening_recorded", actor, screening, work_id=work.id, festival_id=festival.id)
    return screening


def approved_works(festival):
    """The works approved for ``festival`` (what it may record as shown), by title."""
    from residency.media.models import Work

    approved = db.select(RightsRequest.work_id).where(RightsRequest.festival_id == festival.id,
                                                      RightsRequest.state == RequestState.APPROVED)
    return db.session.execute(db.select(Work).where(Work.id.in_(approved)).order_by(Work.title)).scalars().all()


def screenings_of_festival(festival):
    return db.session.execute(db.select(Screening).where(Screening.festival_id == festival.id)
                              .order_by(Screening.screened_on.desc(), Screening.id.desc())).scalars().all()


def screenings_of_artist(user):
    from residency.media.models import Work

    return db.session.execute(db.select(Screening).join(Work, Work.id == Screening.work_id)
                              .where(Work.owner_id == user.id)
                              .order_by(Screening.screened_on.desc(), Screening.id.desc())).scalars().all()


def all_screenings(year=None):
    query = db.select(Screening).order_by(Screening.screened_on, Screening.id)
    if year:
        query = query.where(Screening.screened_on >= date(year, 1, 1), Screening.screened_on <= date(year, 12, 31))
    return db.session.execute(query).scalars().all()


def report(screenings):
    """The report's tables: screenings per city, per festival, and per month (for the chart)."""
    per_city = Counter(s.city.name for s in screenings)
    per_festival = Counter(s.festival.name for s in screenings)
    per_month = Counter(s.screened_on.strftime("%Y-%m") for s in screenings)
    works = defaultdict(set)
    for s in screenings:
        works[s.city.name].add(s.work_id)
    return {
        "per_city": sorted(((city, n, len(works[city])) for city, n in per_city.items()), key=lambda r: (-r[1], r[0])),
        "per_festival": sorted(per_festival.items(), key=lambda r: (-r[1], r[0])),
        "per_month": sorted(per_month.items()),
        "total": len(screenings),
        "audience": sum(s.audience or 0 for s in screenings),
    }


def chart_bars(per_month, width=640, height=220, margin=36):
    """The bars of the per-month chart, as coordinates for a server-drawn SVG (no script)."""
    if not per_month:
        return {"bars": [], "width": width, "height": height, "max": 0}
    top = max(n for _month, n in per_month)
    slot = (width - 2 * margin) / len(per_month)
    usable = height - 2 * margin
    bars = []
    for index, (month, n) in enumerate(per_month):
        bar_height = usable * n / top
        bars.append({"month": month, "count": n, "x": round(margin + index * slot + slot * 0.15, 1),
                     "width": round(slot * 0.7, 1), "y": round(height - margin - bar_height, 1),
                     "height": round(bar_height, 1), "label_x": round(margin + index * slot + slot / 2, 1)})
    return {"bars": bars, "width": width, "height": height, "max": top, "baseline": height - margin}


CSV_HEADER = ("date", "work", "artist", "festival", "edition", "venue", "city", "country", "audience")


def _cell(value):
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def report_csv(screenings):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for s in screenings:
        writer.writerow([_cell(v) for v in (s.screened_on.isoformat(), s.work.title, s.work.owner.display_name,
                                            s.festival.name, s.edition.name if s.edition else "", s.venue,
                                            s.city.name, s.city.country, s.audience)])
    return out.getvalue()
