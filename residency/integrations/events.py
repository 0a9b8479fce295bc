"""Which signals become which webhook events, with what payload, for which scopes.

Payloads carry ids and public facts (the call's slug and title); integrations read the rest
through the API with their own token, under the same rules as the pages.
"""

import logging

from residency import signals
from residency.calls.models import CallState
from residency.integrations.fanout import fan_out_task
from residency.integrations.webhooks import emit

log = logging.getLogger(__name__)


def _call_scopes(call):
    scopes = [("network", 0)]
    if call.city_id:
        scopes.append(("city", call.city_id))
    scopes += [("city", city.id) for city in call.cities or ()]
    return list(dict.fromkeys(scopes))


def _call_data(call):
    return {"id": call.id, "slug": call.slug, "title": call.text("title"), "city": call.city.slug if call.city else None}


def on_call_state_changed(sender, call, previous, **extra):
    """A published call leaves the draft state: it is public and takes applications."""
    if previous == CallState.DRAFT and call.published_at is not None:
        emit("call.published", {"call": _call_data(call)}, _call_scopes(call))


def on_application_submitted(sender, application, version, **extra):
    call = application.call
    emit("application.submitted", {"application": {"id": application.id, "version": version.number},
                                   "call": _call_data(call)}, _call_scopes(call))


def on_decisions_published(call, applications=(), **extra):
    """Sent after its commit: the deliveries are written by a job of their own."""
    payload = {"call": _call_data(call), "applications": sorted(a.id for a in applications)}
    _fan_out("decision.published", payload, _call_scopes(call))


def _request_data(request):
    return {"id": request.id, "work_id": request.work_id, "festival_id": request.festival_id,
            "edition_id": request.edition_id}


def _festival_scopes(festival_id):
    return [("network", 0), ("festival", festival_id)]


def on_request_approved(request, actor=None, **extra):
    """A programmer's request for a work is approved (sent in the approving transaction)."""
    emit("festival.request_approved", {"request": _request_data(request)}, _festival_scopes(request.festival_id))


def on_package_ready(package, **extra):
    """A delivery package is ready (sent after its commit: the deliveries are written by a job)."""
    request = package.request
    payload = {"package": {"id": package.id, "request_id": request.id}, "request": _request_data(request)}
    _fan_out("festival.package_ready", payload, _festival_scopes(request.festival_id))


def _fan_out(event, payload, scopes):
    """Queue the job writing an after-commit event's deliveries; a broker that is down loses the
    event for webhooks (logged), never the action that sent it."""
    try:
        fan_out_task.apply_async(args=[event, payload, scopes])
    except Exception:
        log.exception("could not queue the webhook deliveries of %s", event)


_HANDLERS = []


def connect():
    """Connect once (weak references: the handlers are kept here). Signals another feature has
    not added yet are skipped."""
    if _HANDLERS:
        return
    pairs = [("call_state_changed", on_call_state_changed), ("application_submitted", on_application_submitted),
             ("jury_decisions_published", on_decisions_published),
             ("festival_package_ready", on_package_ready), ("festival_request_approved", on_request_approved)]
    for name, handler in pairs:
        signal = getattr(signals, name, None)
        if signal is not None:
            signal.connect(handler)
            _HANDLERS.append(handler)
