"""Live rooms under load: delivery latency, the largest room within 100 ms at p95, lost messages,
connections and memory per process, against the floor of a bare Redis PUBLISH.

As deployed (Procfile, docker-compose.yml): two web processes (gunicorn, one gevent worker each)
sharing a private Redis server and a throw-away PostgreSQL database. Clients (python-socketio
AsyncClient on aiohttp, all in this one process, half on each web process, as a sticky proxy
spreads them) join one room; a tenth of them send chat at a steady rate (the room receives
``ROOMS_BENCH_RATE`` messages a second in all), every client receives every message. A message
carries its send time; its delivery latency is the receiving time minus that (same clock).

- ``p50_ms``, ``p95_ms``, ``p99_ms``: delivery latency with 100 clients;
- ``max_clients_p95_under_100ms``: the largest level (``ROOMS_BENCH_LEVELS``) whose p95 stayed
  under 100 ms with nothing lost (goal 1,000);
- ``lost``: deliveries missing at the end of all levels (each acknowledged message × each client);
- ``max_connections_per_process``: idle authenticated sockets one process accepted, up to
  ``ROOMS_BENCH_MAX_CONNECTIONS`` (it held at least that many), and ``kb_per_connection`` the growth
  of its resident memory per socket;
- ``redis_floor_ms``: median round trip of a bare PUBLISH to a subscriber on the same Redis, in the
  same run — the floor the platform's fan-out between processes sits on.

The client side shares the machine's two cores with the servers, so figures are pessimistic.
Settings: ``BENCH_DATABASE_URL`` (admin connection, default the test server), ``ROOMS_BENCH_LEVELS``
(``100,250,500,1000``), ``ROOMS_BENCH_SECONDS`` per level (12), ``ROOMS_BENCH_RATE`` (2),
``ROOMS_BENCH_MAX_CONNECTIONS`` (2000).
"""

import asyncio
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import BIN, ROOT, BenchError, Postgres, free_port  # noqa: E402

ADMIN_URL = os.environ.get("BENCH_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test"
LEVELS = [int(x) for x in os.environ.get("ROOMS_BENCH_LEVELS", "100,250,500,1000").split(",")]
SECONDS = float(os.environ.get("ROOMS_BENCH_SECONDS", "12"))
RATE = float(os.environ.get("ROOMS_BENCH_RATE", "2"))
MAX_CONNECTIONS = int(os.environ.get("ROOMS_BENCH_MAX_CONNECTIONS", "2000"))
USER_AGENT = "rooms-benchmark"

SEED = r"""
import json, sys
from datetime import date, timedelta
from flask_login.utils import _create_identifier
from residency import create_app
from residency.extensions import db
from residency.accounts.models import LoginSession, User, hash_token, new_token
from residency.cities.models import City
from residency.core.types import utcnow
from residency.residencies.models import Participant, Residency
from residency.rooms import rooms_ops

count = int(sys.argv[1])
app = create_app()
with app.app_context():
    city = db.session.execute(db.select(City).where(City.slug == "lyon")).scalar_one()
    residency = Residency(city_id=city.id, title="Benchmark", description="", timezone="UTC",
                          starts_on=date.today(), ends_on=date.today() + timedelta(days=30))
    db.session.add(residency)
    users = [User(email=f"b{n}@bench.example.org", password_hash="!", display_name=f"Bench {n}",
                  email_verified_at=utcnow()) for n in range(count)]
    db.session.add_all(users)
    db.session.flush()
    db.session.add_all(Participant(residency_id=residency.id, user_id=u.id, role="artist") for u in users)
    room = rooms_ops.residency_room(residency)
    tokens = []
    for user in users:
        token = new_token()
        tokens.append(token)
        db.session.add(LoginSession(token_hash=hash_token(token), user_id=user.id, user_agent=%(agent)r))
    db.session.commit()
    serializer = app.session_interface.get_signing_serializer(app)
    with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": %(agent)r}):
        identifier = _create_identifier()
    cookies = [serializer.dumps({"_user_id": t, "_fresh": True, "_id": identifier, "_permanent": True}) for t in tokens]
    print(json.dumps({"room": room.id, "cookies": cookies, "cookie_name": app.config["SESSION_COOKIE_NAME"]}))
"""


class Platform:
    """Redis, PostgreSQL and two web processes, all throw-away."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.redis_port = free_port()
        self.ports = [free_port(), free_port()]
        self.postgres = Postgres(ADMIN_URL, "rooms_bench")
        self.processes = []
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("DATABASE_URL", "REDIS_URL", "S3_", "SMTP_", "TEST_", "CELERY_"))}

    def start(self, users):
        redis_server = shutil.which("redis-server")
        if not redis_server:
            raise BenchError("redis-server is not installed")
        self._spawn("redis", [redis_server, "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no", "--dir", str(self.workdir)])
        try:
            self.postgres.create()
        except Exception as exc:
            raise BenchError(f"cannot create a database via BENCH_DATABASE_URL ({ADMIN_URL}): {exc}") from exc
        self.env.update(RESIDENCY_DATA_DIR=str(self.workdir / "data"), SECRET_KEY=secrets.token_urlsafe(32),
                        DATABASE_URL=self.postgres.url, REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0",
                        BASE_URL=f"http://127.0.0.1:{self.ports[0]}", LOG_LEVEL="WARNING",
                        SOCKETIO_CORS_ORIGINS=",".join(f"http://127.0.0.1:{p}" for p in self.ports))
        for args in (["db", "upgrade"], ["residency", "load-cities"]):
            self._run([str(BIN / "flask"), "--app", "wsgi", *args])
        seeded = json.loads(self._run([str(BIN / "python"), "-c", SEED % {"agent": USER_AGENT}, str(users)])
                            .strip().splitlines()[-1])
        for port in self.ports:
            # The Procfile's web line (one gevent worker per process).
            self._spawn(f"web{port}", [str(BIN / "gunicorn"), "--worker-class", "gevent", "--workers", "1",
                                       "--worker-connections", str(MAX_CONNECTIONS + 200), "--bind",
                                       f"127.0.0.1:{port}", "--no-control-socket", "wsgi:app"])
        for port in self.ports:
            self._wait(port)
        return seeded

    def _run(self, args):
        result = subprocess.run(args, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            raise BenchError(f"{' '.join(args[:3])} failed: {result.stderr[-2000:]}")
        return result.stdout

    def _spawn(self, name, args):
        log = open(self.workdir / f"{name}.log", "w")
        self.processes.append(subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                               start_new_session=True))

    def _wait(self, port, timeout=60):
        import http.client

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status in (200, 503):
                    return
            except OSError:
                time.sleep(0.2)
        raise BenchError(f"web process on {port} did not start")

    def web_pids(self):
        return [process.pid for process in self.processes[1:]]

    def stop(self):
        for process in reversed(self.processes):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(15)
                except (subprocess.TimeoutExpired, ProcessLookupError):
                    try:
                        os.killpg(process.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
        self.postgres.drop()


def percentile(values, fraction):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, int(round(fraction * len(ordered) + 0.5)) - 1))]


async def redis_floor(url, samples=200):
    import redis.asyncio as aioredis

    subscriber, publisher = aioredis.Redis.from_url(url), aioredis.Redis.from_url(url)
    pubsub = subscriber.pubsub()
    await pubsub.subscribe("floor")
    await pubsub.get_message(timeout=1)
    times = []
    for n in range(samples):
        start = time.perf_counter()
        await publisher.publish("floor", str(n))
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5)
            if message is not None:
                break
        times.append((time.perf_counter() - start) * 1000)
    await pubsub.aclose()
    await subscriber.aclose()
    await publisher.aclose()
    return statistics.median(times)


class Member:
    """One benchmark client: receives the room's events and notes each delivery's latency."""

    def __init__(self, index, url, cookie, room, level):
        import socketio

        self.index, self.url, self.cookie, self.room, self.level = index, url, cookie, room, level
        self.sio = socketio.AsyncClient(reconnection=False)
        self.received = set()
        self.sio.on("room.event", self.on_event)

    async def on_event(self, event):
        now = time.time()
        text = event["message"]["text"]
        if event["type"] == "message" and text.startswith("t="):
            sent = float(text.split(" ", 1)[0][2:])
            self.received.add(event["message"]["seq"])
            self.level["latencies"].append((now - sent) * 1000)

    async def open(self, join=True):
        await self.sio.connect(self.url, headers=self.cookie, transports=["websocket"], wait_timeout=30)
        if join:
            answer = await self.sio.call("room.join", {"room": self.room, "after": None}, timeout=60)
            if not answer.get("ok"):
                raise BenchError(f"join refused: {answer}")

    async def close(self):
        await self.sio.disconnect()


async def gather_limited(coroutines, limit=50):
    semaphore = asyncio.Semaphore(limit)

    async def run(coroutine):
        async with semaphore:
            return await coroutine

    return await asyncio.gather(*(run(c) for c in coroutines))


async def run_level(count, seeded, urls, tag):
    """``count`` clients in the room for ``SECONDS``; returns latencies, lost, sent."""
    level = {"latencies": []}
    name = seeded["cookie_name"]
    members = [Member(n, urls[n % 2], {"Cookie": f"{name}={seeded['cookies'][n]}", "User-Agent": USER_AGENT},
                      seeded["room"], level) for n in range(count)]
    await gather_limited([m.open() for m in members])
    await asyncio.sleep(1.0)
    senders = members[: max(1, count // 10)]
    acked = []

    async def send_one(k):
        # Message k leaves at k / RATE seconds, from the senders in turn: the room gets a steady
        # RATE messages a second, each sender one every len(senders) / RATE seconds.
        await asyncio.sleep(k / RATE)
        member = senders[k % len(senders)]
        answer = await member.sio.call("message.send", {
            "room": member.room, "client_id": f"b{tag}-{k}", "text": f"t={time.time():.6f} from {member.index}"},
            timeout=60)
        if answer.get("ok"):
            acked.append(answer["message"]["seq"])

    await asyncio.gather(*(send_one(k) for k in range(int(RATE * SECONDS))))
    await asyncio.sleep(3.0)  # the last deliveries
    expected = set(acked)
    lost = sum(len(expected - m.received) for m in members)
    await gather_limited([m.close() for m in members])
    return level["latencies"], lost, len(acked)


async def hold_connections(seeded, url, pid, offset):
    """Open idle authenticated sockets on one process until ``MAX_CONNECTIONS`` or a refusal."""
    import psutil

    arbiter = psutil.Process(pid)
    process = (arbiter.children() or [arbiter])[0]  # gunicorn's worker serves the sockets
    before = process.memory_info().rss
    name = seeded["cookie_name"]
    members, opened = [], 0
    for start in range(0, MAX_CONNECTIONS, 100):
        batch = [Member(n, url, {"Cookie": f"{name}={seeded['cookies'][(offset + n) % len(seeded['cookies'])]}",
                                 "User-Agent": USER_AGENT}, seeded["room"], {"latencies": []})
                 for n in range(start, min(start + 100, MAX_CONNECTIONS))]
        results = await asyncio.gather(*(m.open(join=False) for m in batch), return_exceptions=True)
        ok = [m for m, r in zip(batch, results) if not isinstance(r, Exception)]
        failed = [r for r in results if isinstance(r, Exception)]
        if failed:
            print(f"(after {opened + len(ok)} connections: {failed[0]!r})")
        members += ok
        opened += len(ok)
        if len(ok) < len(batch):
            break
    await asyncio.sleep(2.0)
    after = process.memory_info().rss
    await gather_limited([m.close() for m in members], limit=200)
    return opened, (after - before) / 1024 / max(1, opened)


async def measure(platform, seeded):
    urls = [f"http://127.0.0.1:{port}" for port in platform.ports]
    floor = await redis_floor(platform.env["REDIS_URL"])
    levels, lost_total = [], 0
    for tag, count in enumerate(LEVELS):
        latencies, lost, sent = await run_level(count, seeded, urls, tag)
        lost_total += lost
        levels.append({"clients": count, "sent": sent, "deliveries": len(latencies), "lost": lost,
                       "p50": percentile(latencies, 0.50), "p95": percentile(latencies, 0.95),
                       "p99": percentile(latencies, 0.99)})
        print(f"{count:>6} clients  {sent:>4} sent  {len(latencies):>7} delivered  lost {lost:>4}  "
              f"p50 {levels[-1]['p50']:7.1f}  p95 {levels[-1]['p95']:7.1f}  p99 {levels[-1]['p99']:7.1f} ms", flush=True)
    held, kb = await hold_connections(seeded, urls[0], platform.web_pids()[0], 0)
    return floor, levels, lost_total, held, kb


def main():
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="rooms-bench-"))
    platform = Platform(workdir)
    try:
        seeded = platform.start(max(max(LEVELS), MAX_CONNECTIONS))
        print(f"(set up in {time.monotonic() - started:.0f} s: two gevent web processes, Redis, PostgreSQL)")
        floor, levels, lost, held, kb = asyncio.run(measure(platform, seeded))
    finally:
        platform.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    at_100 = next((level for level in levels if level["clients"] == 100), levels[0])
    within = [level["clients"] for level in levels if level["p95"] < 100 and level["lost"] == 0]
    print(f"{'redis PUBLISH round trip (median)':<50} {floor:8.2f} ms")
    print(f"{'connections one process held (cap ' + str(MAX_CONNECTIONS) + ')':<50} {held:8d}")
    print(f"{'memory per connection':<50} {kb:8.1f} KiB")
    load = os.getloadavg()[0]
    print(f"(whole run {time.monotonic() - started:.0f} s; machine load average {load:.1f} on {os.cpu_count()} cores)")
    print(json.dumps({
        "benchmark": "rooms", "rate_per_second": RATE, "load_average": round(load, 2), "seconds_per_level": SECONDS,
        "p50_ms": round(at_100["p50"], 1), "p95_ms": round(at_100["p95"], 1), "p99_ms": round(at_100["p99"], 1),
        "max_clients_p95_under_100ms": max(within) if within else 0, "lost": lost,
        "max_connections_per_process": held, "kb_per_connection": round(kb, 1), "redis_floor_ms": round(floor, 3),
        "levels": [{k: (round(v, 1) if isinstance(v, float) else v) for k, v in level.items()} for level in levels],
    }))


def _terminate(signum, frame):
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _terminate)
    try:
        main()
    except BenchError as exc:
        print(f"rooms benchmark failed: {exc}", file=sys.stderr)
        sys.exit(1)
