"""The e-mail telling applicants the published decision on their application, in each one's
language, with the feedback jurors wrote for them when the call allows it."""

from flask_babel import lazy_gettext as _l

from residency.calls.operations import public_url
from residency.notifications.operations import queue_email

SUBJECTS = {  # each a lazy subject, translated in the recipient's language when queued
    "selected": lambda title: _l("Your application to “%(call)s” is selected", call=title),
    "waitlisted": lambda title: _l("Your application to “%(call)s” is on the waiting list", call=title),
    "declined": lambda title: _l("The decision on your application to “%(call)s”", call=title),
}


def recipients(application):
    """The owner and the co-applicants who accepted, each once: ``[(address, user)]``."""
    seen, found = set(), []
    for address, user in [(application.owner.email, application.owner)] + [
            (member.email, member.user) for member in application.members if member.accepted_at is not None]:
        if address.lower() not in seen:
            seen.add(address.lower())
            found.append((address, user))
    return found


def notify_applicant(call, decision, feedback):
    """Queue the decision's e-mail to each applicant of ``decision.application``, in their language."""
    application = decision.application
    for address, user in recipients(application):
        locale = getattr(user, "locale", None) or call.main_language
        title = call.text("title", locale)
        queue_email(address, "jury_decision", SUBJECTS[decision.outcome](title), user=user, locale=locale,
                    call_title=title, outcome=decision.outcome, feedback=feedback,
                    link=public_url("applications.edit", application_id=application.id))
