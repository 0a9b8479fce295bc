"""The permission matrix: what every role may do to every object, asked through ``can()``."""

import pytest
from flask_login import AnonymousUserMixin

from residency.core import permissions
from residency.core.permissions import can
from tests.accounts.support import quick_user

#: Column order of the matrix below.
ROLES = (
    "anonymous",
    "artist",  # signed up, no grant
    "coordinator_lyon",
    "coordinator_network",
    "juror_call1",
    "chair_call1",
    "programmer_festival1",
    "network_admin",
)

#: (action, object, allowed for each role in ROLES order). Objects: "themself" is the role's own
#: account (for the anonymous visitor, somebody's account), "another" another user's.
MATRIX = [
    #                                     anon artist c.Lyon c.net juror chair prog admin
    ("admin.access", None,               (0,   0,     0,     0,    0,    0,    0,   1)),
    ("roles.manage", None,               (0,   0,     0,     0,    0,    0,    0,   1)),
    ("audit.read", None,                 (0,   0,     0,     0,    0,    0,    0,   1)),
    ("system.probe", None,               (0,   0,     0,     0,    0,    0,    0,   1)),
    ("user.view_private", "themself",    (0,   1,     1,     1,    1,    1,    1,   1)),
    ("user.view_private", "another",     (0,   0,     0,     0,    0,    0,    0,   1)),
    ("user.edit", "themself",            (0,   1,     1,     1,    1,    1,    1,   1)),
    ("user.edit", "another",             (0,   0,     0,     0,    0,    0,    0,   0)),
    ("city.view", "Lyon",                (1,   1,     1,     1,    1,    1,    1,   1)),
    ("city.view", "Linz",                (1,   1,     1,     1,    1,    1,    1,   1)),
    ("city.edit", "Lyon",                (0,   0,     1,     1,    0,    0,    0,   1)),
    ("city.edit", "Linz",                (0,   0,     0,     1,    0,    0,    0,   1)),
]

#: The modules whose rules this matrix is responsible for; other features test their own.
COVERED_MODULES = {"residency.accounts.policies", "residency.cities.policies"}


def _grants(city):
    return {
        "anonymous": None,
        "artist": [],
        "coordinator_lyon": [("city_coordinator", "city", city.id)],
        "coordinator_network": [("city_coordinator", "network", 0)],
        "juror_call1": [("juror", "call", 1)],
        "chair_call1": [("jury_chair", "call", 1)],
        "programmer_festival1": [("festival_programmer", "festival", 1)],
        "network_admin": [("network_admin", "network", 0)],
    }


@pytest.fixture
def people(app, city):
    """One account per role of ``ROLES`` (the anonymous visitor has none)."""
    return {
        name: AnonymousUserMixin() if roles is None else quick_user(f"{name}@example.org", roles)
        for name, roles in _grants(city).items()
    }


@pytest.mark.parametrize(("action", "target", "allowed"), MATRIX, ids=[f"{a}-{t}" for a, t, _ in MATRIX])
def test_permission_matrix(people, city, other_city, action, target, allowed):
    """Each role may do exactly what its row of the matrix says."""
    another = quick_user("another@example.org")

    def obj(name):
        person = people[name]
        return {
            None: None,
            "themself": another if person.is_anonymous else person,
            "another": another,
            "Lyon": city,
            "Linz": other_city,
        }[target]

    actual = {name: int(can(people[name], action, obj(name))) for name in ROLES}

    assert actual == dict(zip(ROLES, allowed))


def test_matrix_covers_every_action_of_accounts_admin_and_cities():
    """Every action declared by the accounts (and admin) and cities rules has a row for every role."""
    declared = {name for name, rule in permissions._RULES.items() if rule.check.__module__ in COVERED_MODULES}

    assert declared == {action for action, _, _ in MATRIX}
    assert declared <= set(permissions.actions())


def test_disabled_account_may_do_nothing(people, city):
    """A disabled account is refused every action, even a network admin's."""
    admin = people["network_admin"]
    admin.is_active = False

    allowed = [action for action in permissions.actions() if can(admin, action, city if action.startswith("city.") else admin)]

    assert allowed == []


def test_undeclared_action_is_an_error(people):
    """Asking about an action no rule declares is a programming error, never a silent yes."""
    with pytest.raises(LookupError):
        can(people["network_admin"], "no.such.action")


def test_grant_in_another_scope_gives_nothing(app, city, other_city):
    """A coordinator of Linz may not edit Lyon, and a juror's grant does not make a coordinator."""
    linz_coordinator = quick_user("linz@example.org", [("city_coordinator", "city", other_city.id)])
    juror_of_call_with_lyons_id = quick_user("odd@example.org", [("juror", "call", city.id)])

    assert can(linz_coordinator, "city.edit", other_city)
    assert not can(linz_coordinator, "city.edit", city)
    assert not can(juror_of_call_with_lyons_id, "city.edit", city)
