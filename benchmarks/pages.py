"""Pages of the platform against a bare Flask view on the same stack, served for real over HTTP.

Two gunicorn servers run side by side with the Procfile's ``web`` settings (gthread, 1 worker,
8 threads), both on the same throw-away database:

* the real application (``wsgi:app``), migrated beforehand so the 22 cities exist;
* a bare Flask app written to the temporary folder: one view, one query
  (``SELECT id, slug, name FROM cities ORDER BY name`` through a plain SQLAlchemy engine),
  a JSON answer. This is the baseline: Flask + gunicorn + the database, and nothing else.

A load generator (Python threads, one keep-alive ``http.client`` connection each) warms every
endpoint up, then runs interleaved batches (the order rotates each round) so that both servers
see the same noise. Reported per endpoint: requests, median and p95 latency, throughput, and
the ratio of the median to the bare view's median measured in the same run.

The database is SQLite in the temporary folder, or, when ``BENCH_DATABASE_URL`` is set
(e.g. ``postgresql://postgres@127.0.0.1:5432/test``), a throw-away PostgreSQL database created
there and dropped at the end.

Run: ``.venv/bin/python benchmarks/pages.py`` (or ``make bench``). Tunables (environment):
``BENCH_CONCURRENCY`` (4), ``BENCH_REQUESTS`` per batch (300), ``BENCH_ROUNDS`` (8),
``BENCH_SECONDS`` (35, the budget for the measured part). The last line printed is one JSON object.
"""

import http.client
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _common import BIN, ROOT, THREADS, BenchError, Postgres, Server, median, percentile  # noqa: E402  (benchmarks/ is on sys.path)

CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "4"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "300"))  # per batch
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "8"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "40"))  # per endpoint, discarded
BUDGET = float(os.environ.get("BENCH_SECONDS", "35"))  # measured part, all batches together
STARTUP_TIMEOUT = 30.0
REQUEST_TIMEOUT = 10.0

# (key, label, server, path, content type the answer must have)
ENDPOINTS = [
    ("api_cities", "GET /api/v1/cities (JSON)", "app", "/api/v1/cities", "application/json"),
    ("cities_page", "GET /cities/ (HTML)", "app", "/cities/", "text/html"),
    ("home", "GET / (HTML)", "app", "/", "text/html"),
    ("bare", "bare Flask view (JSON)", "bare", "/bare", "application/json"),
]

BARE_APP = '''\
"""Bare Flask view on the same stack: one query through a plain SQLAlchemy engine."""
import os

from flask import Flask, jsonify
from sqlalchemy import create_engine, text

engine = create_engine(os.environ["BARE_DATABASE_URL"], pool_pre_ping=True)
QUERY = text("SELECT id, slug, name FROM cities ORDER BY name")
app = Flask(__name__)


@app.get("/bare")
def bare():
    with engine.connect() as connection:
        rows = connection.execute(QUERY).all()
    return jsonify({"cities": [{"id": r.id, "slug": r.slug, "name": r.name} for r in rows]})
'''


# --- infrastructure ------------------------------------------------------------------------------

def server_env(data_dir, database_url):
    """The environment of the embedded default, pointed at the throw-away data and database."""
    env = dict(os.environ)
    for name in ("DATABASE_URL", "REDIS_URL", "S3_BUCKET", "SMTP_HOST", "CELERY_BROKER_URL",
                 "CELERY_RESULT_BACKEND", "TRUST_PROXY", "BASE_URL", "HTTPS"):
        env.pop(name, None)
    env.update(
        RESIDENCY_DATA_DIR=str(data_dir),
        SECRET_KEY="bench-" + secrets.token_urlsafe(24),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def run_checked(command, env, what):
    result = subprocess.run(command, cwd=str(ROOT), env=env, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise BenchError(f"{what} failed ({result.returncode}):\n{result.stdout[-2000:]}{result.stderr[-2000:]}")


# --- load generator ------------------------------------------------------------------------------

def run_batch(port, path, content_type, count, concurrency, deadline):
    """``count`` GETs over ``concurrency`` keep-alive connections; returns (latencies s, wall s).

    Stops early at ``deadline``. Any non-200 answer or wrong content type aborts the benchmark:
    a fast error page is not a fast page.
    """
    latencies = []
    errors = []
    lock = threading.Lock()
    issued = [0]
    start_barrier = threading.Barrier(concurrency + 1)

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        mine = []
        try:
            connection.connect()
            start_barrier.wait()
            while True:
                with lock:
                    if issued[0] >= count or errors:
                        break
                    issued[0] += 1
                if time.monotonic() > deadline:
                    break
                for attempt in (1, 2):
                    try:
                        t0 = time.perf_counter()
                        connection.request("GET", path, headers={"Accept-Encoding": "identity"})
                        response = connection.getresponse()
                        body = response.read()
                        elapsed = time.perf_counter() - t0
                        break
                    except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                        connection.close()  # the server dropped the idle connection: reconnect once
                        if attempt == 2:
                            raise
                        connection.connect()
                if response.status != 200 or content_type not in response.getheader("Content-Type", ""):
                    errors.append(f"{path}: HTTP {response.status} {response.getheader('Content-Type')} {body[:200]!r}")
                    break
                mine.append(elapsed)
                if response.will_close:
                    connection.close()
                    connection.connect()
        except threading.BrokenBarrierError:
            pass
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(f"{path}: {exc!r}")
            start_barrier.abort()
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    try:
        start_barrier.wait(timeout=REQUEST_TIMEOUT)
    except threading.BrokenBarrierError:
        pass
    t0 = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - t0
    if errors:
        raise BenchError(errors[0])
    return latencies, wall


# --- the benchmark -------------------------------------------------------------------------------

def sanity_check(ports):
    """Both servers must answer with the same 22 cities before anything is timed."""
    counts = {}
    for server, path in (("app", "/api/v1/cities"), ("bare", "/bare")):
        connection = http.client.HTTPConnection("127.0.0.1", ports[server], timeout=REQUEST_TIMEOUT)
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        if response.status != 200:
            raise BenchError(f"{server} {path}: HTTP {response.status}")
        counts[server] = len(json.loads(body)["cities"])
    if counts["app"] != counts["bare"] or counts["app"] == 0:
        raise BenchError(f"servers disagree on the cities: {counts}")
    return counts["app"]


def measure(ports):
    deadline_all = time.monotonic() + BUDGET
    for key, _label, server, path, ctype in ENDPOINTS:  # warm-up: imports, template compilation, pools
        run_batch(ports[server], path, ctype, WARMUP, CONCURRENCY, time.monotonic() + 10)

    samples = {key: [] for key, *_ in ENDPOINTS}
    walls = {key: 0.0 for key, *_ in ENDPOINTS}
    batch_budget = BUDGET / (ROUNDS * len(ENDPOINTS))
    rounds_done = 0
    for round_index in range(ROUNDS):
        if time.monotonic() > deadline_all:
            break
        shift = round_index % len(ENDPOINTS)
        for key, _label, server, path, ctype in ENDPOINTS[shift:] + ENDPOINTS[:shift]:
            latencies, wall = run_batch(ports[server], path, ctype, REQUESTS, CONCURRENCY,
                                        time.monotonic() + batch_budget)
            samples[key].extend(latencies)
            walls[key] += wall
        rounds_done += 1

    results = {}
    for key, *_ in ENDPOINTS:
        values = sorted(samples[key])
        results[key] = {
            "requests": len(values),
            "median_ms": median(values) * 1000,
            "p95_ms": percentile(values, 0.95) * 1000,
            "rps": len(values) / walls[key] if walls[key] else float("nan"),
        }
    return results, rounds_done


def report(results, backend, rounds_done, cities, started):
    bare = results["bare"]["median_ms"]
    header = f"{'endpoint':<28} {'requests':>8} {'median ms':>10} {'p95 ms':>9} {'req/s':>8} {'× bare':>7}"
    print()
    print(f"pages: real app vs bare Flask view — gunicorn gthread 1×{THREADS}, {backend}, "
          f"{cities} cities, {CONCURRENCY} keep-alive clients, {rounds_done} interleaved rounds")
    print(header)
    print("-" * len(header))
    for key, label, *_ in ENDPOINTS:
        r = results[key]
        print(f"{label:<28} {r['requests']:>8} {r['median_ms']:>10.2f} {r['p95_ms']:>9.2f} "
              f"{r['rps']:>8.0f} {r['median_ms'] / bare:>7.2f}")
    print(f"(whole run {time.monotonic() - started:.0f} s; ratios compare medians measured in this run)")
    figures = {"benchmark": "pages", "database": backend, "concurrency": CONCURRENCY,
               "bare_median_ms": round(bare, 3)}
    for key, *_ in ENDPOINTS:
        if key != "bare":
            figures[f"{key}_median_ms"] = round(results[key]["median_ms"], 3)
    for key, *_ in ENDPOINTS:
        if key != "bare":
            figures[f"{key}_ratio"] = round(results[key]["median_ms"] / bare, 3)
    for key, *_ in ENDPOINTS:
        figures[f"{key}_p95_ms"] = round(results[key]["p95_ms"], 3)
        figures[f"{key}_rps"] = round(results[key]["rps"], 1)
        figures[f"{key}_requests"] = results[key]["requests"]
    print(json.dumps(figures))


def main():
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    servers = []
    postgres = None
    try:
        data_dir = tmp / "data"
        data_dir.mkdir()
        admin_url = os.environ.get("BENCH_DATABASE_URL")
        if admin_url:
            postgres = Postgres(admin_url, "bench_pages")
            try:
                postgres.create()
            except Exception as exc:  # noqa: BLE001 - a readable message, not a driver traceback
                raise BenchError(f"cannot create a database via BENCH_DATABASE_URL: {exc}") from exc
            database_url, backend = postgres.url, "postgresql"
        else:
            database_url, backend = None, "sqlite"
        env = server_env(data_dir, database_url)

        run_checked([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], env, "flask db upgrade")

        (tmp / "bare_app.py").write_text(BARE_APP)
        bare_env = dict(env, BARE_DATABASE_URL=database_url or f"sqlite:///{data_dir / 'residency.sqlite3'}")

        app_server = Server("app", "wsgi:app", env, tmp)
        servers.append(app_server)
        bare_server = Server("bare", "bare_app:app", bare_env, tmp, chdir=tmp)
        servers.append(bare_server)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        app_server.wait_ready("/healthz", deadline)
        bare_server.wait_ready("/bare", deadline)
        ports = {"app": app_server.port, "bare": bare_server.port}

        cities = sanity_check(ports)
        results, rounds_done = measure(ports)
        for server in servers:
            if server.process.poll() is not None:
                raise BenchError(f"{server.name} server died during the run\n{server.log_tail()}")
        report(results, backend, rounds_done, cities, started)
    finally:
        for server in servers:
            server.stop()
        if postgres is not None:
            try:
                postgres.drop()
            except Exception as exc:  # noqa: BLE001 - do not hide the original error
                print(f"could not drop database {postgres.name}: {exc!r}", file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)


def _terminate(signum, frame):
    raise SystemExit(128 + signum)  # unwinds through main()'s finally: servers, database, folder


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _terminate)
    try:
        main()
    except BenchError as exc:
        print(f"pages benchmark failed: {exc}", file=sys.stderr)
        sys.exit(1)
