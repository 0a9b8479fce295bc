"""Telling participants: an in-app notice and an e-mail in each recipient's language, with the
session's time in the recipient's own timezone and in the residency's.

Everything is written in the caller's transaction (notices, outbox rows): nothing is sent for a
change that is rolled back.
"""

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from residency.extensions import db
from residency.notifications.operations import queue_email
from residency.residencies.labels import KIND_LABELS, ROLE_LABELS
from residency.residencies.links import site_url
from residency.residencies.models import Notice, NoticeKind, Participant
from residency.residencies.zones import offset_text, span_text, zone_of

SESSION_ADDED = NoticeKind.SESSION_ADDED
SESSION_CHANGED = NoticeKind.SESSION_CHANGED
SESSION_CANCELLED = NoticeKind.SESSION_CANCELLED

SUBJECTS = {
    SESSION_ADDED: _l("New session in “%(residency)s”: %(title)s"),
    SESSION_CHANGED: _l("Session changed in “%(residency)s”: %(title)s"),
    SESSION_CANCELLED: _l("Session cancelled in “%(residency)s”: %(title)s"),
}

#: What a notice says, in the reader's language.
NOTICE_TEXTS = {
    SESSION_ADDED: _l("New session: %(title)s"),
    SESSION_CHANGED: _l("Session changed: %(title)s"),
    SESSION_CANCELLED: _l("Session cancelled: %(title)s"),
    NoticeKind.JOINED: _l("You were added to “%(residency)s”"),
}


def notice_text(notice):
    return NOTICE_TEXTS[notice.kind] % {"title": notice.session.title if notice.session else "",
                                        "residency": notice.residency.title}


def _recipients(residency_id, except_user_id=None):
    query = db.select(Participant).where(Participant.residency_id == residency_id, Participant.left_at.is_(None))
    return [participant for participant in db.session.execute(query).scalars()
            if participant.user_id != except_user_id and participant.user.is_active]


def times_for(session, user):
    """The session's times as ``user`` reads them: in their zone, and in the residency's when it
    differs; in their language."""
    zone, home = zone_of(user), session.residency.timezone
    locale = user.locale or "en"
    mine = f"{span_text(session.starts_at, session.ends_at, zone, locale)} ({zone}, {offset_text(session.starts_at, zone)})"
    if zone == home:
        return mine, None
    theirs = f"{span_text(session.starts_at, session.ends_at, home, locale)} ({home}, {offset_text(session.starts_at, home)})"
    return mine, theirs


def session_event(session, kind, actor):
    """Notify every active participant but ``actor`` that ``session`` was added, changed or cancelled."""
    residency = session.residency
    for participant in _recipients(residency.id, except_user_id=getattr(actor, "id", None)):
        user = participant.user
        db.session.add(Notice(user_id=user.id, residency_id=residency.id, session_id=session.id, kind=kind))
        with force_locale(user.locale or "en"):
            mine, theirs = times_for(session, user)
            kind_label = str(KIND_LABELS[session.kind])
        queue_email(user.email, "residency_session", SUBJECTS[kind] % {"residency": residency.title,
                                                                       "title": session.title},
                    user=user, event=kind, residency=residency, session=session, kind_label=kind_label,
                    my_time=mine, residency_time=theirs,
                    page_url=site_url("residencies.residency", residency_id=residency.id),
                    ics_url=site_url("residencies.session_ics", residency_id=residency.id, session_id=session.id))
    db.session.flush()


def participant_added(residency, participant):
    """Tell a new participant they are in the residency (notice and e-mail)."""
    user = participant.user
    db.session.add(Notice(user_id=user.id, residency_id=residency.id, kind=NoticeKind.JOINED))
    with force_locale(user.locale or "en"):
        role = str(ROLE_LABELS[participant.role])
    queue_email(user.email, "residency_added", _l("You take part in the residency “%(residency)s”",
                                                  residency=residency.title),
                user=user, residency=residency, role=role,
                page_url=site_url("residencies.residency", residency_id=residency.id))
    db.session.flush()


# Reading ----------------------------------------------------------------------------------------

def unread_count(user):
    if user is None or not user.is_authenticated:
        return 0
    return db.session.scalar(_of_my_residencies(db.select(db.func.count(Notice.id)), user).where(
        Notice.read_at.is_(None))) or 0


def _of_my_residencies(query, user):
    """``query`` limited to ``user``'s notices of residencies they still take part in."""
    return query.join(Participant, (Participant.residency_id == Notice.residency_id)
                      & (Participant.user_id == Notice.user_id)).where(
        Notice.user_id == user.id, Participant.left_at.is_(None))


def notices_of(user, residency_id=None, limit=50):
    """``user``'s latest notices of the residencies they take part in (of one when given), newest first."""
    query = _of_my_residencies(db.select(Notice), user)
    if residency_id is not None:
        query = query.where(Notice.residency_id == residency_id)
    return db.session.execute(query.order_by(Notice.created_at.desc(), Notice.id.desc()).limit(limit)).scalars().all()


def mark_read(user, now, residency_id=None):
    """Mark ``user``'s unread notices (of one residency when given) read; returns how many."""
    query = db.update(Notice).where(Notice.user_id == user.id, Notice.read_at.is_(None))
    if residency_id is not None:
        query = query.where(Notice.residency_id == residency_id)
    return db.session.execute(query.values(read_at=now)).rowcount
