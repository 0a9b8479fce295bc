"""Webhooks: endpoints registered by the people who run a city (never on a private address),
events written as deliveries in the event's own transaction, each delivery signed, retried with
growing delays, logged with its response, and replayable by hand."""

import hashlib
import hmac
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from residency import signals
from residency.core.errors import ActionRefused
from residency.integrations import addresses, delivery, tasks, webhooks
from residency.integrations.models import DeliveryState, WebhookDelivery, WebhookEndpoint

SECRET = re.compile(r'id="new-secret" type="text" readonly value="(whsec_[^"]+)"')


class Receiver:
    """A local HTTP server answering each POST with the next status of ``statuses`` (then 200)."""

    def __init__(self):
        self.requests, self.statuses = [], []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"thanks" if status < 300 else b"try later")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks?x=1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def receiver():
    server = Receiver()
    yield server
    server.server.shutdown()


@pytest.fixture
def local(app, monkeypatch, receiver):
    """Deliveries may go to the local receiver (development settings)."""
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_HTTP", True)
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE", True)
    receiver.requests.clear()
    receiver.statuses.clear()
    return receiver


def endpoint_for(db, city, url, events=("application.submitted",)):
    endpoint = WebhookEndpoint(scope_type="city", scope_id=city.id, url=url, events=list(events), secret="whsec_test")
    db.session.add(endpoint)
    db.session.commit()
    return endpoint


def fake_resolver(*answers):
    return lambda host, port: answers


@pytest.mark.parametrize("url", [
    "https://127.0.0.1/hook", "https://10.1.2.3/hook", "https://192.168.0.10/", "https://172.16.5.4/",
    "https://169.254.169.254/latest/meta-data/", "https://[::1]/hook", "https://[::ffff:127.0.0.1]/",
    "https://[fd00::1]/", "https://100.64.0.1/", "https://0.0.0.0/", "https://224.0.0.1/", "https://localhost/hook",
])
def test_endpoints_on_private_addresses_are_refused(app, url):
    with pytest.raises(ActionRefused) as refused:
        addresses.check_url(url)
    assert refused.value.field == "url"


def test_a_name_resolving_to_any_private_address_is_refused(app):
    with pytest.raises(ActionRefused):
        addresses.check_url("https://hooks.example.org/x", resolver=fake_resolver("93.184.216.34", "10.0.0.5"))
    target = addresses.check_url("https://hooks.example.org:8443/x?y=1", resolver=fake_resolver("93.184.216.34"))
    assert (target.host, target.port, target.path, target.addresses) == ("hooks.example.org", 8443, "/x?y=1",
                                                                         ("93.184.216.34",))


@pytest.mark.parametrize("url", ["http://93.184.216.34/", "ftp://93.184.216.34/", "https://user:pw@93.184.216.34/",
                                 "javascript:alert(1)", "https://", "https://[::1/", "https://" + "a" * 600 + ".org/"])
def test_malformed_or_plain_http_addresses_are_refused(app, url):
    with pytest.raises(ActionRefused):
        addresses.check_url(url)


def test_a_coordinator_registers_an_endpoint_and_sees_its_secret_once(app, db, client, login_as, coordinator, city,
                                                                     monkeypatch):
    monkeypatch.setattr(addresses, "resolve", fake_resolver("93.184.216.34"))
    login_as(coordinator)
    page = client.get("/integrations/webhooks").get_data(as_text=True)
    assert f'value="city:{city.id}"' in page and 'value="network:0"' not in page
    response = client.post_form("/integrations/webhooks", {"scope": f"city:{city.id}", "url": "https://hooks.example.org/c2c",
                                                          "events": ["application.submitted", "call.published"]})
    assert response.status_code == 201
    secret = SECRET.search(response.get_data(as_text=True)).group(1)
    endpoint = db.session.execute(db.select(WebhookEndpoint)).scalar_one()
    assert endpoint.secret == secret and endpoint.events == ["application.submitted", "call.published"]
    assert secret not in client.get(f"/integrations/webhooks/{endpoint.id}").get_data(as_text=True)


def test_registering_refuses_private_addresses_other_cities_and_unknown_events(app, db, client, login_as, coordinator,
                                                                               city, other_city, monkeypatch):
    login_as(coordinator)
    refused = client.post_form("/integrations/webhooks", {"scope": f"city:{city.id}", "url": "https://127.0.0.1/x",
                                                         "events": ["application.submitted"]})
    assert refused.status_code == 400 and "private network" in refused.get_data(as_text=True)
    monkeypatch.setattr(addresses, "resolve", fake_resolver("93.184.216.34"))
    assert client.post_form("/integrations/webhooks", {"scope": f"city:{other_city.id}", "url": "https://a.example.org/",
                                                       "events": ["application.submitted"]}).status_code == 400
    assert client.post_form("/integrations/webhooks", {"scope": f"city:{city.id}", "url": "https://a.example.org/",
                                                       "events": ["everything"]}).status_code == 400
    assert db.session.execute(db.select(WebhookEndpoint)).scalars().all() == []


def test_artists_have_no_webhooks_page(client, login_as, make_user):
    login_as(make_user())
    assert client.get("/integrations/webhooks").status_code == 403


def test_a_submitted_application_is_delivered_signed(app, db, local, city, make_call, make_application):
    endpoint = endpoint_for(db, city, local.url)
    call = make_call()
    application = make_application(call)
    version = application.versions[-1]
    signals.application_submitted.send(app, application=application, version=version)
    db.session.commit()
    sent = db.session.execute(db.select(WebhookDelivery)).scalar_one()
    assert sent.event == "application.submitted" and sent.state == DeliveryState.PENDING
    assert delivery.attempt(sent.id) == "done"
    headers, body = local.requests[-1]
    assert headers["X-Residency-Event"] == "application.submitted"
    expected = hmac.new(b"whsec_test", headers["X-Residency-Timestamp"].encode() + b"." + body, hashlib.sha256).hexdigest()
    assert headers["X-Residency-Signature"] == f"sha256={expected}"
    payload = json.loads(body)
    assert payload["data"] == {"application": {"id": application.id, "version": version.number},
                               "call": {"id": call.id, "slug": call.slug, "title": call.text("title"), "city": "lyon"}}
    db.session.refresh(sent)
    assert (sent.state, sent.attempts, sent.response_status, sent.response_body) == ("succeeded", 1, 200, "thanks")
    assert endpoint.id == sent.endpoint_id


def test_events_go_only_to_the_endpoints_of_the_call_s_city_that_chose_them(app, db, city, other_city, make_call,
                                                                           make_application):
    mine = endpoint_for(db, city, "https://a.example.org/")
    endpoint_for(db, other_city, "https://b.example.org/")
    endpoint_for(db, city, "https://c.example.org/", events=["call.published"])
    application = make_application(make_call())
    signals.application_submitted.send(app, application=application, version=application.versions[-1])
    assert [d.endpoint_id for d in db.session.execute(db.select(WebhookDelivery)).scalars()] == [mine.id]


def test_failures_are_retried_with_growing_delays_then_given_up(app, db, local, city, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOKS_MAX_ATTEMPTS", 3)
    endpoint = endpoint_for(db, city, local.url)
    sent = webhooks.emit("application.submitted", {"n": 1}, [("city", city.id)])[0]
    db.session.commit()
    local.statuses[:] = [500, 503, 500]
    countdowns = []
    original = tasks.deliver_task.retry

    def spy(*args, **kwargs):
        countdowns.append(kwargs.get("countdown"))
        return original(*args, **kwargs)

    monkeypatch.setattr(tasks.deliver_task, "retry", spy)
    tasks.deliver_task.apply(args=[sent.id])
    db.session.refresh(sent)
    assert (sent.state, sent.attempts, sent.response_status, sent.response_body) == ("failed", 3, 500, "try later")
    assert countdowns == [30, 120] and len(local.requests) == 3
    assert [delivery.backoff(n) for n in (1, 2, 3, 4, 5, 6, 7)] == [30, 120, 480, 1920, 7680, 21600, 21600]
    assert endpoint.id == sent.endpoint_id


def test_the_address_is_checked_again_at_delivery(app, db, city, monkeypatch):
    endpoint_for(db, city, "https://hooks.example.org/")
    sent = webhooks.emit("application.submitted", {"n": 1}, [("city", city.id)])[0]
    db.session.commit()
    monkeypatch.setattr(addresses, "resolve", fake_resolver("10.0.0.7"))  # the name now points inside
    assert delivery.attempt(sent.id) == "retry"
    db.session.refresh(sent)
    assert sent.response_status is None and "private network" in sent.error


def test_a_delivery_is_replayed_by_hand_and_logged(app, db, client, login_as, local, coordinator, city):
    endpoint = endpoint_for(db, city, local.url)
    sent = webhooks.emit("application.submitted", {"n": 2}, [("city", city.id)])[0]
    db.session.commit()
    delivery.attempt(sent.id)
    login_as(coordinator)
    page = client.get(f"/integrations/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "HTTP 200" in page and "thanks" in page
    response = client.post_form(f"/integrations/webhooks/{endpoint.id}/deliveries/{sent.id}/replay")
    assert response.status_code == 302
    again = db.session.execute(db.select(WebhookDelivery).where(WebhookDelivery.replay_of_id == sent.id)).scalar_one()
    assert again.payload == sent.payload and again.state == "pending"
    assert delivery.attempt(again.id) == "done" and len(local.requests) == 2
    assert json.loads(local.requests[1][1])["id"] == again.id


def test_a_published_call_is_an_event(app, db, city, make_call):
    endpoint_for(db, city, "https://a.example.org/", events=["call.published"])
    call = make_call()
    signals.call_state_changed.send(app, call=call, previous="draft")
    signals.call_state_changed.send(app, call=call, previous="open")  # closing is not publishing
    sent = db.session.execute(db.select(WebhookDelivery)).scalars().all()
    assert [d.event for d in sent] == ["call.published"] and sent[0].payload["call"]["id"] == call.id


def test_deleting_an_endpoint(app, db, client, login_as, coordinator, city):
    endpoint = endpoint_for(db, city, "https://a.example.org/")
    login_as(coordinator)
    assert client.post_form(f"/integrations/webhooks/{endpoint.id}/delete").status_code == 302
    assert db.session.execute(db.select(WebhookEndpoint)).scalars().all() == []


def test_events_announced_after_their_commit_are_written_by_a_job(app, db, city, make_call, monkeypatch):
    """Decisions published and packages ready are announced after their commit: a job writes the
    deliveries (in its own transaction) for the call's city, or the festival, and the network."""
    from types import SimpleNamespace

    from residency.integrations import fanout

    queued = []
    monkeypatch.setattr(fanout.fan_out_task, "apply_async", lambda args: queued.append(args))
    city_endpoint = endpoint_for(db, city, "https://a.example.org/", events=["decision.published"])
    festival_endpoint = WebhookEndpoint(scope_type="festival", scope_id=7, url="https://f.example.org/",
                                        events=["festival.package_ready", "festival.request_approved"], secret="s")
    db.session.add(festival_endpoint)
    db.session.commit()
    call = make_call()
    signals.jury_decisions_published.send(call, applications=[SimpleNamespace(id=5), SimpleNamespace(id=3)])
    request = SimpleNamespace(id=11, work_id=12, festival_id=7, edition_id=13)
    signals.festival_package_ready.send(SimpleNamespace(id=21, request=request))
    assert [args[0] for args in queued] == ["decision.published", "festival.package_ready"]
    assert db.session.execute(db.select(WebhookDelivery)).scalars().all() == []  # nothing before the job
    for args in queued:
        fanout.fan_out_task.run(*args)
    sent = {d.event: d for d in db.session.execute(db.select(WebhookDelivery)).scalars()}
    assert sent["decision.published"].endpoint_id == city_endpoint.id
    assert sent["decision.published"].payload["applications"] == [3, 5]
    assert sent["festival.package_ready"].endpoint_id == festival_endpoint.id
    assert sent["festival.package_ready"].payload["package"] == {"id": 21, "request_id": 11}
    signals.festival_request_approved.send(request, actor=None)  # in the approving transaction
    approved = db.session.execute(db.select(WebhookDelivery).where(
        WebhookDelivery.event == "festival.request_approved")).scalar_one()
    assert approved.payload == {"request": {"id": 11, "work_id": 12, "festival_id": 7, "edition_id": 13}}
