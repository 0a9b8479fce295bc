"""Coordinators' messages to the applicants of a call (one application, or all of them).

Each message is an ``ApplicationMessage`` row and an e-mail to the owner and accepted
co-applicants, each in their own language; a coordinator's repeated or too frequent messages are
refused. Nothing here reads ``request`` or commits.
"""

import logging
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import aliased, defer, joinedload, selectinload

from residency.accounts.models import User
from residency.applications.listing import listed
from residency.applications.models import Application, ApplicationMember, ApplicationMessage, ApplicationState
from residency.applications.review_list import PAGE_SIZE, Page
from residency.audit.operations import record
from residency.core.errors import ActionRefused
from residency.core.types import utcnow
from residency.extensions import db
from residency.notifications.operations import queue_email

log = logging.getLogger(__name__)

SUBJECT_MAX_LENGTH = 200
BODY_MAX_LENGTH = 10_000
#: Messages to every applicant of one call in 24 hours: each reaches hundreds of inboxes.
BROADCASTS_PER_DAY = 5
#: The same message to the same people again within this time is a double click, not a message.
REPEAT_WINDOW = timedelta(minutes=10)


def recipients(call, application=None):
    """``[(address, user)]``: the owners and accepted co-applicants of the call's submitted
    applications (or of ``application`` only), each person once, active accounts only.

    Withdrawn applications are left out of a message to all.
    """
    query = (
        select(Application)
        .where(listed(call.id))
        .options(joinedload(Application.owner),
                 selectinload(Application.members).joinedload(ApplicationMember.user),
                 defer(Application.answers), defer(Application.eligibility_answers))
        .order_by(Application.id)
    )
    if application is not None:
        query = query.where(Application.id == application.id)
    else:
        query = query.where(Application.state != ApplicationState.WITHDRAWN)
    people = {}
    for item in db.session.execute(query).unique().scalars():
        for user in [item.owner] + [m.user for m in item.members if m.accepted_at is not None and m.user is not None]:
            if user.is_active and user.id not in people:
                people[user.id] = user
    return [(user.email, user) for user in people.values()]


def _check_message(call, application, subject, body, now):
    if not subject:
        raise ActionRefused(_l("Enter a subject."), field="subject")
    if len(subject) > SUBJECT_MAX_LENGTH:
        raise ActionRefused(_l("Keep the subject under %(max)d characters.", max=SUBJECT_MAX_LENGTH), field="subject")
    if not body:
        raise ActionRefused(_l("Write the message."), field="body")
    if len(body) > BODY_MAX_LENGTH:
        raise ActionRefused(_l("Keep the message under %(max)d characters.", max=BODY_MAX_LENGTH), field="body")
    target = (ApplicationMessage.application_id == application.id if application is not None
              else ApplicationMessage.application_id.is_(None))
    recent = select(func.count(ApplicationMessage.id)).where(ApplicationMessage.call_id == call.id, target)
    repeated = db.session.scalar(recent.where(
        ApplicationMessage.sent_at > now - REPEAT_WINDOW,
        ApplicationMessage.subject == subject, ApplicationMessage.body == body,
    ))
    if repeated:
        raise ActionRefused(_l("This message was already sent a moment ago."), status=409)
    if application is None and db.session.scalar(recent.where(ApplicationMessage.sent_at > now - timedelta(days=1))) >= BROADCASTS_PER_DAY:
        raise ActionRefused(
            _l("At most %(count)d messages to all applicants can be sent in 24 hours. Please try again later.",
               count=BROADCASTS_PER_DAY),
            status=429,
        )


def send_message(call, sender, subject, body, application=None, now=None):
    """Send a message from the call's coordinators to one application's people or to all.

    Writes an :class:`ApplicationMessage` and one e-mail per person (owner and accepted
    co-applicants), each rendered in that person's language; records an audit entry.

    :raise ActionRefused 400: an empty or too long subject or message; nobody to write to.
    :raise ActionRefused 409: the same message to the same people a moment ago.
    :raise ActionRefused 429: too many messages to all applicants of this call today.
    """
    subject = (subject or "").strip()
    body = (body or "").strip()
    now = now or utcnow()
    _check_message(call, application, subject, body, now)
    people = recipients(call, application)
    if not people:
        raise ActionRefused(_l("No applicant can receive this message."))
    message = ApplicationMessage(call_id=call.id, application_id=getattr(application, "id", None),
                                 sender_id=sender.id, subject=subject, body=body, sent_at=now,
                                 recipients=len(people))
    db.session.add(message)
    db.session.flush()
    for address, user in people:
        title = call.text("title", user.locale)
        queue_email(
            address, "coordinator_message",
            _l("%(subject)s — %(call)s", subject=subject, call=title),
            user=user, call_title=title, message=message,
        )
    record("application.message_sent", actor=sender, obj=message, call_id=call.id,
           application_id=message.application_id, recipients=len(people))
    log.info("message %s sent to %d people for call %s", message.id, len(people), call.id)
    return message


def list_messages(call, page=1, per_page=PAGE_SIZE):
    """The messages sent about the call, newest first, with their sender's and addressee's names."""
    sender = aliased(User)
    owner = aliased(User)
    query = (
        select(ApplicationMessage, sender.display_name.label("sender_name"), owner.display_name.label("owner_name"),
               func.count().over().label("total"))
        .outerjoin(sender, sender.id == ApplicationMessage.sender_id)
        .outerjoin(Application, Application.id == ApplicationMessage.application_id)
        .outerjoin(owner, owner.id == Application.owner_id)
        .where(ApplicationMessage.call_id == call.id)
        .order_by(ApplicationMessage.sent_at.desc(), ApplicationMessage.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    )
    rows = db.session.execute(query).all()
    return Page(items=rows, total=rows[0].total if rows else 0, page=page, per_page=per_page)


def messages_to(application):
    """Messages written to this application alone, newest first."""
    return db.session.execute(
        select(ApplicationMessage).where(ApplicationMessage.application_id == application.id)
        .order_by(ApplicationMessage.sent_at.desc(), ApplicationMessage.id.desc())
    ).scalars().all()
