"""E-mail reminders to jurors with unscored work before a round's scoring closes.

At each threshold (:data:`THRESHOLDS_HOURS` before ``scoring_closes_at``: 3 days, then 1 day), a
juror who still has applications to score in a round in scoring gets one e-mail, in their
language, with their count and the deadline in their timezone and the call's. A
:class:`~residency.jury.models.Reminder` row per (round, juror, threshold) makes it happen once:
a reminder sent late (the round opened 2 days before closing, the beat was down) covers the
thresholds already passed, so a juror never gets two e-mails at once. Rounds are locked while
handled (``FOR UPDATE SKIP LOCKED``): two beats running together do not both send.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime
from flask_babel import lazy_ngettext
from sqlalchemy import select

from residency.audit.operations import record
from residency.calls.operations import public_url
from residency.core.types import utcnow
from residency.extensions import db
from residency.jury import scoring
from residency.jury.models import (
    Assignment,
    MemberStatus,
    PanelMember,
    Reminder,
    Round,
    RoundPhase,
)
from residency.notifications.operations import queue_email

#: Hours before scoring closes at which jurors with unscored work are reminded, earliest first.
THRESHOLDS_HOURS = (72, 24)


def _zone(name):
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):  # an unknown zone stored long ago: UTC, not no reminder
        return ZoneInfo("UTC")


def _when(moment, zone, language):
    return format_datetime(moment, "full", tzinfo=_zone(zone), locale=language)


def due_rounds(now):
    """Rounds in scoring that close within the largest threshold and have not closed, locked."""
    horizon = now + timedelta(hours=max(THRESHOLDS_HOURS))
    return db.session.execute(
        select(Round).where(Round.phase == RoundPhase.SCORING, Round.scoring_closes_at.is_not(None),
                            Round.scoring_closes_at > now, Round.scoring_closes_at <= horizon)
        .order_by(Round.id).with_for_update(skip_locked=True)
    ).scalars().all()


def send_reminders(now=None):
    """Queue the reminders due ``now``. Idempotent; the caller commits.

    :return: ``[(round id, member id, hours before)]`` of the e-mails queued.
    """
    now = now or utcnow()
    sent = []
    for round_ in due_rounds(now):
        passed = [hours for hours in THRESHOLDS_HOURS if now >= round_.scoring_closes_at - timedelta(hours=hours)]
        if not passed:
            continue
        hours = min(passed)
        members = db.session.execute(
            select(PanelMember).where(
                PanelMember.status == MemberStatus.ACTIVE,
                PanelMember.id.in_(select(Assignment.member_id).where(
                    Assignment.round_id == round_.id, Assignment.removed_at.is_(None),
                    Assignment.confirmed_at.is_not(None))))
            .order_by(PanelMember.id)
        ).scalars().all()
        for member in members:
            done = set(db.session.execute(select(Reminder.hours_before).where(
                Reminder.round_id == round_.id, Reminder.member_id == member.id)).scalars())
            if hours in done or member.user is None:
                continue
            left = scoring.member_progress(member, round_.id).missing
            if left <= 0:
                continue
            _remind(round_, member, left, now)
            db.session.add_all(Reminder(round_id=round_.id, member_id=member.id, hours_before=h, unscored=left,
                                        sent_at=now) for h in passed if h not in done)
            db.session.flush()
            sent.append((round_.id, member.id, hours))
    return sent


def _remind(round_, member, left, now):
    user, call = member.user, round_.call
    language = user.locale or member.language or "en"
    title = call.text("title", language)
    queue_email(
        user.email, "jury_score_reminder",
        lazy_ngettext("Reminder: %(num)d application left to score for “%(call)s”",
                      "Reminder: %(num)d applications left to score for “%(call)s”", left, call=title),
        user=user, locale=language, left=left, round_name=round_.name, call_title=title,
        when=_when(round_.scoring_closes_at, user.timezone, language), zone=user.timezone or "UTC",
        call_when=_when(round_.scoring_closes_at, call.timezone, language), call_zone=call.timezone or "UTC",
        link=public_url("jury.round_applications", round_id=round_.id),
    )
    record("jury.reminder_sent", actor=None, obj=round_, member_id=member.id, unscored=left)
