"""Webhook endpoints and the events they hear of.

A coordinator registers an endpoint for a city they coordinate (a network coordinator also for
the network; a festival programmer for their festival), picks events, and gets a signing secret,
shown once. When an event happens, one :class:`WebhookDelivery` per interested endpoint is written
in the same transaction and sent after the commit (:mod:`residency.integrations.delivery`).
"""

import secrets

from flask_babel import lazy_gettext as _l

from residency.audit.operations import record
from residency.core.errors import ActionRefused
from residency.core.jobs import enqueue_after_commit
from residency.extensions import db
from residency.integrations.addresses import check_url
from residency.integrations.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from residency.integrations.tasks import deliver_task

EVENTS = {
    "call.published": _l("A call is published and opens to applications"),
    "application.submitted": _l("An application is submitted"),
    "decision.published": _l("A jury's decisions are published"),
    "festival.package_ready": _l("A festival's delivery package is ready"),
    "festival.request_approved": _l("A festival's request for a work is approved"),
}
MAX_ENDPOINTS_PER_SCOPE = 10


def register_endpoint(actor, scope_type, scope_id, url, events, description=""):
    """A new endpoint; returns it (its ``secret`` is shown once by the page). The caller commits.

    :raise ActionRefused: an address refused by :func:`~residency.integrations.addresses.check_url`,
        no event or an unknown one, or too many endpoints for the scope.
    """
    check_url(url)
    events = sorted(set(events or ()))
    if not events or not set(events) <= set(EVENTS):
        raise ActionRefused(_l("Choose at least one event from the list."), field="events")
    count = db.session.scalar(db.select(db.func.count()).select_from(WebhookEndpoint).where(
        WebhookEndpoint.scope_type == scope_type, WebhookEndpoint.scope_id == scope_id))
    if count >= MAX_ENDPOINTS_PER_SCOPE:
        raise ActionRefused(_l("There are already %(n)d endpoints here: delete one first.", n=MAX_ENDPOINTS_PER_SCOPE))
    endpoint = WebhookEndpoint(scope_type=scope_type, scope_id=scope_id, url=url.strip(), events=events,
                               description=(description or "").strip()[:200], secret="whsec_" + secrets.token_urlsafe(32),
                               created_by_id=getattr(actor, "id", None))
    db.session.add(endpoint)
    db.session.flush()
    record("webhook.registered", actor=actor, obj=endpoint, url=endpoint.url, events=events,
           scope=f"{scope_type}:{scope_id}")
    return endpoint


def delete_endpoint(actor, endpoint):
    record("webhook.deleted", actor=actor, obj=endpoint, url=endpoint.url)
    db.session.delete(endpoint)


def endpoints_for(event, scopes):
    """Active endpoints of ``scopes`` (``[(type, id), …]``) that chose ``event``."""
    if not scopes:
        return []
    conditions = [db.and_(WebhookEndpoint.scope_type == kind, WebhookEndpoint.scope_id == int(ident or 0))
                  for kind, ident in scopes]
    found = db.session.execute(db.select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True), db.or_(*conditions))
                               .order_by(WebhookEndpoint.id)).scalars()
    return [endpoint for endpoint in found if event in (endpoint.events or ())]


def emit(event, payload, scopes):
    """Write a delivery of ``event`` for each interested endpoint and send each after the commit.
    Returns the deliveries. The caller commits."""
    deliveries = []
    for endpoint in endpoints_for(event, scopes):
        delivery = WebhookDelivery(endpoint_id=endpoint.id, event=event, payload=payload)
        db.session.add(delivery)
        deliveries.append(delivery)
    if deliveries:
        db.session.flush()
        for delivery in deliveries:
            enqueue_after_commit(deliver_task, delivery.id)
    return deliveries


def replay(actor, delivery):
    """Send ``delivery``'s event again, as a new delivery (same payload, new signature). The caller commits."""
    again = WebhookDelivery(endpoint_id=delivery.endpoint_id, event=delivery.event, payload=delivery.payload,
                            replay_of_id=delivery.id, state=DeliveryState.PENDING)
    db.session.add(again)
    db.session.flush()
    record("webhook.replayed", actor=actor, obj=again, original=delivery.id)
    enqueue_after_commit(deliver_task, again.id)
    return again
