"""The residencies' share of a user's personal data (the ``personal_data`` hook).

Export: the residencies the user took part in (title, city, role, when they joined and left), the
sessions they scheduled, their notices, and when their calendar feeds were made, read and revoked
(never a feed's address). Erase: their notices, calendar feeds and participations are deleted
(the cohort no longer lists them); the residencies, sessions and participations they created or
added keep existing without naming them.
"""

from flask_babel import lazy_gettext as _l

from residency.core.personal_data import PersonalDataPart
from residency.extensions import db
from residency.residencies.models import CalendarFeed, Notice, Participant, Residency, Session


def _iso(value):
    return value.isoformat() if value is not None else None


def export(user):
    """``{"participations", "sessions_scheduled", "notices", "calendar_feeds"}``; no files."""
    participations = db.session.execute(
        db.select(Participant, Residency).join(Residency, Residency.id == Participant.residency_id)
        .where(Participant.user_id == user.id).order_by(Participant.id)).all()
    sessions = db.session.execute(
        db.select(Session).where(Session.created_by_id == user.id).order_by(Session.id)).scalars()
    notices = db.session.execute(
        db.select(Notice).where(Notice.user_id == user.id).order_by(Notice.id)).scalars()
    feeds = db.session.execute(
        db.select(CalendarFeed, Participant.residency_id).join(Participant, Participant.id == CalendarFeed.participant_id)
        .where(Participant.user_id == user.id).order_by(CalendarFeed.id)).all()
    return {
        "participations": [
            {"residency": residency.title, "city": residency.city.name, "role": participant.role,
             "joined_at": _iso(participant.joined_at), "left_at": _iso(participant.left_at)}
            for participant, residency in participations],
        "sessions_scheduled": [
            {"residency_id": session.residency_id, "title": session.title, "kind": session.kind,
             "starts_at": _iso(session.starts_at), "ends_at": _iso(session.ends_at)} for session in sessions],
        "notices": [{"residency_id": notice.residency_id, "kind": notice.kind, "created_at": _iso(notice.created_at),
                     "read_at": _iso(notice.read_at)} for notice in notices],
        "calendar_feeds": [{"residency_id": residency_id, "created_at": _iso(feed.created_at),
                            "last_used_at": _iso(feed.last_used_at), "revoked_at": _iso(feed.revoked_at)}
                           for feed, residency_id in feeds],
    }, []


def erase(user):
    """Delete the user's notices, feeds and participations; unname what they created. Idempotent."""
    mine = db.select(Participant.id).where(Participant.user_id == user.id)
    db.session.execute(db.delete(CalendarFeed).where(CalendarFeed.participant_id.in_(mine)))
    db.session.execute(db.delete(Notice).where(Notice.user_id == user.id))
    db.session.execute(db.delete(Participant).where(Participant.user_id == user.id))
    db.session.execute(db.update(Participant).where(Participant.added_by_id == user.id).values(added_by_id=None))
    db.session.execute(db.update(Session).where(Session.created_by_id == user.id).values(created_by_id=None))
    db.session.execute(db.update(Residency).where(Residency.created_by_id == user.id).values(created_by_id=None))
    db.session.flush()


PART = PersonalDataPart(
    name="residencies", export=export, erase=erase,
    description=_l("The residencies you took part in, the sessions you scheduled, your notices and your "
                   "calendar feeds (without their addresses)."),
)
