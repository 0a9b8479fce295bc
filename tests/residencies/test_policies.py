"""The residencies' rules, asked for every kind of person: who sees a residency, who runs it, who
schedules its sessions, who may create one where."""

import pytest

from residency.core.permissions import can
from residency.extensions import db
from residency.residencies.models import ParticipantRole, ResidencyStatus

#: person -> (view, manage, schedule, create in Lyon, create in Linz, menu entry)
EXPECTED = {
    "artist in it": (True, False, False, False, False, True),
    "mentor in it": (True, False, False, False, False, True),
    "coordinator in it (participant)": (True, False, True, False, False, True),
    "former artist": (False, False, False, False, False, False),
    "artist elsewhere": (False, False, False, False, False, False),
    "Lyon coordinator": (True, True, True, True, False, True),
    "Linz coordinator": (False, False, False, False, True, True),
    "network coordinator": (True, True, True, True, True, True),
    "network admin": (True, True, True, True, True, True),
    "juror": (False, False, False, False, False, False),
}


@pytest.fixture
def people(cohort, join, make_user, lyon_coordinator, linz_coordinator):
    residency = cohort["residency"]
    inside = make_user(email="inside-coordinator@example.org")
    join(residency, inside, ParticipantRole.COORDINATOR)
    former = make_user(email="former@example.org")
    join(residency, former).left_at = residency.created_at
    db.session.commit()
    return {
        "artist in it": cohort["artists"][0],
        "mentor in it": cohort["mentor"],
        "coordinator in it (participant)": inside,
        "former artist": former,
        "artist elsewhere": make_user(email="elsewhere@example.org"),
        "Lyon coordinator": lyon_coordinator,
        "Linz coordinator": linz_coordinator,
        "network coordinator": make_user(roles=[("city_coordinator", "network", 0)]),
        "network admin": make_user(roles=[("network_admin", "network", 0)]),
        "juror": make_user(roles=[("juror", "call", 1)]),
    }


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_each_rule_for_each_person(people, cohort, cities, who):
    residency, user = cohort["residency"], people[who]
    answers = (can(user, "residencies.view", residency), can(user, "residencies.manage", residency),
               can(user, "residencies.schedule", residency), can(user, "residencies.create", cities["lyon"]),
               can(user, "residencies.create", cities["linz"]), can(user, "residencies.list"))
    assert answers == EXPECTED[who]


def test_no_coordinator_schedules_in_an_archived_residency(people, cohort):
    residency = cohort["residency"]
    residency.status = ResidencyStatus.ARCHIVED
    db.session.commit()
    assert not can(people["Lyon coordinator"], "residencies.schedule", residency)
    assert not can(people["coordinator in it (participant)"], "residencies.schedule", residency)
    assert can(people["Lyon coordinator"], "residencies.view", residency)
