"""Reading an artist's distribution terms: whether they cover a festival's request."""

from flask_babel import lazy_gettext as _l

from residency.extensions import db
from residency.festivals.models import Terms


def terms_of(work):
    return db.session.execute(db.select(Terms).where(Terms.work_id == work.id)).scalar_one_or_none()


def terms_problem(terms, festival, edition, use):
    """Why ``terms`` do not cover ``use`` at ``edition`` of ``festival`` (a message), or None."""
    if terms is None:
        return None
    if not terms.all_festivals and festival.id not in (terms.festival_ids or []):
        return _l("The artist's terms do not include this festival.")
    if edition.starts_on < terms.starts_on or edition.ends_on > terms.ends_on:
        return _l("The artist's terms do not cover the dates of this edition.")
    if use == "screening" and not terms.screening or use == "exhibition" and not terms.exhibition:
        return _l("The artist's terms do not allow this use.")
    if terms.territories and festival.city.country not in terms.territories:
        return _l("The artist's terms do not cover the festival's country.")
    return None
