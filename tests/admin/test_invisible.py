"""The admin pages of a user or a role grant answer everyone who is not a network admin the same
403 before looking anything up, so they tell nothing about which ids exist. Every other route
taking an id belongs to a feature's table (``tests/<feature>/test_invisible.py``) or is exempt here,
with the reason: a new blueprint or route with an id fails until it is listed."""

import pytest

from residency.accounts.models import RoleGrant
from tests.invisible import (
    FEATURE_TABLES,
    Route,
    assert_routes_listed,
    blueprint_of,
    differences,
    to_login,
)

ROUTES = [
    Route("admin.user", ("GET", "POST"), ("user_id",), form={"role": "network_admin", "scope": "network:0"}),
    Route("admin.revoke", ("POST",), ("user_id", "grant_id")),
]

#: Routes of the smaller features taking an argument that names no private object.
EXEMPT = {
    "accounts": {
        "accounts.verify_email": "named by a signed, expiring token sent by e-mail: the token is the authority",
        "accounts.reset_password": "named by a signed, expiring token sent by e-mail: the token is the authority",
        "accounts.confirm_email_change": "named by a signed, expiring token sent by e-mail: the token is the authority",
        "accounts.login_with_link": "named by a single-use token sent by e-mail: the token is the authority",
    },
    "cities": {"cities.show": "every city of the network is public"},
    "cities_api": {"cities_api.get_city": "every city of the network is public"},
    "api": {},
    "core": {},
    None: {"static": "the application's own public files"},
}


@pytest.fixture
def existing(make_user):
    person = make_user(email="coordinator@example.org", roles=[("city_coordinator", "network", 0)])
    return {"user_id": person.id, "grant_id": person.grants[0].id}


@pytest.fixture
def people(make_user, city):
    return {
        "artist": make_user(email="artist@example.org"),
        "city coordinator": make_user(email="lyon@example.org", roles=[("city_coordinator", "city", city.id)]),
        "network coordinator": make_user(email="net@example.org", roles=[("city_coordinator", "network", 0)]),
        "juror": make_user(email="juror@example.org", roles=[("juror", "call", 1)]),
    }


def test_every_admin_route_taking_an_id_is_in_the_table(app):
    assert_routes_listed(app, "admin", ROUTES, {})


@pytest.mark.parametrize("blueprint", sorted(EXEMPT, key=str))
def test_the_other_routes_taking_an_argument_are_exempt_with_a_reason(app, blueprint):
    """Accounts, cities, the API and core have no route naming a private object by id."""
    assert_routes_listed(app, blueprint, [], EXEMPT[blueprint])


def test_every_blueprint_with_routes_taking_an_id_has_a_table(app):
    """A new feature's routes with an id need their own ``test_invisible`` table (listed in
    ``tests.invisible.FEATURE_TABLES``) before this passes."""
    blueprints = {blueprint_of(rule.endpoint) for rule in app.url_map.iter_rules() if rule.arguments}
    assert blueprints - set(FEATURE_TABLES) == set()


@pytest.mark.parametrize("who", ["artist", "city coordinator", "network coordinator", "juror"])
def test_non_admins_get_the_same_403_for_any_user_or_grant(app, client, login_as, people, existing, who):
    """403, and the same page, for an existing user or grant and a missing one."""
    login_as(people[who])
    assert differences(app, client, ROUTES, existing, expected=403) == []


def test_visitors_are_sent_to_log_in_for_every_id(app, client, existing):
    assert differences(app, client, ROUTES, existing, expected=to_login) == []


def test_nothing_changed(db, app, client, login_as, people, existing):
    """The refused grant and revocation changed nothing."""
    login_as(people["network coordinator"])
    differences(app, client, ROUTES, existing, expected=403)
    db.session.expire_all()
    grants = db.session.execute(db.select(RoleGrant).where(RoleGrant.user_id == existing["user_id"])).scalars().all()
    assert [(g.id, g.role) for g in grants] == [(existing["grant_id"], "city_coordinator")]
