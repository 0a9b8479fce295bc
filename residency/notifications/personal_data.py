"""The e-mail outbox's share of a user's personal data (the ``personal_data`` hook).

Export: the messages sent to the user (address, subject, when written and sent), without their
bodies: a body may hold a sign-in or reset link still valid, which an archive must not carry.
Erase: every message to the user's account or address is deleted from the outbox, sent or not,
with its copy in the outbox folder of the embedded default (``MAIL_OUTBOX_DIR``); in the messages
to other people that name the user (an invitation, a juror stepping down), their address and
name are replaced by "Deleted user".
"""

import logging
import re
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_

from residency.core.personal_data import DELETED_NAME, PersonalDataPart
from residency.extensions import db
from residency.notifications.models import EmailMessage

log = logging.getLogger(__name__)


def _messages_of(user):
    return db.select(EmailMessage).where(or_(
        EmailMessage.user_id == user.id, func.lower(EmailMessage.to_address) == (user.email or "").lower(),
    )).order_by(EmailMessage.id)


def export(user):
    """``{"messages": [{to, subject, created_at, sent_at}]}``; no files."""
    messages = [
        {"to": message.to_address, "subject": message.subject, "created_at": message.created_at.isoformat(),
         "sent_at": message.sent_at.isoformat() if message.sent_at else None}
        for message in db.session.execute(_messages_of(user)).scalars()
    ]
    return {"messages": messages}, []


def _outbox_file(message):
    """The copy the embedded default wrote of ``message`` (see ``delivery.deliver``)."""
    folder = current_app.config.get("MAIL_OUTBOX_DIR")
    if not folder:
        return None
    return Path(folder) / f"{message.created_at:%Y%m%dT%H%M%S}-{message.id}.eml"


def erase(user):
    """Delete every outbox message to the user (account or address) and its outbox-folder copy;
    in messages to other people, replace the user's address and name (as a whole word)."""
    messages = list(db.session.execute(_messages_of(user)).scalars())
    for message in messages:
        path = _outbox_file(message)
        if path is not None:
            path.unlink(missing_ok=True)
        db.session.delete(message)
    if messages:
        log.info("deleted %d outbox message(s) of an erased account", len(messages))
    db.session.flush()
    _scrub_others(user)


def _scrub_others(user):
    names = [text for text in (user.email, user.display_name) if text and len(text.strip()) >= 3]
    if not names:
        return
    patterns = [re.compile(r"(?<!\w)" + re.escape(text.strip()) + r"(?!\w)", re.IGNORECASE) for text in names]
    mentioning = db.session.execute(db.select(EmailMessage).where(or_(
        *[EmailMessage.body_text.ilike(f"%{text.strip()}%") for text in names],
        *[EmailMessage.subject.ilike(f"%{text.strip()}%") for text in names],
    ))).scalars()
    for message in mentioning:
        for pattern in patterns:
            message.subject = pattern.sub(DELETED_NAME, message.subject)
            message.body_text = pattern.sub(DELETED_NAME, message.body_text)
            if message.body_html:
                message.body_html = pattern.sub(DELETED_NAME, message.body_html)


PART = PersonalDataPart(
    name="email",
    export=export,
    erase=erase,
    description=_l("E-mail the platform sent you: address, subject, when written and sent (bodies left out: "
                   "they may hold sign-in links)."),
)
