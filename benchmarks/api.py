"""The JSON API against the coordinators' HTML list, on 20,000 applications in PostgreSQL, and a
fuzzing campaign.

A throw-away PostgreSQL database (next to the one ``BENCH_DATABASE_URL`` names) is migrated and
filled as ``benchmarks/application_list.py`` fills it (COPY: users, 40 calls, 20,000 submitted
applications with their frozen versions and files), then every application is moved into the
first call, so one call holds all 20,000. Its city coordinator gets a personal access token
(``coordinator:read``) and a login session.

One gunicorn server of the real application (the Procfile's settings: gthread, one worker) then
answers, over keep-alive connections, in interleaved rounds:

* the API: the whole list of the call, ``GET /api/v1/calls/1/applications?limit=100`` followed by
  its ``Link: rel="next"`` from the first page to the last (200 pages of 100);
* the HTML list: the coordinators' page ``/manage/calls/1/applications?page=N`` at the same
  positions (the page holding the API page's first row; the HTML page has its own fixed size, 50
  rows, with the call's counts and duplicate flags).

Reported: median and p95 time per page of each, ``page_ratio_to_html`` = median API page / median
HTML page; ``queries_per_page``: SQL statements of one API page, counted in-process on the first,
a middle and the last page (the figure is their maximum; the table shows all three, which are
equal when the cost is constant). Then schemathesis runs against the OpenAPI document on the same
application and database in process, with a token for an anonymous caller, an artist, the
coordinator and a network admin: ``fuzz_cases`` tried, ``fuzz_failures`` (distinct failures).

Run: ``.venv/bin/python benchmarks/api.py``. Tunables: ``BENCH_DATABASE_URL``, ``BENCH_ROUNDS``
(2 walks of the list), ``BENCH_FUZZ_EXAMPLES`` (examples per operation and caller, 40). Everything
is removed in a ``finally``. The last line printed is one JSON object.
"""

import hashlib
import http.client
import json
import os
import secrets
import shutil
import signal
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (str(ROOT), str(ROOT / "benchmarks")):
    if path not in sys.path:
        sys.path.insert(0, path)
import application_list as applist  # noqa: E402  (benchmarks/ is on sys.path)
from _common import BenchError, Postgres, Server, median, percentile  # noqa: E402

ADMIN_URL = os.environ.get("BENCH_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
FUZZ_EXAMPLES = int(os.environ.get("BENCH_FUZZ_EXAMPLES", "40"))
PER_PAGE = 100
HTML_PER_PAGE = 50
STARTUP_TIMEOUT = 30.0
REQUEST_TIMEOUT = 10.0
CALL_ID = 1
WARMUP_PAGES = 20


def concentrate(libpq_url):
    """Move every application (and its files' rows) into call 1; return how many it holds."""
    import psycopg

    with psycopg.connect(libpq_url, autocommit=True) as conn:
        conn.execute("UPDATE applications SET call_id = %s", (CALL_ID,))
        conn.execute("UPDATE application_files SET call_id = %s", (CALL_ID,))
        conn.execute("VACUUM ANALYZE")
        return conn.execute("SELECT count(*) FROM applications WHERE call_id = %s AND current_version > 0 "
                            "AND state <> 'draft'", (CALL_ID,)).fetchone()[0]


def add_token(libpq_url, user_id, scopes, name):
    """A personal access token of ``user_id`` written as the settings page writes it; returns it."""
    import psycopg

    raw = "c2c_" + secrets.token_urlsafe(30)
    now = datetime.now(timezone.utc)
    with psycopg.connect(libpq_url, autocommit=True) as conn:
        conn.execute("INSERT INTO api_tokens (user_id, name, prefix, token_hash, scopes, created_at, expires_at, "
                     "last_used_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                     (user_id, name, raw[:10], hashlib.sha256(raw.encode()).hexdigest(), json.dumps(scopes), now,
                      now + timedelta(days=1), now))  # used just now: no "last used" write during the run
    return raw


def add_user(libpq_url, email, role=None):
    import psycopg

    now = datetime.now(timezone.utc)
    with psycopg.connect(libpq_url, autocommit=True) as conn:
        user_id = conn.execute("INSERT INTO users (email, password_hash, display_name, locale, timezone, "
                               "email_verified_at, is_active, created_at) VALUES (%s, '!', %s, 'en', 'UTC', %s, true, %s) "
                               "RETURNING id", (email, email.split("@")[0], now, now)).fetchone()[0]
        if role:
            conn.execute("INSERT INTO role_grants (user_id, role, scope_type, scope_id, granted_at) "
                         "VALUES (%s, %s, 'network', 0, %s)", (user_id, role, now))
    return user_id


def count_statements(app, requests):
    """SQL statements of each ``(path, headers)`` request, in process (after one warm-up each)."""
    from sqlalchemy import event

    from residency.extensions import db

    with app.app_context():
        engine = db.engine
    client = app.test_client()
    counts = []
    for path, headers in requests:
        statements = []

        def before(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        client.get(path, headers=headers)
        event.listen(engine, "before_cursor_execute", before)
        try:
            response = client.get(path, headers=headers)
        finally:
            event.remove(engine, "before_cursor_execute", before)
        if response.status_code != 200:
            raise BenchError(f"in-process {path}: HTTP {response.status_code}")
        counts.append(len(statements))
    return counts


def get(connection, path, headers):
    t0 = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - t0
    if response.status != 200:
        raise BenchError(f"{path}: HTTP {response.status} {body[:300]!r}")
    return elapsed, response, body


def walk(port, api_headers, html_headers, total, pages=None):
    """One walk of the whole list through the API, each page followed by the HTML page at the same
    position (the first ``pages`` only, when given); returns ``(api latencies, html latencies, items
    seen, paths of a middle and the last page)``."""
    api_conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    html_conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    api_times, html_times, seen, cursors = [], [], 0, []
    path = f"/api/v1/calls/{CALL_ID}/applications?limit={PER_PAGE}"
    try:
        while path:
            elapsed, response, body = get(api_conn, path, api_headers)
            api_times.append(elapsed)
            page = json.loads(body)
            html_page = seen // HTML_PER_PAGE + 1
            html_elapsed, _response, html = get(html_conn, f"/manage/calls/{CALL_ID}/applications?page={html_page}",
                                                html_headers)
            if b'<th scope="row">' not in html:
                raise BenchError(f"HTML page {html_page} lists no application")
            html_times.append(html_elapsed)
            seen += len(page["items"])
            cursors.append(path)
            link = response.getheader("Link")
            path = link[link.index("/api/"):link.index(">")] if link else None
            if pages is not None and len(api_times) >= pages:
                return api_times, html_times, seen, []
    finally:
        api_conn.close()
        html_conn.close()
    if seen != total:
        raise BenchError(f"the API listed {seen} applications, the call holds {total}")
    return api_times, html_times, seen, [cursors[len(cursors) // 2], cursors[-1]]


def fuzz_campaign(app, libpq_url, coordinator_id):
    from tests.api.fuzzing import fuzz

    artist = add_user(libpq_url, f"fuzz-artist-{secrets.token_hex(3)}@example.org")
    admin = add_user(libpq_url, f"fuzz-admin-{secrets.token_hex(3)}@example.org", role="network_admin")
    everything = ["public:read", "applications:read", "coordinator:read", "coordinator:write", "jury:read",
                  "festivals:read"]
    callers = {
        "anonymous": {},
        "artist": {"Authorization": "Bearer " + add_token(libpq_url, artist, ["public:read", "applications:read"], "fuzz")},
        "coordinator": {"Authorization": "Bearer " + add_token(libpq_url, coordinator_id, everything[:4], "fuzz")},
        "admin": {"Authorization": "Bearer " + add_token(libpq_url, admin, everything, "fuzz")},
    }
    app.config["API_RATELIMIT"] = "1000000 per minute"
    with app.app_context():
        return fuzz(app, callers, FUZZ_EXAMPLES, stop_on_failure=False)


def main():
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="bench-api-"))
    server = None
    postgres = Postgres(ADMIN_URL, "bench_api")
    try:
        try:
            postgres.create()
        except Exception as exc:  # noqa: BLE001 - a readable message, not a driver traceback
            raise BenchError(f"cannot create a database via BENCH_DATABASE_URL ({ADMIN_URL}): {exc}") from exc
        data_dir = tmp / "data"
        data_dir.mkdir()
        env = applist.server_env(data_dir, postgres.url, "bench-" + secrets.token_urlsafe(24))
        env["API_RATELIMIT"] = "1000000 per minute"
        app = applist.throwaway_app(env)
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
        t0 = time.monotonic()
        _call, coordinator_id, login = applist.populate(postgres.libpq_url)
        total = concentrate(postgres.libpq_url)
        populated = time.monotonic() - t0
        token = add_token(postgres.libpq_url, coordinator_id, ["coordinator:read"], "bench")
        api_headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
        html_headers = {"User-Agent": applist.USER_AGENT, "Accept-Encoding": "identity",
                        "Cookie": f"{app.config['SESSION_COOKIE_NAME']}={applist.session_cookie(app, login)}"}

        server = Server("app", "wsgi:app", env, tmp)
        server.wait_ready(f"/api/v1/calls/{CALL_ID}/applications?limit=1", time.monotonic() + STARTUP_TIMEOUT,
                          api_headers)
        walk(server.port, api_headers, html_headers, total, pages=WARMUP_PAGES)  # warm-up
        api_times, html_times = [], []
        for _round in range(ROUNDS):
            api, html, _seen, probes = walk(server.port, api_headers, html_headers, total)
            api_times += api
            html_times += html
        if server.process.poll() is not None:
            raise BenchError(f"the server died during the run\n{server.log_tail()}")
        server.stop()
        server = None
        queries = count_statements(app, [(f"/api/v1/calls/{CALL_ID}/applications?limit={PER_PAGE}", api_headers)]
                                   + [(path, api_headers) for path in probes])
        t0 = time.monotonic()
        campaign = fuzz_campaign(app, postgres.libpq_url, coordinator_id)
        fuzzed = time.monotonic() - t0
        report(sorted(api_times), sorted(html_times), total, queries, campaign, populated, fuzzed, started)
    finally:
        if server is not None:
            server.stop()
        try:
            postgres.drop()
        except Exception as exc:  # noqa: BLE001 - do not hide the original error
            print(f"could not drop database {postgres.name}: {exc!r}", file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)


def report(api, html, total, queries, campaign, populated, fuzzed, started):
    rows = [("API page (100 applications, JSON)", api), ("HTML list page (50 rows, counts, flags)", html)]
    header = f"{'page':<42} {'pages':>6} {'median ms':>10} {'p95 ms':>9}"
    print()
    print(f"api: {applist.APPLICATIONS} applications in one call, {total} of them listed (submitted, never a draft), "
          f"PostgreSQL — gunicorn gthread, {ROUNDS} walks of the whole list")
    print(header)
    print("-" * len(header))
    for label, values in rows:
        print(f"{label:<42} {len(values):>6} {median(values) * 1000:>10.2f} {percentile(values, 0.95) * 1000:>9.2f}")
    ratio = median(api) / median(html)
    print(f"median API page / median HTML page: {ratio:.3f}")
    print(f"SQL statements per API page (first, middle, last): {queries}")
    print(f"fuzzing: {campaign.cases} cases, {len(campaign.failures)} distinct failures ({fuzzed:.0f} s)")
    for failure in campaign.failures[:10]:
        print("  " + failure.replace("\n", "\n  ")[:1500])
    print(f"(data {populated:.1f} s, whole run {time.monotonic() - started:.0f} s)")
    print(json.dumps({
        "benchmark": "api", "database": "postgresql", "applications": applist.APPLICATIONS, "listed": total, "per_page": PER_PAGE,
        "page_ratio_to_html": round(ratio, 3), "queries_per_page": max(queries), "queries_first_middle_last": queries,
        "api_median_ms": round(median(api) * 1000, 3), "api_p95_ms": round(percentile(api, 0.95) * 1000, 3),
        "html_median_ms": round(median(html) * 1000, 3), "html_p95_ms": round(percentile(html, 0.95) * 1000, 3),
        "fuzz_cases": campaign.cases, "fuzz_failures": len(campaign.failures),
    }))


def _terminate(signum, frame):
    raise SystemExit(128 + signum)  # unwinds through main()'s finally: server, database, folder


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _terminate)
    try:
        main()
    except BenchError as exc:
        print(f"api benchmark failed: {exc}", file=sys.stderr)
        sys.exit(1)
