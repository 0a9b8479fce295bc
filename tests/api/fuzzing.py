"""Driving schemathesis over every operation of the OpenAPI document, for a set of callers.

Shared by the suite's bounded run (``tests/api/test_fuzz.py``) and the longer campaign of
``benchmarks/api.py``: each operation of the document, for each caller's headers, gets
``examples`` generated cases (positive and negative), each sent to the application in process
(WSGI) and checked by schemathesis's checks: no server error, status code, content type, headers
and body as documented, valid data accepted and invalid data refused.
"""

from dataclasses import dataclass, field

import schemathesis
from schemathesis.checks import positive_data_acceptance
from hypothesis import HealthCheck, given, settings


@dataclass
class Campaign:
    cases: int = 0
    failures: list = field(default_factory=list)


def fuzz(app, callers, examples, stop_on_failure=True, seed=0):
    """Run the campaign; returns a :class:`Campaign` (cases tried, failures as text).

    :param callers: ``{name: headers}``.
    :raise AssertionError: the first failure, when ``stop_on_failure``.
    """
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    campaign = Campaign()
    for result in schema.get_all_operations():
        operation = result.ok()
        for who, headers in callers.items():
            _fuzz_operation(operation, who, headers, examples, campaign, stop_on_failure, seed)
    return campaign


#: What a schema-valid request may be refused with: no token or scope (401, 403), an object that
#: does not exist or is hidden (404), a state that forbids it (409), the rate limit (429), and a
#: rule across fields or about other objects the schema cannot say (422 ``invalid_call`` or
#: ``refused``: a residency ending before it starts, a language the site does not offer, a work not
#: approved for the festival). Anything else refusing valid data is a failure.
ACCEPTABLE_REFUSALS = {401, 403, 404, 409, 429}


def check(case, headers):
    """Send ``case`` and run every schemathesis check, with the API's rule for valid data refused.
    A cursor is opaque: one the API did not give (any string the generator makes up) is a
    documented 400 ``invalid_cursor``."""
    response = case.call_and_validate(headers=dict(headers), excluded_checks=[positive_data_acceptance])
    status = response.status_code
    if case.meta is None or case.meta.generation.mode.is_negative or not 400 <= status < 500:
        return
    try:
        code = (response.json() or {}).get("code")
    except ValueError:
        code = None
    made_up_cursor = "cursor" in dict(case.query or {})
    assert (status in ACCEPTABLE_REFUSALS or (status == 422 and code in ("invalid_call", "refused"))
            or (status == 400 and code == "invalid_cursor" and made_up_cursor)), \
        f"valid data refused: {status} {response.text[:500]} {case.query!r}\n{case.as_curl_command()}"


def _fuzz_operation(operation, who, headers, examples, campaign, stop_on_failure, seed):
    seen = set()

    @given(case=operation.as_strategy())
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
              database=None, print_blob=False)
    def run(case):
        campaign.cases += 1
        try:
            check(case, headers)
        except Exception as failure:  # schemathesis's FailureGroup and friends
            text = f"{who}: {operation.method.upper()} {operation.path}: {failure}"[:2000]
            if stop_on_failure:
                raise AssertionError(text) from failure
            if text not in seen:
                seen.add(text)
                campaign.failures.append(text)

    run()
