"""The coordinators' application list against a bare Flask view, on 20,000 applications in PostgreSQL.

A throw-away PostgreSQL database is created next to the one ``BENCH_DATABASE_URL`` names
(default ``postgresql://postgres@127.0.0.1:5432/test``), migrated with ``flask_migrate.upgrade``
inside a throw-away app, and filled with COPY: 40 calls of the 22 cities, 20,000 applications
(500 a call, a few drafts, mixed states and eligibility, some artists twice in a call and some
files shared), their frozen versions (format-1 snapshots of ~2 kB), their files, and the columns
and rows that submitting copies from each frozen version (residence, ``application_files``).

Two gunicorn servers then run side by side with the same settings (gthread, 1 worker, 8 threads):

* the real application (``wsgi:app``), asked for the list of one call, first page, filtered
  (``?state=submitted&eligible=yes``), by a city coordinator logged in with a login session
  created directly in the database and the signed session cookie naming it;
* a bare Flask app written to the temporary folder: one view running one indexed query on the
  same database (the first 50 applications of the same call by submission time,
  ``ix_applications_call_submitted``) through a plain SQLAlchemy engine, answered as JSON.

A third endpoint shows the application's own floor: its home page with the same login (session
lookup, role grants, CSRF token, security headers, the base template: what every logged-in page
pays before doing anything).

Interleaved rounds (the order rotates) of fixed-size batches over keep-alive connections;
reported: median and p95 latency of each, ``ratio_to_bare_view`` = median list / median bare and
``floor_ratio_to_bare_view`` = median home page / median bare.
The SQL statements of one list request are counted in-process (Flask test client, a
``before_cursor_execute`` listener): ``queries``.

Run: ``.venv/bin/python benchmarks/application_list.py``. Tunables (environment):
``BENCH_DATABASE_URL``, ``BENCH_CONCURRENCY`` (1), ``BENCH_REQUESTS`` per batch (100),
``BENCH_ROUNDS`` (10), ``BENCH_SECONDS`` (40, the measured part's budget). Everything is removed
in a ``finally``, also on SIGTERM / Ctrl-C. The last line printed is one JSON object.
"""

import hashlib
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from _common import THREADS, BenchError, Postgres, Server, median, percentile  # noqa: E402  (benchmarks/ is on sys.path)

ADMIN_URL = os.environ.get("BENCH_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test"
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "1"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "100"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "10"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "30"))
BUDGET = float(os.environ.get("BENCH_SECONDS", "40"))
STARTUP_TIMEOUT = 30.0
REQUEST_TIMEOUT = 10.0
USER_AGENT = "application-list-bench"

CALLS = 40
APPLICATIONS = 20_000
PER_PAGE = 50
FILTER = "state=submitted&eligible=yes"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)

BARE_APP = '''\
"""Bare Flask view on the same stack: one indexed query through a plain SQLAlchemy engine."""
import os

from flask import Flask, jsonify
from sqlalchemy import create_engine, text

engine = create_engine(os.environ["BARE_DATABASE_URL"], pool_pre_ping=True)
QUERY = text("SELECT id, owner_id, state, eligible, submitted_at FROM applications "
             "WHERE call_id = :call_id AND submitted_at IS NOT NULL ORDER BY submitted_at DESC LIMIT 50")
CALL_ID = int(os.environ["BARE_CALL_ID"])
app = Flask(__name__)


@app.get("/bare")
def bare():
    with engine.connect() as connection:
        rows = connection.execute(QUERY, {"call_id": CALL_ID}).all()
    return jsonify({"applications": [
        {"id": r.id, "owner_id": r.owner_id, "state": r.state, "eligible": r.eligible,
         "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None} for r in rows]})
'''


# --- infrastructure ------------------------------------------------------------------------------

def server_env(data_dir, database_url, secret_key):
    env = dict(os.environ)
    for name in ("REDIS_URL", "S3_BUCKET", "SMTP_HOST", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND",
                 "TRUST_PROXY", "BASE_URL", "HTTPS"):
        env.pop(name, None)
    env.update(RESIDENCY_DATA_DIR=str(data_dir), SECRET_KEY=secret_key, DATABASE_URL=database_url,
               LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1")
    return env


# --- data ----------------------------------------------------------------------------------------

WORDS = ("sound light network city signal archive memory river machine voice body data garden "
         "noise screen code walk map listening weather border loop silence field").split()
FORM = [
    {"id": "statement", "type": "long_text", "label": {"en": "Artist statement", "fr": "Démarche"},
     "required": True, "word_limit": 300},
    {"id": "disciplines", "type": "multiple_choice", "label": {"en": "Disciplines"},
     "choices": [{"value": v, "label": {"en": v.title()}} for v in ("sound", "video", "games", "ai_art")]},
    {"id": "format", "type": "single_choice", "label": {"en": "Format"},
     "choices": [{"value": "online", "label": {"en": "Online"}}, {"value": "hybrid", "label": {"en": "Hybrid"}}]},
    {"id": "website", "type": "url", "label": {"en": "Website"}},
    {"id": "portfolio", "type": "file", "label": {"en": "Portfolio"}, "kinds": ["video", "document"], "max_count": 3},
]
STATES = ["submitted"] * 14 + ["withdrawn"] * 2 + ["shortlisted", "selected", "waitlisted", "declined"]


def _sentence(rng, words):
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def populate(libpq_url):
    """COPY 40 calls, 20,000 applications with versions and files, and a coordinator.

    :return: ``(call id to measure, coordinator id, login token)``.
    """
    import psycopg

    rng = random.Random(20260105)
    with psycopg.connect(libpq_url) as conn:
        cities = [row[0] for row in conn.execute("SELECT id FROM cities ORDER BY id")]
        countries = [row[0] for row in conn.execute("SELECT DISTINCT country FROM cities ORDER BY country")]
        artists = APPLICATIONS * 4 // 5
        coordinator_id = artists + 1
        call_city = {call_id: cities[(call_id - 1) % len(cities)] for call_id in range(1, CALLS + 1)}
        with conn.cursor() as cur:
            with cur.copy("COPY users (id, email, password_hash, display_name, city_id, locale, timezone, "
                          "email_verified_at, is_active, created_at) FROM STDIN") as copy:
                for user_id in range(1, artists + 1):
                    copy.write_row((user_id, f"artist{user_id}@example.org", "!", f"{rng.choice(WORDS).title()} "
                                    f"{rng.choice(WORDS).title()} {user_id}", rng.choice(cities + [None]),
                                    rng.choice(("en", "fr", "es", "pt")), "UTC", T0, True, T0))
                copy.write_row((coordinator_id, "coordinator@example.org", "!", "Coordinator", call_city[1],
                                "en", "UTC", T0, True, T0))
            cur.execute("INSERT INTO role_grants (user_id, role, scope_type, scope_id, granted_at) "
                        "VALUES (%s, 'city_coordinator', 'city', %s, %s)", (coordinator_id, call_city[1], T0))
            with cur.copy("COPY calls (id, slug, city_id, main_language, texts, disciplines, format, places, timezone, "
                          "opens_at, closes_at, state, published_at, allow_multiple_applications, eligibility, form, "
                          "rubric, created_at, updated_at) FROM STDIN") as copy:
                form = json.dumps(FORM)
                for call_id, city_id in call_city.items():
                    texts = json.dumps({"en": {"title": f"Residency {call_id}", "summary": _sentence(rng, 20)}})
                    copy.write_row((call_id, f"residency-{call_id}", city_id, "en", texts, '["sound"]', "online", 3,
                                    "UTC", T0, T0 + timedelta(days=30), "closed", T0 - timedelta(days=1), False,
                                    "{}", form, "[]", T0, T0))
            applications, versions, assets, application_files = [], [], [], []
            owners_by_call = {}
            asset_id = 0
            for application_id in range(1, APPLICATIONS + 1):
                call_id = (application_id - 1) % CALLS + 1
                owner_id = (application_id - 1) % artists + 1
                seen = owners_by_call.setdefault(call_id, [])
                if application_id % 97 == 0 and seen:  # some artists apply twice to a call
                    owner_id = rng.choice(seen)
                seen.append(owner_id)
                draft = application_id % 20 == 0
                submitted_at = None if draft else T0 + timedelta(seconds=rng.randrange(30 * 86400))
                eligible = rng.choice((True, True, True, False, None, None))
                state = "draft" if draft else rng.choice(STATES)
                answers = {"statement": _sentence(rng, rng.randrange(60, 160)),
                           "disciplines": rng.sample(["sound", "video", "games", "ai_art"], 2),
                           "format": rng.choice(("online", "hybrid")), "website": f"https://artist{owner_id}.example"}
                files = []
                for n in range(rng.choice((1, 1, 2))):
                    asset_id += 1
                    shared = application_id % 53 == 0  # the same file as the application before in this call
                    digest = hashlib.sha256(f"file {application_id - CALLS if shared else application_id} {n}".encode()).hexdigest()
                    files.append({"id": asset_id, "filename": f"work-{application_id}-{n}.mp4", "size": 10_000_000,
                                  "sha256": digest, "kind": "video"})
                    assets.append((asset_id, owner_id, f"application:{application_id}.portfolio", files[-1]["filename"],
                                   "video/mp4", 10_000_000, digest, "video", "ready", False, 1, T0, T0, "[]"))
                notes = "[]" if eligible is not False else json.dumps(["Lives outside the call's countries"])
                residence = rng.choice(countries)
                if not draft:  # the columns and rows submitting copies from the frozen version
                    application_files.extend((application_id, f["id"], call_id, "portfolio", f["filename"], f["sha256"])
                                             for f in files)
                applications.append((application_id, call_id, owner_id, state,
                                     json.dumps({**answers, "portfolio": [f["id"] for f in files]}),
                                     json.dumps({"country": residence}), eligible, notes,
                                     0 if draft else 1, None if draft else hashlib.sha256(str(application_id).encode()).hexdigest(),
                                     T0, submitted_at or T0, submitted_at, None if draft else residence, "[]"))
                if not draft:
                    snapshot = {
                        "format": 1, "application_id": application_id, "version": 1,
                        "submitted_at": submitted_at.isoformat(), "language": "en",
                        "owner": {"user_id": owner_id, "profile": {
                            "name": f"Artist {owner_id}", "bio": _sentence(rng, 50), "website": answers["website"],
                            "country_of_residence": residence, "career_stage": "emerging", "works": []}},
                        "members": [], "eligibility": {"country": residence},
                        "answers": [{"id": q["id"], "type": q["type"], "label": q["label"]["en"], "label_lang": "en",
                                     "value": files if q["type"] == "file" else answers.get(q["id"])} for q in FORM],
                    }
                    versions.append((application_id, application_id, 1, submitted_at, owner_id, json.dumps(snapshot),
                                     hashlib.sha256(str(application_id).encode()).hexdigest()))
            with cur.copy("COPY applications (id, call_id, owner_id, state, answers, eligibility_answers, eligible, "
                          "eligibility_notes, current_version, fingerprint, created_at, updated_at, submitted_at, "
                          "residence_country, detached_asset_ids) FROM STDIN") as copy:
                for row in applications:
                    copy.write_row(row)
            with cur.copy("COPY application_files (application_id, asset_id, call_id, question_id, filename, sha256) "
                          "FROM STDIN") as copy:
                for row in application_files:
                    copy.write_row(row)
            with cur.copy("COPY application_versions (id, application_id, number, submitted_at, submitted_by_id, "
                          "snapshot, fingerprint) FROM STDIN") as copy:
                for row in versions:
                    copy.write_row(row)
            with cur.copy("COPY media_assets (id, owner_id, slot, original_filename, declared_type, size, sha256, kind, "
                          "state, failure_retryable, version, created_at, updated_at, log) FROM STDIN") as copy:
                for row in assets:
                    copy.write_row(row)
            for table in ("users", "calls", "applications", "application_versions", "media_assets"):
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            token = secrets.token_urlsafe(32)
            login_time = datetime.now(timezone.utc)  # a fresh login: no "last seen" update during the run
            cur.execute("INSERT INTO login_sessions (token_hash, user_id, created_at, last_seen_at, user_agent) "
                        "VALUES (%s, %s, %s, %s, %s)",
                        (hashlib.sha256(token.encode()).hexdigest(), coordinator_id, login_time, login_time, USER_AGENT))
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")  # statistics and the visibility map, as autovacuum would leave them
    return 1, coordinator_id, token


# --- the app in this process: migration, session cookie, query count ------------------------------

def throwaway_app(env):
    """The real application configured like the servers (same database, secret key)."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        from config import Config
        from residency import create_app

        return create_app(Config())
    finally:
        os.environ.clear()
        os.environ.update(saved)


def session_cookie(app, token):
    """The signed session cookie a browser holds after logging in with login session ``token``."""
    from flask_login.utils import _create_identifier

    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": USER_AGENT}):
        identifier = _create_identifier()
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.dumps({"_user_id": token, "_fresh": True, "_id": identifier, "_permanent": True})


def count_queries(app, path, cookie):
    """SQL statements of one request to ``path`` (after a warm-up request), in this process.

    No application context is held around the requests: each gets its own, with an empty
    session and ``g``, as on the server.
    """
    from sqlalchemy import event

    from residency.extensions import db

    with app.app_context():
        engine = db.engine
    client = app.test_client()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    headers = {"User-Agent": USER_AGENT}
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    if client.get(path, headers=headers).status_code != 200:
        raise BenchError(f"in-process {path} did not answer 200")
    event.listen(engine, "before_cursor_execute", before)
    try:
        response = client.get(path, headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", before)
    if response.status_code != 200:
        raise BenchError(f"in-process {path}: HTTP {response.status_code}")
    return len(statements)


# --- load ----------------------------------------------------------------------------------------

def run_batch(port, path, headers, content_type, count, deadline):
    """``count`` GETs over ``CONCURRENCY`` keep-alive connections; returns the latencies (s).

    Any non-200 answer or wrong content type aborts the benchmark: a fast error page is not a fast page.
    """
    latencies, errors = [], []
    lock = threading.Lock()
    issued = [0]

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        mine = []
        try:
            while True:
                with lock:
                    if issued[0] >= count or errors or time.monotonic() > deadline:
                        break
                    issued[0] += 1
                for attempt in (1, 2):
                    try:
                        t0 = time.perf_counter()
                        connection.request("GET", path, headers=headers)
                        response = connection.getresponse()
                        body = response.read()
                        elapsed = time.perf_counter() - t0
                        break
                    except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                        connection.close()  # the server closed the idle connection: reconnect once
                        if attempt == 2:
                            raise
                if response.status != 200 or content_type not in response.getheader("Content-Type", ""):
                    errors.append(f"{path}: HTTP {response.status} {response.getheader('Content-Type')} {body[:200]!r}")
                    break
                mine.append(elapsed)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(f"{path}: {exc!r}")
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(CONCURRENCY)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise BenchError(errors[0])
    return latencies


def measure(endpoints):
    """Warm-up, then interleaved rounds of batches; ``{key: sorted latencies}``."""
    for _key, port, path, headers, ctype in endpoints:
        run_batch(port, path, headers, ctype, WARMUP, time.monotonic() + 15)
    samples = {key: [] for key, *_ in endpoints}
    deadline = time.monotonic() + BUDGET
    batch_budget = BUDGET / (ROUNDS * len(endpoints))
    rounds = 0
    for index in range(ROUNDS):
        if time.monotonic() > deadline:
            break
        shift = index % len(endpoints)
        order = endpoints[shift:] + endpoints[:shift]
        for key, port, path, headers, ctype in order:
            samples[key].extend(run_batch(port, path, headers, ctype, REQUESTS, time.monotonic() + batch_budget))
        rounds += 1
    return {key: sorted(values) for key, values in samples.items()}, rounds


# --- the benchmark -------------------------------------------------------------------------------

def main():
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="bench-applist-"))
    servers = []
    postgres = Postgres(ADMIN_URL, "bench_applist")
    try:
        try:
            postgres.create()
        except Exception as exc:  # noqa: BLE001 - a readable message, not a driver traceback
            raise BenchError(f"cannot create a database via BENCH_DATABASE_URL ({ADMIN_URL}): {exc}") from exc
        data_dir = tmp / "data"
        data_dir.mkdir()
        env = server_env(data_dir, postgres.url, "bench-" + secrets.token_urlsafe(24))
        app = throwaway_app(env)
        t0 = time.monotonic()
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
        migrated = time.monotonic() - t0
        t0 = time.monotonic()
        call_id, _coordinator_id, token = populate(postgres.libpq_url)
        populated = time.monotonic() - t0
        cookie = session_cookie(app, token)
        list_path = f"/manage/calls/{call_id}/applications?{FILTER}"
        queries = count_queries(app, list_path, cookie)

        (tmp / "bare_app.py").write_text(BARE_APP)
        app_server = Server("app", "wsgi:app", env, tmp)
        servers.append(app_server)
        bare_server = Server("bare", "bare_app:app", dict(env, BARE_DATABASE_URL=postgres.url, BARE_CALL_ID=str(call_id)),
                             tmp, chdir=tmp)
        servers.append(bare_server)
        app_headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity",
                       "Cookie": f"{app.config['SESSION_COOKIE_NAME']}={cookie}"}
        bare_headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
        deadline = time.monotonic() + STARTUP_TIMEOUT
        page = app_server.wait_ready(list_path, deadline, app_headers).decode()
        bare_server.wait_ready("/bare", deadline, bare_headers)
        rows = page.count('<th scope="row">')
        if rows != PER_PAGE or 'aria-sort="descending"' not in page:
            raise BenchError(f"the list page is not the filtered first page of {PER_PAGE} rows (found {rows})")

        endpoints = [
            ("list", app_server.port, list_path, app_headers, "text/html"),
            ("floor", app_server.port, "/", app_headers, "text/html"),
            ("bare", bare_server.port, "/bare", bare_headers, "application/json"),
        ]
        samples, rounds = measure(endpoints)
        for server in servers:
            if server.process.poll() is not None:
                raise BenchError(f"{server.name} server died during the run\n{server.log_tail()}")
        report(samples, rounds, queries, populated, migrated, started)
    finally:
        for server in servers:
            server.stop()
        try:
            postgres.drop()
        except Exception as exc:  # noqa: BLE001 - do not hide the original error
            print(f"could not drop database {postgres.name}: {exc!r}", file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)


def report(samples, rounds, queries, populated, migrated, started):
    figures = {key: {"requests": len(values), "median_ms": median(values) * 1000, "p95_ms": percentile(values, 0.95) * 1000}
               for key, values in samples.items()}
    bare = figures["bare"]["median_ms"]
    labels = {"list": f"coordinators' list (?{FILTER})", "floor": "home page, same login (the app's floor)",
              "bare": "bare Flask view (1 indexed query)"}
    header = f"{'endpoint':<50} {'requests':>8} {'median ms':>10} {'p95 ms':>9} {'× bare':>7}"
    print()
    print(f"application_list: {APPLICATIONS} applications, {CALLS} calls, PostgreSQL"
          f" — gunicorn gthread 1×{THREADS}, "
          f"{CONCURRENCY} keep-alive client(s), {rounds} interleaved rounds")
    print(header)
    print("-" * len(header))
    for key in ("list", "floor", "bare"):
        r = figures[key]
        print(f"{labels[key]:<50} {r['requests']:>8} {r['median_ms']:>10.2f} {r['p95_ms']:>9.2f} {r['median_ms'] / bare:>7.2f}")
    print(f"SQL statements of one list request: {queries}")
    print(f"(migration {migrated:.1f} s, data {populated:.1f} s, whole run {time.monotonic() - started:.0f} s; "
          "ratios compare medians measured in this run)")
    result = {"benchmark": "application_list", "database": "postgresql", "applications": APPLICATIONS, "calls": CALLS,
              "concurrency": CONCURRENCY, "ratio_to_bare_view": round(figures["list"]["median_ms"] / bare, 3),
              "queries": queries, "floor_ratio_to_bare_view": round(figures["floor"]["median_ms"] / bare, 3)}
    for key in ("list", "floor", "bare"):
        result[f"{key}_median_ms"] = round(figures[key]["median_ms"], 3)
        result[f"{key}_p95_ms"] = round(figures[key]["p95_ms"], 3)
        result[f"{key}_requests"] = figures[key]["requests"]
    result["setup_seconds"] = round(populated, 1)
    print(json.dumps(result))


def _terminate(signum, frame):
    raise SystemExit(128 + signum)  # unwinds through main()'s finally: servers, database, folder


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _terminate)
    try:
        main()
    except BenchError as exc:
        print(f"application_list benchmark failed: {exc}", file=sys.stderr)
        sys.exit(1)
