"""The artists' side of an application's state machine, and the call's clock.

Every write to an application is refused once its call stops accepting (``Call.accepting(now)``,
by the clock) or once the review has taken it (a state past those in :data:`TRANSITIONS`).
"""

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

from residency.applications.models import ApplicationState
from residency.calls.models import CallState
from residency.core.errors import ActionRefused
from residency.core.permissions import can

#: The moves artists make; later states (shortlisted…) belong to the review.
TRANSITIONS = {
    ApplicationState.DRAFT: {ApplicationState.SUBMITTED},
    ApplicationState.SUBMITTED: {ApplicationState.SUBMITTED, ApplicationState.WITHDRAWN},
    ApplicationState.WITHDRAWN: {ApplicationState.SUBMITTED},
}
EDITABLE_STATES = frozenset(TRANSITIONS)


def closed_reason(call, now):
    """Why ``call`` takes no application or change at ``now``, or None when it does."""
    if call.accepting(now):
        return None
    if call.published_at is None:
        return _l("This call is not published; it does not take applications.")
    if call.state not in (CallState.DRAFT, CallState.OPEN):
        return _l("This call is closed: applications can no longer be submitted or changed.")
    if call.opens_at is not None and now < call.opens_at:
        return _l("This call opens on %(when)s.", when=format_datetime(call.opens_at, "long"))
    return _l("The deadline of this call passed on %(when)s: applications can no longer be submitted or changed.",
              when=format_datetime(call.closes_at, "long") if call.closes_at else "?")


def ensure_writable(application, now):
    """:raise ActionRefused 409: the application is under review or its call no longer accepts changes."""
    if application.state not in EDITABLE_STATES:
        raise ActionRefused(_l("This application is being reviewed; it can no longer change."), status=409)
    reason = closed_reason(application.call, now)
    if reason is not None:
        raise ActionRefused(reason, status=409)


def ensure_allowed(actor, action, application):
    """:raise ActionRefused 403: ``actor`` may not do ``action`` to ``application``."""
    if not can(actor, action, application):
        raise ActionRefused(_l("You are not allowed to change this application."), status=403)


def can_move(application, target):
    """True when the artists' state machine allows ``application`` to go to ``target``."""
    return target in TRANSITIONS.get(application.state, set())


def move_to(application, target, now):
    """Move ``application`` to ``target``. :raise ActionRefused 409: the state machine forbids it."""
    if not can_move(application, target):
        raise ActionRefused(_l("This application cannot go from “%(from)s” to “%(to)s”.",
                               **{"from": application.state, "to": target}), status=409)
    application.state = target
    application.updated_at = now
