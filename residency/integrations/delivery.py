"""Sending one webhook delivery: signed, to a checked address, logged with its response.

The body is ``{"id", "event", "created_at", "data"}`` (JSON). Each attempt is signed with the
endpoint's secret: ``X-Residency-Timestamp`` (Unix seconds) and
``X-Residency-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>``; receivers
recompute it and refuse timestamps older than a few minutes (no replay by a third party).
A 2xx answer is a success; anything else (or no answer in time) is retried with growing delays
(:func:`backoff`) up to ``WEBHOOKS_MAX_ATTEMPTS``. Redirects are not followed.
"""

import hashlib
import hmac
import json
import logging
import time

import urllib3
from flask import current_app
from flask_babel import lazy_gettext as _l

from residency.core.errors import ActionRefused
from residency.core.types import utcnow
from residency.extensions import db
from residency.integrations.addresses import check_url
from residency.integrations.models import DeliveryState, WebhookDelivery

log = logging.getLogger(__name__)

RESPONSE_KEPT = 2000  # characters of the response body kept in the log
TIMEOUT = urllib3.Timeout(connect=5.0, read=10.0)
USER_AGENT = "CityToCityResidency-Webhooks/1"


def backoff(attempt):
    """Seconds to wait after failed attempt number ``attempt`` (1-based): 30 s, 2 min, 8 min,
    32 min, ~2 h, capped at 6 h."""
    return min(30 * 4 ** (attempt - 1), 6 * 3600)


def body_of(delivery):
    created = delivery.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps({"id": delivery.id, "event": delivery.event, "created_at": created, "data": delivery.payload},
                      sort_keys=True, separators=(",", ":")).encode()


def signature(secret, timestamp, body):
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def _post(target, body, headers):
    """POST ``body`` to the first checked address of ``target``, naming its host (Host, TLS).
    Returns ``(status, text)``."""
    options = {"timeout": TIMEOUT, "retries": False, "maxsize": 1}
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(target.addresses[0], target.port, server_hostname=target.host,
                                           assert_hostname=target.host, cert_reqs="CERT_REQUIRED", **options)
    else:
        pool = urllib3.HTTPConnectionPool(target.addresses[0], target.port, **options)
    host = target.host if target.port in (80, 443) else f"{target.host}:{target.port}"
    try:
        response = pool.urlopen("POST", target.path, body=body, headers={**headers, "Host": host},
                                redirect=False, preload_content=False)
        try:
            text = response.read(RESPONSE_KEPT * 4, decode_content=True).decode("utf-8", "replace")[:RESPONSE_KEPT]
        finally:
            response.release_conn()
        return response.status, text
    finally:
        pool.close()


def attempt(delivery_id):
    """Make one attempt at a pending delivery; record its outcome. Returns ``"done"`` (succeeded,
    or nothing to do), ``"retry"`` (failed, attempts left) or ``"failed"`` (given up). Commits."""
    delivery = db.session.get(WebhookDelivery, delivery_id, with_for_update=True)
    if delivery is None or delivery.state != DeliveryState.PENDING:
        db.session.rollback()
        return "done"
    endpoint = delivery.endpoint
    delivery.attempts += 1
    delivery.last_attempt_at = utcnow()
    status, text, error = None, "", ""
    try:
        if not endpoint.active:
            raise ActionRefused(_l("The endpoint is disabled."))
        target = check_url(endpoint.url)
        body = body_of(delivery)
        timestamp = str(int(time.time()))
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
                   "X-Residency-Event": delivery.event, "X-Residency-Delivery": str(delivery.id),
                   "X-Residency-Timestamp": timestamp, "X-Residency-Signature": signature(endpoint.secret, timestamp, body)}
        status, text = _post(target, body, headers)
    except ActionRefused as refused:
        error = str(refused.message)
    except (urllib3.exceptions.HTTPError, OSError) as failure:
        error = f"{type(failure).__name__}: {failure}"[:500]
    delivery.response_status, delivery.response_body, delivery.error = status, text, error
    outcome = "done"
    if status is not None and 200 <= status < 300:
        delivery.state, delivery.delivered_at = DeliveryState.SUCCEEDED, utcnow()
    elif delivery.attempts >= current_app.config["WEBHOOKS_MAX_ATTEMPTS"]:
        delivery.state, outcome = DeliveryState.FAILED, "failed"
    else:
        outcome = "retry"
    db.session.commit()
    log.info("webhook delivery %s attempt %s: %s", delivery_id, delivery.attempts, status or error)
    return outcome
