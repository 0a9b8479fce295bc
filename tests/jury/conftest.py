"""Fixtures of the jury tests: a closed Lyon call with a rubric, its coordinator, submitted
applications (frozen versions, as the coordinators' view builds them), and panel members.

The applications come from the coordinators' view fixtures (``tests/review/conftest.py``), so the
jury is tested against the same submitted data the coordinators see.
"""

from datetime import timedelta

import pytest

from residency.core.types import utcnow
from residency.extensions import db as _db
from residency.jury.models import MemberRole, MemberStatus, PanelMember
from tests.review.conftest import (  # noqa: F401  (fixtures shared with the coordinators' view)
    FORM, T0, coordinator, make_application, make_asset, snapshot_of,
)

RUBRIC = [
    {"id": "c1", "name": {"en": "Artistic quality", "fr": "Qualité artistique"},
     "description": {"en": "Strength of the proposal and of the portfolio."}, "weight": 2.0, "scale_min": 1, "scale_max": 5},
    {"id": "c2", "name": {"en": "Fit with the residency", "fr": "Adéquation"}, "description": {},
     "weight": 1.0, "scale_min": 1, "scale_max": 5},
    {"id": "c3", "name": {"en": "Feasibility online", "fr": "Faisabilité en ligne"}, "description": {},
     "weight": 1.0, "scale_min": 0, "scale_max": 10},
]


@pytest.fixture
def make_call(app, city):
    """A Lyon call whose submissions closed yesterday, with ``RUBRIC``."""
    from residency.calls.models import Call

    counter = {"n": 0}

    def make(owner_city=None, rubric=None, state="closed", **fields):
        counter["n"] += 1
        now = utcnow()
        call = Call(
            slug=f"jury-call-{counter['n']}", city_id=(owner_city or city).id, main_language="en",
            texts={"en": {"title": f"Sound residency {counter['n']}"}, "fr": {"title": f"Résidence son {counter['n']}"}},
            state=state, published_at=now - timedelta(days=40), opens_at=now - timedelta(days=30),
            closes_at=now - timedelta(days=1), timezone="Europe/Paris", form=FORM,
            rubric=RUBRIC if rubric is None else rubric, **fields,
        )
        _db.session.add(call)
        _db.session.commit()
        return call

    return make


@pytest.fixture
def call(make_call):
    return make_call()


@pytest.fixture
def make_member(app, make_user):
    """``make_member(call, user=None, role="juror", status="active", **columns)``: a panel member; an
    active one holds the matching role grant on the call, as accepting an invitation gives it."""
    from residency.accounts.models import RoleGrant

    def make(call, user=None, role=MemberRole.JUROR, status=MemberStatus.ACTIVE, **fields):
        user = user or make_user()
        member = PanelMember(call_id=call.id, user_id=user.id, email=user.email, role=role, status=status,
                             language=user.locale or "en", **fields)
        _db.session.add(member)
        if status == MemberStatus.ACTIVE:
            grant_role = "jury_chair" if role == MemberRole.CHAIR else "juror"
            _db.session.add(RoleGrant(user_id=user.id, role=grant_role, scope_type="call", scope_id=call.id))
        _db.session.commit()
        return member

    return make


@pytest.fixture
def submitted(call, make_application):
    """Six submitted, eligible applications to ``call``."""
    return [make_application(call, eligible=True) for _ in range(6)]
