"""Streaming a festival delivery package over HTTP from local storage.

A throw-away platform (SQLite and local storage in a temporary folder, the real app under gunicorn
as ``benchmarks/_common.Server`` runs it) holds a work whose video is a sparse file of
``BENCH_PACKAGE_BYTES`` (default 5 GB, so nothing fills the disk); a programmer's request for it is
approved and its package prepared (the worker's job, run here). Then, in the same run:

* **read** — the baseline: the video read from the same storage folder with plain ``read()`` calls
  of 1 MiB, discarded;
* **download** — the package (the same bytes plus the bag's few headers) downloaded over HTTP by a
  logged-in programmer with ``requests``, 1 MiB at a time, discarded. Figure: ``ratio_to_read`` =
  download throughput / read throughput (goal ≥ 0.7);
* **memory** — the gunicorn worker's RSS sampled with psutil every 20 ms during the downloads.
  Figure: ``peak_mb`` (goal flat, under 200 MB), with ``idle_mb`` before the first download and
  ``growth_mb`` between the two (the whole application at rest is most of it);
* **generator** — the ZIP generator alone in this process, without HTTP (``generator_mb_s``), to
  tell the package code's cost from the HTTP stack's;
* **resume** — one uninterrupted download hashed with SHA-256, then a download cut at a random
  point and resumed with ``Range`` from there, hashed the same way. Figure: ``resume_ok`` = 1 when
  the two digests are equal.

Run: ``.venv/bin/python benchmarks/package.py``. ``BENCH_PACKAGE_BYTES`` sets the size (5 GB by
default; about a minute here). The last line printed is one JSON object.
"""

import hashlib
import json
import os
import random
import re
import shutil
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._common import BenchError, Server  # noqa: E402

SIZE = int(os.environ.get("BENCH_PACKAGE_BYTES", str(5 * 10**9)))
CHUNK = 1024 * 1024
PASSWORD = "a long and quiet river 42"
ZERO = bytes(8 * CHUNK)


def zeros_sha256(size):
    digest, left = hashlib.sha256(), size
    while left:
        piece = min(left, len(ZERO))
        digest.update(ZERO if piece == len(ZERO) else ZERO[:piece])
        left -= piece
    return digest.hexdigest()


def build_platform(folder):
    """Migrate a throw-away database and set up the approved request; returns what the run needs."""
    os.environ.update(RESIDENCY_DATA_DIR=str(folder), DATABASE_URL=f"sqlite:///{folder / 'bench.sqlite3'}",
                      SECRET_KEY="bench-package-secret")
    for name in ("REDIS_URL", "S3_BUCKET"):
        os.environ.pop(name, None)
    from flask_migrate import upgrade

    from residency import create_app
    from residency.accounts.models import RoleGrant, User
    from residency.accounts.passwords import hash_password
    from residency.core.types import utcnow
    from residency.extensions import db
    from residency.festivals import packages, rights
    from residency.festivals.models import CatalogueEntry, Edition, Festival
    from residency.media.models import AssetState, MediaAsset, Work
    from residency.storage import get_storage

    app = create_app()
    with app.app_context():
        upgrade()
        festival = db.session.execute(db.select(Festival).where(Festival.slug == "ars-electronica")).scalar_one()
        festival.delivery_profile = {"video": "original", "subtitles": "none", "stills": False, "press_kit": False}
        artist = User(email="artist@bench.example.org", password_hash="!", display_name="Artist",
                      email_verified_at=utcnow())
        programmer = User(email="prog@bench.example.org", password_hash=hash_password(PASSWORD),
                          display_name="Programmer", email_verified_at=utcnow())
        db.session.add_all([artist, programmer])
        db.session.flush()
        db.session.add(RoleGrant(user_id=programmer.id, role="festival_programmer", scope_type="festival",
                                 scope_id=festival.id))
        edition = Edition(festival_id=festival.id, name="Bench", starts_on=date.today() + timedelta(days=10),
                          ends_on=date.today() + timedelta(days=12), venues=["Hall"])
        work = Work(owner_id=artist.id, title="Long Take")
        db.session.add_all([edition, work])
        db.session.flush()
        sha = zeros_sha256(SIZE)
        key = f"works/{work.id}/original/{sha}.mov"
        path = get_storage().path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as sparse:
            sparse.truncate(SIZE)
        db.session.add(MediaAsset(work_id=work.id, owner_id=artist.id, slot=f"work:{work.id}", kind="video",
                                  original_filename="long take.mov", size=SIZE, sha256=sha, state=AssetState.READY,
                                  original_key=key, ext="mov"))
        db.session.add(CatalogueEntry(work_id=work.id))
        db.session.commit()
        request = rights.create_request(programmer, festival, edition, work, "screening")
        db.session.commit()
        rights.decide(artist, request, True)
        db.session.commit()
        started = time.perf_counter()
        if packages.prepare(request.package.id) != "ready":
            raise BenchError(f"package not ready: {request.package.error}")
        prepare_seconds = time.perf_counter() - started
        stream_rate = _generator_rate(request.package)
        with app.test_request_context():
            from residency.festivals.delivery import make_link_token

            token = make_link_token(request.package, programmer)
        return {"video": path, "token": token, "size": request.package.size, "prepare_seconds": prepare_seconds,
                "stream_rate": stream_rate}


def _generator_rate(package):
    """Bytes a second of the package's ZIP generator alone, in this process (no HTTP): where the
    time goes between reading the storage and serving the download."""
    from residency.festivals.packages import byte_stream

    started, total = time.perf_counter(), 0
    for chunk in byte_stream(package, 0, package.size - 1):
        total += len(chunk)
    return total / (time.perf_counter() - started)


def read_baseline(path):
    started, total = time.perf_counter(), 0
    with open(path, "rb") as stream:
        while True:
            data = stream.read(CHUNK)
            if not data:
                break
            total += len(data)
    return total, time.perf_counter() - started


class Sampler(threading.Thread):
    """The peak RSS of a process and its children, sampled every 20 ms."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        import psutil

        self.process, self.peak, self.running = psutil.Process(pid), 0, True

    def rss(self):
        total = 0
        for proc in [self.process, *self.process.children(recursive=True)]:
            try:
                total = max(total, proc.memory_info().rss)  # the worker's own RSS (not the arbiter's sum)
            except Exception:  # noqa: BLE001  (a process gone meanwhile)
                pass
        return total

    def run(self):
        while self.running:
            self.peak = max(self.peak, self.rss())
            time.sleep(0.02)  # sampling interval


def log_in(session, port):
    page = session.get(f"http://127.0.0.1:{port}/login", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = session.post(f"http://127.0.0.1:{port}/login", data={"csrf_token": token, "email": "prog@bench.example.org",
                                                                  "password": PASSWORD}, allow_redirects=False,
                          timeout=30)
    if answer.status_code != 302:
        raise BenchError(f"login refused: {answer.status_code}")


def download(port, cookie, path, headers=None, digest=None, stop_after=None):
    """GET ``path`` with ``http.client``, reading into one reused buffer (discarding or hashing), so
    the client costs as little as possible; returns (bytes, seconds)."""
    import http.client

    started, total = time.perf_counter(), 0
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Cookie": cookie, **(headers or {})})
        response = connection.getresponse()
        if response.status not in (200, 206):
            raise BenchError(f"download answered {response.status}")
        buffer = memoryview(bytearray(8 * CHUNK))
        while True:
            wanted = len(buffer) if stop_after is None else min(len(buffer), stop_after - total)
            if wanted <= 0:
                break
            n = response.readinto(buffer[:wanted])
            if not n:
                break
            total += n
            if digest is not None:
                digest.update(buffer[:n])
    finally:
        connection.close()
    return total, time.perf_counter() - started


def main():
    import requests

    folder = Path(tempfile.mkdtemp(prefix="bench-package-"))
    server = None
    try:
        setup = build_platform(folder)
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        server = Server("web", "wsgi:app", env, folder)
        server.wait_ready("/", time.monotonic() + 60)
        session = requests.Session()
        log_in(session, server.port)
        cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
        path = f"/festivals/download/{setup['token']}"
        read_baseline(setup["video"])  # warm the page cache's view of the file, as for the download
        sampler = Sampler(server.process.pid)
        idle_mb = sampler.rss() / 2**20
        sampler.start()
        read_bytes, read_seconds = read_baseline(setup["video"])
        got, seconds = download(server.port, cookie, path)
        if got != setup["size"]:
            raise BenchError(f"downloaded {got} of {setup['size']} bytes")
        whole = hashlib.sha256()
        download(server.port, cookie, path, digest=whole)
        cut = random.Random().randrange(1, setup["size"] - 1)
        resumed = hashlib.sha256()
        first, _ = download(server.port, cookie, path, digest=resumed, stop_after=cut)
        rest, _ = download(server.port, cookie, path, headers={"Range": f"bytes={first}-"}, digest=resumed)
        sampler.running = False
        sampler.join()
        read_rate, download_rate = read_bytes / read_seconds, got / seconds
        result = {
            "package_bytes": setup["size"],
            "prepare_seconds": round(setup["prepare_seconds"], 2),
            "read_mb_s": round(read_rate / 1e6, 1),
            "generator_mb_s": round(setup["stream_rate"] / 1e6, 1),
            "download_mb_s": round(download_rate / 1e6, 1),
            "ratio_to_read": round(download_rate / read_rate, 3),
            "idle_mb": round(idle_mb, 1),
            "peak_mb": round(sampler.peak / 2**20, 1),
            "growth_mb": round(sampler.peak / 2**20 - idle_mb, 1),
            "resume_cut": cut,
            "resume_ok": int(first + rest == setup["size"] and resumed.digest() == whole.digest()),
        }
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{'package':<28}{result['package_bytes'] / 1e9:>10.2f} GB")
    print(f"{'prepare (CRC-32 pass)':<28}{result['prepare_seconds']:>10.2f} s")
    print(f"{'read from storage':<28}{result['read_mb_s']:>10.1f} MB/s")
    print(f"{'ZIP generator, no HTTP':<28}{result['generator_mb_s']:>10.1f} MB/s")
    print(f"{'download over HTTP':<28}{result['download_mb_s']:>10.1f} MB/s")
    print(f"{'ratio to read (goal ≥ 0.7)':<28}{result['ratio_to_read']:>10.3f}")
    print(f"{'web worker RSS idle / peak':<28}{result['idle_mb']:>6.1f} / {result['peak_mb']:.1f} MB "
          f"(+{result['growth_mb']:.1f})")
    print(f"{'resumed = whole (SHA-256)':<28}{result['resume_ok']:>10d}  (cut at byte {result['resume_cut']})")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
