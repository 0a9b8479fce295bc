"""Delivering e-mail from the outbox: over SMTP, or into the outbox folder on the embedded default."""

import logging
import smtplib
import ssl
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import current_app

from residency.core.types import utcnow
from residency.extensions import db
from residency.notifications.models import EmailMessage

log = logging.getLogger(__name__)


def build_mime(message):
    mime = MimeMessage()
    mime["From"] = current_app.config["MAIL_FROM"]
    mime["To"] = message.to_address
    mime["Subject"] = message.subject
    mime["Date"] = format_datetime(message.created_at)
    mime["Message-ID"] = make_msgid(idstring=f"residency-{message.id}")
    mime.set_content(message.body_text)
    return mime


def deliver(message):
    """Send ``message`` over SMTP, or write it to the outbox folder on the embedded default."""
    mime = build_mime(message)
    config = current_app.config
    if config["SMTP_HOST"]:
        if config["SMTP_SSL"]:
            smtp = smtplib.SMTP_SSL(
                config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT"],
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT"])
        with smtp:
            if config["SMTP_STARTTLS"]:
                smtp.starttls(context=ssl.create_default_context())
            if config["SMTP_USERNAME"]:
                smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
            smtp.send_message(mime)
        log.info("e-mail %s sent over SMTP", message.id)
        return None
    outbox = Path(config["MAIL_OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{message.created_at:%Y%m%dT%H%M%S}-{message.id}.eml"
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(bytes(mime))
    tmp.replace(path)
    log.info("e-mail %s written to %s", message.id, path)
    return path


def send_pending(message_id):
    """Deliver one outbox message unless it was already sent. The caller commits.

    :return: True when it was delivered now.
    """
    message = db.session.get(EmailMessage, message_id, with_for_update=True)
    if message is None or message.sent_at is not None:
        return False
    message.attempts += 1
    try:
        deliver(message)
    except (OSError, smtplib.SMTPException) as exc:
        message.last_error = f"{type(exc).__name__}: {exc}"[:500]
        raise
    message.sent_at = utcnow()
    message.last_error = None
    return True
