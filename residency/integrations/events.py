"""Which signals become which webhook events, with what payload, for which scopes.

Payloads carry ids and public facts (the call's slug and title); integrations read the rest
through the API with their own token, under the same rules as the pages.
"""

from residency import signals
from residency.calls.models import CallState
from residency.integrations.fanout import fan_out_task
from residency.integrations.webhooks import emit


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
    fan_out_task.apply_async(args=["decision.published", payload, _call_scopes(call)])


def _festival_handler(event):
    """Festival signals: the ids of the objects named, for the festival's endpoints and the network's."""

    def handler(sender, **kwargs):
        objects = {"sender": sender, **kwargs}
        data = {name: obj.id for name, obj in objects.items() if isinstance(getattr(obj, "id", None), int)}
        festival_ids = {getattr(obj, "festival_id", None) for obj in objects.values()} - {None}
        emit(event, data, [("network", 0)] + [("festival", ident) for ident in sorted(festival_ids)])

    handler.__name__ = f"on_{event.replace('.', '_')}"
    return handler


_HANDLERS = []


def connect():
    """Connect once (weak references: the handlers are kept here). Signals another feature has
    not added yet are skipped."""
    if _HANDLERS:
        return
    pairs = [("call_state_changed", on_call_state_changed), ("application_submitted", on_application_submitted),
             ("jury_decisions_published", on_decisions_published),
             ("festival_package_ready", _festival_handler("festival.package_ready")),
             ("festival_request_approved", _festival_handler("festival.request_approved"))]
    for name, handler in pairs:
        signal = getattr(signals, name, None)
        if signal is not None:
            signal.connect(handler)
            _HANDLERS.append(handler)
