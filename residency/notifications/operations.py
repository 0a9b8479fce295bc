"""Writing e-mail.

``queue_email`` renders the message in the recipient's language and writes an outbox row; the
delivery task is queued after commit (``delivery`` sends it). A message whose delivery fails
stays in the outbox and is tried again by the beat sweeper: nothing is lost if the broker or the
SMTP server is down.
"""

import logging

from flask import current_app, render_template
from flask_babel import force_locale

from residency.core.jobs import enqueue_after_commit
from residency.extensions import db
from residency.notifications.models import EmailMessage
from residency.notifications.tasks import send_email

log = logging.getLogger(__name__)


def queue_email(to_address, template, subject, user=None, locale=None, **context):
    """Render ``templates/email/<template>.txt`` (and ``.html`` if present) and queue it.

    :param subject: a lazy string, translated in the recipient's language.
    :return: the flushed :class:`EmailMessage`.
    """
    locale = locale or getattr(user, "locale", None) or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        context.update(user=user, base_url=current_app.config["BASE_URL"])
        body_text = render_template(f"email/{template}.txt", **context)
        subject_text = str(subject)
    message = EmailMessage(
        user_id=getattr(user, "id", None),
        to_address=to_address,
        subject=subject_text,
        body_text=body_text,
    )
    db.session.add(message)
    db.session.flush()
    enqueue_after_commit(send_email, message.id)
    return message
