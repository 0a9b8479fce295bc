"""The token and webhook pages taking an id answer another person's token, an endpoint of a scope
the user does not manage, or another endpoint's delivery exactly as a missing one."""

import pytest

from residency.extensions import db as _db
from residency.integrations.models import ApiToken, WebhookDelivery, WebhookEndpoint
from tests.invisible import Route, assert_routes_listed, differences, to_login

ROUTES = [
    Route("integrations.revoke_token", ("POST",), ("token_id",)),
    Route("integrations.webhook", ("GET",), ("endpoint_id",)),
    Route("integrations.delete_webhook", ("POST",), ("endpoint_id",)),
    Route("integrations.replay_delivery", ("POST",), ("endpoint_id", "delivery_id")),
]


def test_every_route_taking_an_id_is_in_the_table(app):
    assert_routes_listed(app, "integrations", ROUTES, {})


@pytest.fixture
def existing(make_user, make_token, other_city):
    owner = make_user(roles=[("city_coordinator", "city", other_city.id)])
    make_token(owner, ["coordinator:read"])
    endpoint = WebhookEndpoint(scope_type="city", scope_id=other_city.id, url="https://a.example.org/",
                               events=["call.published"], secret="whsec_x")
    _db.session.add(endpoint)
    _db.session.flush()
    sent = WebhookDelivery(endpoint_id=endpoint.id, event="call.published", payload={})
    _db.session.add(sent)
    _db.session.commit()
    token = _db.session.execute(_db.select(ApiToken)).scalar_one()
    return {"token_id": token.id, "endpoint_id": endpoint.id, "delivery_id": sent.id}


@pytest.mark.parametrize("who", ["artist", "coordinator of another city"])
def test_other_people_s_tokens_and_endpoints_are_404(app, client, login_as, make_user, city, existing, who):
    login_as(make_user(roles=[] if who == "artist" else [("city_coordinator", "city", city.id)]))
    assert differences(app, client, ROUTES, existing) == []


def test_visitors_are_sent_to_log_in(app, client, existing):
    assert differences(app, client, ROUTES, existing, expected=to_login) == []


def test_nothing_changed(app, db, client, login_as, make_user, existing):
    login_as(make_user())
    differences(app, client, ROUTES, existing)
    db.session.expire_all()
    assert db.session.get(ApiToken, existing["token_id"]).revoked_at is None
    assert db.session.get(WebhookEndpoint, existing["endpoint_id"]) is not None
    assert db.session.execute(db.select(WebhookDelivery)).scalars().all()[0].id == existing["delivery_id"]
    assert len(db.session.execute(db.select(WebhookDelivery)).scalars().all()) == 1


def test_a_delivery_of_another_endpoint_is_404_for_its_manager(app, client, login_as, make_user, city, other_city, existing):
    """The manager of one endpoint cannot replay another endpoint's delivery through their own."""
    own = WebhookEndpoint(scope_type="city", scope_id=city.id, url="https://b.example.org/", events=["call.published"],
                          secret="whsec_y")
    _db.session.add(own)
    _db.session.commit()
    login_as(make_user(roles=[("city_coordinator", "city", city.id)]))
    route = [Route("integrations.replay_delivery", ("POST",), ("delivery_id",), fixed={"endpoint_id": own.id})]
    assert differences(app, client, route, existing) == []
