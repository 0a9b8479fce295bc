"""The steps of a request, shown to both sides, and the e-mails telling the festival of them."""

from residency.extensions import db
from residency.festivals.models import RequestEvent
from residency.festivals.policies import programs
from residency.notifications.operations import queue_email


def add_event(request, actor, action, message=""):
    db.session.add(RequestEvent(request=request, actor_id=getattr(actor, "id", None), action=action,
                                message=message or ""))


def request_link(request):
    """The request's page, as an absolute address (built without a request: workers send e-mail too)."""
    from residency.calls.operations.common import public_url

    return public_url("festivals.request_page", request_id=request.id)


def note_event(request, action, message=""):
    """Record a step taken by the platform itself (package ready, failed, a file missing)."""
    add_event(request, None, action, message)


def tell_festival(request, template, subject, **context):
    """E-mail the programmer who asked (or, if they left, every programmer of the festival)."""
    from residency.festivals.festivals import programmers

    people = [request.requested_by] if request.requested_by is not None and programs(
        request.requested_by, request.festival_id) else programmers(request.festival)
    for person in people:
        queue_email(person.email, template, subject, user=person, request=request, link=request_link(request),
                    **context)
