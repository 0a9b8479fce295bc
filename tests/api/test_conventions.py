"""The API's conventions: the OpenAPI 3.1 document covers every route, the reference page reads it,
lists page by cursor with Link headers, GETs carry ETags, errors are problem details, rate limits
are told in headers, CORS is off unless origins are configured."""

import json
import os
import subprocess
import sys
from pathlib import Path

from openapi_spec_validator import validate

from residency.api import PREFIX
from tests.api.conftest import bearer, is_problem

ROOT = Path(__file__).resolve().parents[2]
#: Routes under /api/v1 that are not operations: the document itself and its reference page.
NOT_OPERATIONS = {"api-docs.openapi_json", "api.reference"}


def openapi_path(rule):
    """Werkzeug's ``/api/v1/calls/<int:call_id>`` as OpenAPI's ``/api/v1/calls/{call_id}``."""
    import re

    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_the_document_is_valid_openapi_3_1(client):
    response = client.get(f"{PREFIX}/openapi.json")
    assert response.status_code == 200
    spec = response.json
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_every_route_under_api_v1_is_in_the_document_with_each_method(app, client):
    spec = client.get(f"{PREFIX}/openapi.json").json
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX) or rule.endpoint in NOT_OPERATIONS:
            continue
        documented = spec["paths"].get(openapi_path(rule.rule), {})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method.lower() not in documented:
                missing.append(f"{method} {rule.rule}")
    assert missing == []
    # …and the document names no route that does not exist.
    routes = {openapi_path(rule.rule) for rule in app.url_map.iter_rules()}
    assert set(spec["paths"]) <= routes


def test_every_operation_declares_its_scope_and_problem_answers(client):
    spec = client.get(f"{PREFIX}/openapi.json").json
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            assert operation.get("security"), f"{method} {path} declares no scope"
            assert operation["responses"]["default"] == {"$ref": "#/components/responses/DEFAULT_ERROR"}
    problem = spec["components"]["responses"]["DEFAULT_ERROR"]["content"]
    assert list(problem) == ["application/problem+json"]


def test_the_reference_page_lists_the_operations_and_scopes(client):
    html = client.get(f"{PREFIX}/").get_data(as_text=True)
    assert "<h1>" in html and "/api/v1/calls/{call_id}" in html and "coordinator:write" in html
    assert "CallDraft" in html  # the body's schema


def test_lists_page_by_cursor_with_link_headers_and_no_item_twice(client):
    seen, url, pages = [], f"{PREFIX}/cities?limit=5", 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += [city["slug"] for city in response.json["items"]]
        link = response.headers.get("Link")
        assert (link is None) == (response.json["next_cursor"] is None)
        url = link[1:link.index(">")].replace("http://localhost", "") if link else None
        pages += 1
    assert pages == 5 and len(seen) == 22 and len(set(seen)) == 22
    names = [c["name"] for c in client.get(f"{PREFIX}/cities?limit=100").json["items"]]
    assert names == sorted(names)


def test_a_malformed_cursor_is_400_and_a_huge_page_422(client):
    for cursor in ("zzz", "W10", "WyJ4Il0", "bm90IGpzb24", "WzEsMiwzXQ", "WyJhIiwtMV0", "!!!!", "x" * 301):
        assert client.get(f"{PREFIX}/cities?cursor={cursor}").status_code in (400, 422), cursor
    assert is_problem(client.get(f"{PREFIX}/cities?cursor=WyJhIiwtMV0"), 400, "invalid_cursor")
    for limit in ("100000000", "0", "-1", "abc", "1e9"):
        response = client.get(f"{PREFIX}/cities?limit={limit}")
        assert is_problem(response, 422, "invalid_input"), limit
        assert "limit" in response.json["errors"]["query"]


def test_gets_carry_an_etag_and_if_none_match_gets_304(client):
    first = client.get(f"{PREFIX}/cities/lyon")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache" and "Authorization" in first.headers["Vary"]
    again = client.get(f"{PREFIX}/cities/lyon", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    other = client.get(f"{PREFIX}/cities/linz", headers={"If-None-Match": etag})
    assert other.status_code == 200


def test_errors_are_problem_details(client):
    assert is_problem(client.get(f"{PREFIX}/no-such-thing"), 404)
    response = client.delete(f"{PREFIX}/cities")
    assert is_problem(response, 405) and "GET" in response.headers["Allow"]
    assert is_problem(client.get(f"{PREFIX}/calls/99999999999"), 404)
    # HTML pages keep their pages.
    assert client.get("/no-such-page").mimetype == "text/html"


def test_rate_limit_headers_and_a_429_problem(app, client, monkeypatch):
    response = client.get(f"{PREFIX}/cities")
    assert int(response.headers["X-RateLimit-Limit"]) >= 100 and "X-RateLimit-Remaining" in response.headers
    monkeypatch.setitem(app.config, "API_RATELIMIT", "2 per minute")
    from residency.extensions import limiter

    limiter.reset()
    client.get(f"{PREFIX}/cities/lyon")
    client.get(f"{PREFIX}/cities/lyon")
    refused = client.get(f"{PREFIX}/cities/lyon")
    assert is_problem(refused, 429) and int(refused.headers["Retry-After"]) > 0


def test_the_login_cookie_is_not_a_credential(app, client, login_as, make_user):
    """A browser's session does not authenticate API calls (no CSRF-able writes)."""
    login_as(make_user())
    assert is_problem(client.get(f"{PREFIX}/me/applications"), 401, "missing_token")


def test_dates_are_rfc_3339_utc(client, make_call):
    call = make_call()
    body = client.get(f"{PREFIX}/calls/{call.id}").json
    assert body["opens_at"].endswith("Z") and body["published_at"] == "2026-02-19T09:00:00Z"


PROBE = r"""
import json, os, sys
from config import TestingConfig
from residency import create_app
config = TestingConfig(sys.argv[1])
config.SQLALCHEMY_DATABASE_URI = "sqlite:///" + sys.argv[1] + "/probe.sqlite3"
app = create_app(config)
client = app.test_client()
answers = {}
for origin in ("https://festival.example.org", "https://evil.example.com"):
    pre = client.options("/api/v1/openapi.json", headers={"Origin": origin, "Access-Control-Request-Method": "GET",
                                                            "Access-Control-Request-Headers": "Authorization"})
    get = client.get("/api/v1/openapi.json", headers={"Origin": origin})
    answers[origin] = [pre.headers.get("Access-Control-Allow-Origin"), get.headers.get("Access-Control-Allow-Origin"),
                       get.headers.get("Access-Control-Expose-Headers", "")]
page = client.get("/", headers={"Origin": "https://festival.example.org"})
answers["html"] = page.headers.get("Access-Control-Allow-Origin")
print(json.dumps(answers))
"""


def _cors_probe(tmp_path, origins):
    env = {**os.environ, "API_CORS_ORIGINS": origins}
    for name in ("DATABASE_URL", "REDIS_URL", "S3_BUCKET"):
        env.pop(name, None)
    result = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path)], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_cors_is_off_by_default_and_on_for_configured_origins_only(tmp_path):
    off = _cors_probe(tmp_path / "off", "")
    assert off["https://festival.example.org"][:2] == [None, None]
    on = _cors_probe(tmp_path / "on", "https://festival.example.org")
    assert on["https://festival.example.org"][:2] == ["https://festival.example.org"] * 2
    assert "Link" in on["https://festival.example.org"][2] and "ETag" in on["https://festival.example.org"][2]
    assert on["https://evil.example.com"][:2] == [None, None]
    assert on["html"] is None  # only the API


def test_a_token_works_on_public_operations_too(client, make_user, make_token):
    raw = make_token(make_user(), ["applications:read"])
    assert client.get(f"{PREFIX}/cities", headers=bearer(raw)).status_code == 200
