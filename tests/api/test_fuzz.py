"""schemathesis against the OpenAPI document, on the real application (PostgreSQL in CI), with a
valid token for each kind of user: no server error, and no answer outside the document (status,
content type, headers, schema), nor valid input refused or invalid input accepted.

Bounded (``API_FUZZ_EXAMPLES`` examples per operation and caller, default 8) to keep the suite
fast; ``benchmarks/api.py`` runs a longer campaign and reports the cases tried.
"""

import os

from tests.api.conftest import bearer
from tests.api.fuzzing import fuzz

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "8"))

SCOPES = {
    "artist": ["public:read", "applications:read"],
    "coordinator": ["public:read", "applications:read", "coordinator:read", "coordinator:write"],
    "juror": ["public:read", "applications:read", "jury:read"],
    "programmer": ["public:read", "applications:read", "festivals:read", "festivals:write"],
    "admin": ["public:read", "applications:read", "coordinator:read", "coordinator:write", "jury:read", "festivals:read",
              "festivals:write"],
}


def test_the_api_answers_within_its_document_for_every_kind_of_caller(app, monkeypatch, make_user, make_token,
                                                                       make_call, make_application, city):
    monkeypatch.setitem(app.config, "API_RATELIMIT", "100000 per minute")
    roles = {"coordinator": [("city_coordinator", "city", city.id)], "juror": [("juror", "call", 1)],
             "programmer": [("festival_programmer", "festival", 1)],
             "admin": [("network_admin", "network", 0)]}
    callers = {"anonymous": {}}
    call = make_call()
    for who, scopes in SCOPES.items():
        user = make_user(roles=roles.get(who, []))
        make_application(call, owner=user)
        callers[who] = bearer(make_token(user, scopes))
    campaign = fuzz(app, callers, EXAMPLES)
    print(f"fuzzing: {campaign.cases} cases")
    assert campaign.cases > 100 and campaign.failures == []
