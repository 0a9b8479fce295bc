"""Media ingest: verify + store throughput, the screening transcode, and memory while uploading
and processing a 2 GB file, each against a baseline measured in the same run.

Three parts, one after the other, all on throw-away data in a temporary folder:

* **ingest** — ``pipeline.verify`` (detection by content, streamed SHA-256, move from quarantine
  to the original key) on a ~2 GiB video, in this process, inside an app context of a throw-away
  application (SQLite in the temporary folder, migrated with ``flask_migrate.upgrade``), against
  ``hashlib.sha256`` reading the same file with the same chunk size. Interleaved rounds, page
  cache warm for both (the file is read once before timing). Figure: ``ingest_ratio`` =
  throughput of verify / throughput of hashlib (medians).
* **transcode** — ``PROFILES["screening"].make(...)`` on a 10 s 1280×720 MPEG-4 part 2 + PCM
  Matroska clip (not screening-compliant, so it really transcodes), against the bare ``ffmpeg``
  command with the exact argument list the profile built (captured by running the profile once
  with ``run_ffmpeg`` replaced by a recorder that stops before ffmpeg starts).
  ``MEDIA_X264_PRESET=veryfast`` for both. Figure: ``transcode_ratio`` = median ours / median bare.
* **memory** — the real platform (``tests/live/stack.py``: gunicorn + a Celery worker on the
  embedded default, ``MEDIA_X264_PRESET=ultrafast``): an admin created with the CLI logs in,
  creates a work through the form and uploads the file over HTTP in 8 MiB parts streamed from
  disk with ``requests``; RSS is sampled with psutil every 50 ms for the web process (the
  gunicorn worker), the Celery worker (main process + pool children) and the ffmpeg/ffprobe
  processes it starts, until the asset is ready or failed or a time budget runs out. Done with
  a 200 MiB file and with the ~2 GiB file, each on a fresh stack.

The video is real media (detection is by content): 1920×1080 25 fps uncompressed video
(``rawvideo``, yuv420p) + PCM stereo in Matroska, a 2 s segment made once with ffmpeg and looped
with stream copy to the wanted size (``-stream_loop -1 -c copy -fs``), so 2 GiB is only ~28 s of
picture and the worker's transcodes finish in bounded time. (MPEG-TS would be the usual way to
concatenate segments, but ``detect`` refuses MPEG-TS: see benchmarks/README.md.)

Run: ``.venv/bin/python benchmarks/ingest.py``. Needs ffmpeg/ffprobe and 8 GiB of free disk.
Tunables (environment): ``BENCH_INGEST_BYTES`` (2 GiB), ``BENCH_SMALL_BYTES`` (200 MiB),
``BENCH_INGEST_ROUNDS`` (3), ``BENCH_TRANSCODE_ROUNDS`` (3), ``BENCH_PROCESS_SECONDS`` (240, the
budget for the worker's processing of one file). The last line printed is one JSON object.
"""

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MiB = 1024 * 1024
BIG_BYTES = int(os.environ.get("BENCH_INGEST_BYTES", str(2 * 1024 * MiB)))
SMALL_BYTES = int(os.environ.get("BENCH_SMALL_BYTES", str(200 * MiB)))
INGEST_ROUNDS = max(2, int(os.environ.get("BENCH_INGEST_ROUNDS", "3")))
TRANSCODE_ROUNDS = max(1, int(os.environ.get("BENCH_TRANSCODE_ROUNDS", "3")))
PROCESS_BUDGET = float(os.environ.get("BENCH_PROCESS_SECONDS", "240"))
MIN_FREE_BYTES = 8 * 1024**3
PART_SIZE = 8 * MiB
SAMPLE_INTERVAL = 0.05
PASSWORD = "a long and quiet river 42"
ADMIN_EMAIL = "bench@example.org"
FFMPEG = shutil.which("ffmpeg")
# Variables that would take the throw-away app or stack off the embedded default.
SERVICE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "S3_BUCKET", "S3_ENDPOINT_URL", "SMTP_HOST",
                     "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "SCRATCH_DIR", "BASE_URL",
                     "TRUST_PROXY", "HTTPS", "MEDIA_MAX_FILE_SIZE", "MEDIA_USER_QUOTA")
STACK_UNSET = ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "SCRATCH_DIR", "MEDIA_MAX_FILE_SIZE",
               "MEDIA_USER_QUOTA", "TRUST_PROXY", "HTTPS")


class BenchError(RuntimeError):
    pass


# --- helpers -------------------------------------------------------------------------------------

@contextlib.contextmanager
def patched_env(**values):
    """Set (or, with None, unset) environment variables for the duration of the block."""
    saved = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run(command, what, timeout=300):
    """Run a child to the end (subprocess.run kills it if we are interrupted)."""
    result = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, timeout=timeout)
    if result.returncode != 0:
        raise BenchError(f"{what} failed ({result.returncode}):\n{result.stderr.decode(errors='replace')[-2000:]}")


def mb(value):
    return value / MiB


def median(values):
    return statistics.median(values) if values else float("nan")


# --- media ---------------------------------------------------------------------------------------

def make_media(tmp):
    """The 2 s uncompressed segment, looped by stream copy into the big and the small file."""
    segment = tmp / "segment.mkv"
    run([FFMPEG, "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=25",
         "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
         "-t", "2", "-c:v", "rawvideo", "-pix_fmt", "yuv420p",
         "-c:a", "pcm_s16le", "-ac", "2", "-shortest", str(segment)], "making the segment")
    files = {}
    for name, size in (("big", BIG_BYTES), ("small", SMALL_BYTES)):
        path = tmp / f"{name}.mkv"
        run([FFMPEG, "-hide_banner", "-loglevel", "error", "-y", "-stream_loop", "-1",
             "-i", str(segment), "-map", "0", "-c", "copy", "-fs", str(size), str(path)],
            f"making the {name} file")
        files[name] = path
    segment.unlink()

    from residency.media.processing.detect import detect

    for path in files.values():
        found = detect(path)
        if found.kind != "video":
            raise BenchError(f"{path.name} was detected as {found}, not as video")
    return files, found


# --- 1. ingest -----------------------------------------------------------------------------------

def throwaway_app(data_dir):
    """The application on the embedded default, in ``data_dir``, as a Celery worker builds it."""
    from config import Config
    from residency import create_app
    from residency.core.workers import live_emitter

    unset = {name: None for name in SERVICE_VARIABLES}
    with patched_env(RESIDENCY_DATA_DIR=str(data_dir), SECRET_KEY="bench-" + secrets.token_urlsafe(24),
                     LOG_LEVEL="WARNING", **unset):
        config = Config()
    app = create_app(config)
    app.extensions["live_emitter"] = live_emitter(app)
    return app


def migrate_quietly(upgrade):
    """``flask_migrate.upgrade()`` without Alembic's INFO lines (its logging config writes to
    stderr); the handlers it installs are pointed back at the real stderr afterwards."""
    import io
    import logging

    captured = io.StringIO()
    try:
        with contextlib.redirect_stderr(captured):
            upgrade()
    except Exception:
        sys.stderr.write(captured.getvalue())
        raise
    finally:
        for logger in [logging.getLogger()] + [logging.getLogger(name) for name in logging.root.manager.loggerDict]:
            for handler in getattr(logger, "handlers", []):
                if isinstance(handler, logging.StreamHandler) and handler.stream is captured:
                    handler.setStream(sys.stderr)


def hash_baseline(path, chunk):
    """hashlib.sha256 over the file, read as the pipeline reads it (unbuffered, same chunk)."""
    digest = hashlib.sha256()
    with open(path, "rb", buffering=0) as handle:
        while True:
            data = handle.read(chunk)
            if not data:
                break
            digest.update(data)
    return digest.hexdigest()


def bench_ingest(tmp, source):
    from flask_migrate import upgrade

    from residency.accounts.models import User
    from residency.core.types import utcnow
    from residency.extensions import db
    from residency.media import pipeline
    from residency.media.models import AssetState, MediaAsset, Work
    from residency.storage import get_storage

    size = source.stat().st_size
    app = throwaway_app(tmp / "ingest-data")
    results = {"hashlib": [], "ingest": []}
    with app.app_context():
        try:
            migrate_quietly(upgrade)
            user = User(email="ingest@example.org", password_hash="!", display_name="Bench",
                        email_verified_at=utcnow())
            db.session.add(user)
            db.session.flush()
            work = Work(owner_id=user.id, title="Ingest benchmark")
            db.session.add(work)
            db.session.commit()
            user_id, work_id = user.id, work.id
            storage = get_storage()
            chunk = pipeline.HASH_CHUNK

            expected = hash_baseline(source, chunk)  # untimed: brings the whole file into the page cache
            for round_index in range(INGEST_ROUNDS):
                t0 = time.perf_counter()
                digest = hash_baseline(source, chunk)
                results["hashlib"].append(time.perf_counter() - t0)
                if digest != expected:
                    raise BenchError("hashlib gave two different digests of the same file")

                # A fresh quarantine file for each round: a hard link, no byte copied.
                key = f"quarantine/bench-{round_index}/{source.name}"
                quarantined = storage.path(key)
                quarantined.parent.mkdir(parents=True, exist_ok=True)
                os.link(source, quarantined)
                asset = MediaAsset(work_id=work_id, owner_id=user_id, slot=f"work:{work_id}",
                                   original_filename=source.name, declared_type="video/x-matroska",
                                   quarantine_key=key, size=size, state=AssetState.UPLOADED)
                db.session.add(asset)
                db.session.commit()
                asset_id = asset.id
                db.session.expunge_all()

                t0 = time.perf_counter()
                step = pipeline.verify(asset_id)
                results["ingest"].append(time.perf_counter() - t0)

                db.session.expire_all()
                asset = db.session.get(MediaAsset, asset_id)
                if step != "probe" or asset.sha256 != expected or not storage.exists(asset.original_key):
                    raise BenchError(f"verify did not store the file: step={step!r}, state={asset.state}, "
                                     f"log={asset.log[-1:] if asset.log else None}")
                if quarantined.exists():
                    raise BenchError("the quarantine file is still there after verify")
                storage.path(asset.original_key).unlink()  # so that the next round moves it again
        finally:
            db.session.remove()
            db.engine.dispose()
    hashlib_s, ingest_s = median(results["hashlib"]), median(results["ingest"])
    return {
        "size": size,
        "rounds": INGEST_ROUNDS,
        "chunk": chunk,
        "hashlib_s": hashlib_s,
        "ingest_s": ingest_s,
        "hashlib_mbps": mb(size) / hashlib_s,
        "ingest_mbps": mb(size) / ingest_s,
        "ratio": hashlib_s / ingest_s,  # throughput ratio: same bytes, so the inverse of the times
        "samples": results,
    }


# --- 2. transcode --------------------------------------------------------------------------------

class _Captured(Exception):
    pass


def screening_argv(clip, probe, scratch):
    """The argument list the screening profile gives run_ffmpeg, without running ffmpeg."""
    from residency.media.processing import derivatives

    seen = []

    def recorder(args, **_kwargs):
        seen.append(list(args))
        raise _Captured

    original = derivatives.run_ffmpeg
    derivatives.run_ffmpeg = recorder
    try:
        derivatives.PROFILES["screening"].make(clip, probe, scratch / "captured.mp4")
    except _Captured:
        pass
    finally:
        derivatives.run_ffmpeg = original
    if len(seen) != 1 or not seen[0][-1].startswith("file:"):
        raise BenchError(f"could not capture the screening command: {seen!r}")
    return seen[0]


def bench_transcode(tmp):
    from residency.media.processing.derivatives import PROFILES
    from residency.media.processing.screening import screening_compliant
    from residency.media.processing.detect import detect
    from residency.media.processing.ffmpeg import output_file
    from residency.media.processing.probe import probe as probe_file

    clip = tmp / "clip.mkv"
    run([FFMPEG, "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25",
         "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000",
         "-t", "10", "-c:v", "mpeg4", "-q:v", "3", "-c:a", "pcm_s16le", "-ac", "2",
         "-shortest", str(clip)], "making the transcode clip")
    probe = probe_file(clip, detect(clip))
    compliant, reason = screening_compliant(probe)
    if compliant:
        raise BenchError(f"the clip is already screening-compliant: {reason}")

    scratch = tmp / "transcode"
    scratch.mkdir()
    times = {"ours": [], "bare": []}
    cpu = {"ours": [], "bare": []}
    with patched_env(MEDIA_X264_PRESET="veryfast"):
        args = screening_argv(clip, probe, scratch)
        bare_out = scratch / "bare.mp4"
        bare = [FFMPEG, "-hide_banner", "-nostdin", "-y", *args[:-1], output_file(bare_out)]
        ours_out = scratch / "ours.mp4"
        run(bare, "the bare ffmpeg command (warm-up)")  # untimed: the first run loads libraries and the clip
        bare_out.unlink()
        for round_index in range(TRANSCODE_ROUNDS):
            order = ("bare", "ours") if round_index % 2 == 0 else ("ours", "bare")
            for which in order:
                c0 = children_cpu()
                t0 = time.perf_counter()
                if which == "bare":
                    run(bare, "the bare ffmpeg command")
                    produced = bare_out
                else:
                    meta = PROFILES["screening"].make(clip, probe, ours_out)
                    produced = ours_out
                    if meta.get("use_source") or meta.get("codec") != "h264":
                        raise BenchError(f"the screening profile did not transcode: {meta}")
                times[which].append(time.perf_counter() - t0)
                cpu[which].append(children_cpu() - c0)
                if not produced.exists() or produced.stat().st_size == 0:
                    raise BenchError(f"{which}: no output")
                produced.unlink()
    ours_s, bare_s = median(times["ours"]), median(times["bare"])
    return {"ours_s": ours_s, "bare_s": bare_s, "ratio": ours_s / bare_s, "rounds": TRANSCODE_ROUNDS,
            "cpu_ratio": median(cpu["ours"]) / median(cpu["bare"]), "ours_cpu_s": median(cpu["ours"]),
            "bare_cpu_s": median(cpu["bare"]), "reason": reason, "command": bare, "samples": times}


def children_cpu():
    """CPU seconds (user + system) of this process's finished children: ffmpeg and ffprobe here."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --- 3. memory on the real platform --------------------------------------------------------------

class Sampler(threading.Thread):
    """RSS of the web process, the Celery worker and its ffmpeg children, every 50 ms."""

    def __init__(self, web_arbiter_pid, worker_main_pid):
        super().__init__(daemon=True)
        import psutil

        self.psutil = psutil
        self.web_arbiter = psutil.Process(web_arbiter_pid)
        self.worker_main = psutil.Process(worker_main_pid)
        self.stop_event = threading.Event()
        self.phase = "idle"
        self.peaks = {}  # (phase, group) -> bytes
        self.samples = 0

    def _rss(self, process):
        try:
            return process.memory_info().rss
        except (self.psutil.NoSuchProcess, self.psutil.ZombieProcess, self.psutil.AccessDenied):
            return 0

    def _pss(self, process):
        try:
            return process.memory_full_info().pss  # shared pages divided among their users
        except (self.psutil.NoSuchProcess, self.psutil.ZombieProcess, self.psutil.AccessDenied, AttributeError):
            return 0

    def _children(self, process):
        try:
            return process.children()
        except (self.psutil.NoSuchProcess, self.psutil.ZombieProcess, self.psutil.AccessDenied):
            return []

    def sample(self):
        web = sum(self._rss(p) for p in self._children(self.web_arbiter))  # the gunicorn worker
        pool = self._children(self.worker_main)
        pool_rss = [self._rss(p) for p in pool]
        worker = self._rss(self.worker_main) + sum(pool_rss)
        worker_pss = self._pss(self.worker_main) + sum(self._pss(p) for p in pool)
        tools = 0
        for child in pool:
            for process in self._children(child):
                try:
                    # By name: a child forked but not yet exec'd still shows its parent's pages.
                    if process.name() in ("ffmpeg", "ffprobe"):
                        tools += self._rss(process)
                except (self.psutil.NoSuchProcess, self.psutil.ZombieProcess, self.psutil.AccessDenied):
                    pass
        for group, value in (("web", web), ("worker", worker), ("worker_pss", worker_pss),
                             ("pool_child", max(pool_rss, default=0)), ("ffmpeg", tools)):
            key = (self.phase, group)
            if value > self.peaks.get(key, 0):
                self.peaks[key] = value
        self.samples += 1

    def run(self):
        while not self.stop_event.is_set():
            self.sample()
            self.stop_event.wait(SAMPLE_INTERVAL)

    def peak(self, group, phases=("upload", "processing")):
        return max(self.peaks.get((phase, group), 0) for phase in phases)

    def stop(self):
        self.stop_event.set()
        self.join(timeout=5)


class FileSlice:
    """``length`` bytes of a file from ``offset``, read as requests sends them (never whole)."""

    def __init__(self, path, offset, length):
        self.handle = open(path, "rb")
        self.handle.seek(offset)
        self.length = self.remaining = length

    def __len__(self):
        return self.length

    def read(self, size=-1):
        if self.remaining <= 0:
            return b""
        if size is None or size < 0 or size > self.remaining:
            size = self.remaining
        data = self.handle.read(size)
        self.remaining -= len(data)
        return data

    def __iter__(self):
        while True:
            data = self.read(MiB)
            if not data:
                return
            yield data

    def close(self):
        self.handle.close()


def upload_file(browser, slot, path):
    """The resumable upload API as the browser's uploader speaks it; returns the asset id."""
    size = path.stat().st_size
    token = browser.csrf_token("/works/")
    headers = {"X-CSRFToken": token}
    created = browser.post("/media/uploads", json={"slot": slot, "filename": path.name, "size": size,
                                                   "type": "video/x-matroska"}, headers=headers)
    if created.status_code != 201:
        raise BenchError(f"POST /media/uploads: HTTP {created.status_code} {created.text[:300]}")
    upload_id = created.json()["uploadId"]
    parts = []
    for number, offset in enumerate(range(0, size, PART_SIZE), start=1):
        signed = browser.get(f"/media/uploads/{upload_id}/parts/{number}")
        if signed.status_code != 200:
            raise BenchError(f"signing part {number}: HTTP {signed.status_code} {signed.text[:300]}")
        body = FileSlice(path, offset, min(PART_SIZE, size - offset))
        try:
            put = browser.put(signed.json()["url"], data=body, timeout=120)
        finally:
            body.close()
        if put.status_code != 200:
            raise BenchError(f"PUT part {number}: HTTP {put.status_code} {put.text[:300]}")
        parts.append({"PartNumber": number, "ETag": put.headers["ETag"]})
    parts_done = time.monotonic()
    done = browser.post(f"/media/uploads/{upload_id}/complete", json={"parts": parts}, headers=headers,
                        timeout=600)
    if done.status_code != 200:
        raise BenchError(f"completing the upload: HTTP {done.status_code} {done.text[:300]}")
    return done.json()["asset"], len(parts), time.monotonic() - parts_done


def processing_state(db_path, asset_id):
    with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=10)) as connection:
        asset = connection.execute(
            "SELECT state, original_key IS NOT NULL, probe IS NOT NULL, failed_step, failure_reason "
            "FROM media_assets WHERE id=?", (asset_id,)).fetchone()
        derivatives = connection.execute(
            "SELECT profile, state FROM media_derivatives WHERE asset_id=? ORDER BY id", (asset_id,)).fetchall()
    state, stored, probed, failed_step, reason = asset
    done = (["verify"] if stored else []) + (["probe"] if probed else [])
    done += [profile for profile, dstate in derivatives if dstate == "done"]
    running = [profile for profile, dstate in derivatives if dstate == "running"]
    return state, done, running, f"{failed_step}: {reason}" if failed_step else None


def bench_memory(tmp, path, label):
    from tests.live.stack import Browser, Stack

    env = {"MEDIA_X264_PRESET": "ultrafast", "LOG_LEVEL": "WARNING"}
    # The stack already drops DATABASE_URL, REDIS_URL, S3_* and SMTP_*; empty counts as unset.
    env.update({name: "" for name in STACK_UNSET if name in os.environ})
    stack = Stack(tmp / f"stack-{label}", env=env)
    sampler = None
    try:
        try:
            stack.start()
        except Exception as exc:
            output = getattr(exc, "stderr", None) or ""  # a failed `flask db upgrade` says why here
            raise BenchError(f"the stack did not start: {exc}\n{output[-2000:]}\n{stack.logs(tail=20)}") from exc
        stack.flask("residency", "create-admin", "--email", ADMIN_EMAIL, "--name", "Bench", input=PASSWORD + "\n")
        browser = Browser(stack.url)
        login = browser.submit("/login", {"email": ADMIN_EMAIL, "password": PASSWORD}, allow_redirects=False)
        if login.status_code != 302:
            raise BenchError(f"login: HTTP {login.status_code}")
        created = browser.submit("/works/new", {"title": f"Memory {label}", "main_language": "en",
                                                "licence": "cc0-1.0"}, allow_redirects=False)
        match = re.search(r"/works/(\d+)/?$", created.headers.get("Location", ""))
        if created.status_code != 302 or not match:
            raise BenchError(f"creating a work: HTTP {created.status_code} {created.headers.get('Location')}")
        work_id = int(match.group(1))

        sampler = Sampler(stack.processes["web1"][0].pid, stack.processes["worker"][0].pid)
        sampler.start()
        time.sleep(1.0)  # idle figures first
        sampler.phase = "upload"
        t0 = time.monotonic()
        asset_id, parts, complete_s = upload_file(browser, f"work:{work_id}", path)
        upload_s = time.monotonic() - t0
        sampler.phase = "processing"
        t0 = time.monotonic()
        db_path = stack.data_dir / "residency.sqlite3"
        while True:
            state, done, running, failure = processing_state(db_path, asset_id)
            elapsed = time.monotonic() - t0
            if state in ("ready", "failed") or elapsed > PROCESS_BUDGET:
                break
            stack.check_alive()
            time.sleep(0.5)
        sampler.stop()
        if state == "ready":
            outcome = "ready"
        elif state == "failed":
            outcome = f"failed ({failure})"
        else:
            outcome = f"budget of {PROCESS_BUDGET:.0f} s reached" + (f", running {', '.join(running)}" if running else "")
        return {
            "label": label, "size": path.stat().st_size, "parts": parts, "upload_s": upload_s,
            "complete_s": complete_s,
            "processing_s": elapsed, "outcome": outcome, "steps": done, "samples": sampler.samples,
            "web_idle": sampler.peaks.get(("idle", "web"), 0), "worker_idle": sampler.peaks.get(("idle", "worker"), 0),
            "web_peak": sampler.peak("web"), "worker_peak": sampler.peak("worker"),
            "pool_child_peak": sampler.peak("pool_child"), "ffmpeg_peak": sampler.peak("ffmpeg"),
            "worker_pss_idle": sampler.peaks.get(("idle", "worker_pss"), 0),
            "worker_pss_peak": sampler.peak("worker_pss"),
            "web_upload_peak": sampler.peak("web", ("upload",)),
            "worker_processing_peak": sampler.peak("worker", ("processing",)),
        }
    finally:
        if sampler is not None and sampler.is_alive():
            sampler.stop()
        stack.stop()


# --- report --------------------------------------------------------------------------------------

def report(ingest, transcode, memory, started):
    big, small = memory["big"], memory["small"]
    print()
    print(f"ingest: pipeline.verify vs hashlib.sha256 on a {mb(ingest['size']):.0f} MiB video, "
          f"{ingest['rounds']} interleaved rounds, {ingest['chunk'] // MiB} MiB reads, page cache warm "
          f"(file read once before timing, os.sync() before)")
    print(f"{'':<34} {'median s':>9} {'MiB/s':>8} {'ratio':>7}   rounds (s)")
    rounds = " ".join(f"{value:.2f}" for value in ingest["samples"]["hashlib"])
    print(f"{'hashlib.sha256 (baseline)':<34} {ingest['hashlib_s']:>9.2f} {ingest['hashlib_mbps']:>8.0f} {1:>7.2f}"
          f"   {rounds}")
    rounds = " ".join(f"{value:.2f}" for value in ingest["samples"]["ingest"])
    print(f"{'pipeline.verify (detect+hash+move)':<34} {ingest['ingest_s']:>9.2f} {ingest['ingest_mbps']:>8.0f} "
          f"{ingest['ratio']:>7.2f}   {rounds}   (throughput, target >= 0.5)")
    print()
    print(f"transcode: screening copy of a 10 s 1280x720 MPEG-4 + PCM clip, preset veryfast, "
          f"{transcode['rounds']} interleaved rounds")
    print(f"{'':<34} {'median s':>9} {'CPU s':>8} {'ratio':>7}   rounds (s)")
    rounds = " ".join(f"{value:.2f}" for value in transcode["samples"]["bare"])
    print(f"{'bare ffmpeg, same arguments':<34} {transcode['bare_s']:>9.2f} {transcode['bare_cpu_s']:>8.2f} "
          f"{1:>7.2f}   {rounds}")
    ours_label = 'PROFILES["screening"].make'
    rounds = " ".join(f"{value:.2f}" for value in transcode["samples"]["ours"])
    print(f"{ours_label:<34} {transcode['ours_s']:>9.2f} {transcode['ours_cpu_s']:>8.2f} "
          f"{transcode['ratio']:>7.2f}   {rounds}   (wall time, target <= 1.1; CPU ratio "
          f"{transcode['cpu_ratio']:.2f})")
    print()
    print("memory: real stack (gunicorn gthread + Celery prefork 1), upload in 8 MiB parts, RSS every 50 ms, MiB")
    header = (f"{'file':<10} {'upload s':>8} {'web idle':>8} {'web peak':>8} {'wkr idle':>8} {'wkr peak':>8} "
              f"{'wkr PSS':>8} {'pool':>6} {'ffmpeg':>7} {'proc s':>7}  outcome")
    print(header)
    print("-" * len(header))
    for run_ in (small, big):
        print(f"{mb(run_['size']):>6.0f} MiB {run_['upload_s']:>8.1f} {mb(run_['web_idle']):>8.0f} "
              f"{mb(run_['web_peak']):>8.0f} {mb(run_['worker_idle']):>8.0f} {mb(run_['worker_peak']):>8.0f} "
              f"{mb(run_['worker_pss_peak']):>8.0f} {mb(run_['pool_child_peak']):>6.0f} {mb(run_['ffmpeg_peak']):>7.0f} {run_['processing_s']:>7.1f}  "
              f"{run_['outcome']}")
        print(f"{'':<10} upload: {run_['parts']} parts, of which complete (assembly) {run_['complete_s']:.1f} s; "
              f"steps done: {', '.join(run_['steps']) or 'none'}")
    total = time.monotonic() - started
    print("(web = the gunicorn worker process; wkr = Celery main + pool children, RSS summed, so pages they "
          "share are counted twice;\n wkr PSS = the same with shared pages counted once; pool = the largest pool "
          "child; ffmpeg = ffmpeg/ffprobe children, not in wkr)")
    print(f"(whole run {total:.0f} s)")
    figures = {
        "benchmark": "ingest",
        "ingest_ratio": round(ingest["ratio"], 3),
        "transcode_ratio": round(transcode["ratio"], 3),
        "web_peak_mb": round(mb(big["web_peak"]), 1),
        # The worker's memory: Celery's main process and its forked pool child share most pages
        # (the app is loaded before the fork), so they are counted once (PSS).
        "worker_peak_mb": round(mb(big["worker_pss_peak"]), 1),
        "worker_rss_sum_peak_mb": round(mb(big["worker_peak"]), 1),
        "ffmpeg_peak_mb": round(mb(big["ffmpeg_peak"]), 1),
        "web_peak_mb_200mb": round(mb(small["web_peak"]), 1),
        "worker_peak_mb_200mb": round(mb(small["worker_pss_peak"]), 1),
        "worker_rss_sum_peak_mb_200mb": round(mb(small["worker_peak"]), 1),
        "ffmpeg_peak_mb_200mb": round(mb(small["ffmpeg_peak"]), 1),
        "ingest_bytes": ingest["size"],
        "ingest_mibps": round(ingest["ingest_mbps"], 1),
        "hashlib_mibps": round(ingest["hashlib_mbps"], 1),
        "transcode_s": round(transcode["ours_s"], 3),
        "transcode_bare_s": round(transcode["bare_s"], 3),
        "transcode_cpu_ratio": round(transcode["cpu_ratio"], 3),
        "web_idle_mb": round(mb(big["web_idle"]), 1),
        "worker_idle_mb": round(mb(big["worker_idle"]), 1),
        "worker_pool_child_peak_mb": round(mb(big["pool_child_peak"]), 1),
        "upload_s": round(big["upload_s"], 1),
        "upload_complete_s": round(big["complete_s"], 1),
        "processing_s": round(big["processing_s"], 1),
        "processing_outcome": big["outcome"],
        "processing_steps": big["steps"],
        "processing_outcome_200mb": small["outcome"],
        "seconds": round(total, 1),
    }
    print(json.dumps(figures))


def main():
    started = time.monotonic()
    if FFMPEG is None or shutil.which("ffprobe") is None:
        raise BenchError("ffmpeg and ffprobe are needed")
    tmp = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    try:
        free = shutil.disk_usage(tmp).free
        if free < MIN_FREE_BYTES:
            raise BenchError(f"only {free / 1024**3:.1f} GiB free under {tmp.parent}; this benchmark needs "
                             f"{MIN_FREE_BYTES / 1024**3:.0f} GiB (a {BIG_BYTES / 1024**3:.1f} GiB file, its "
                             "uploaded parts and the assembled upload)")
        print(f"making a {mb(BIG_BYTES):.0f} MiB and a {mb(SMALL_BYTES):.0f} MiB video in {tmp} …", flush=True)
        files, detected = make_media(tmp)
        # Write the new files out now: a writeback of 2 GB in progress would slow the database
        # commits inside verify (fsync) and charge the ingest for the benchmark's own set-up.
        os.sync()
        print(f"detected as {detected.kind} ({detected.mime}); timing ingest …", flush=True)
        ingest = bench_ingest(tmp, files["big"])
        print("timing the screening transcode …", flush=True)
        transcode = bench_transcode(tmp)
        memory = {}
        for label in ("small", "big"):
            print(f"uploading and processing the {mb(files[label].stat().st_size):.0f} MiB file on a live stack …",
                  flush=True)
            memory[label] = bench_memory(tmp, files[label], label)
        report(ingest, transcode, memory, started)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _terminate(signum, frame):
    print(f"ingest benchmark stopped by signal {signum}; cleaning up", file=sys.stderr)
    raise SystemExit(128 + signum)  # unwinds through the finally blocks: stacks, temporary folder


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C, even if started with SIGINT ignored
    try:
        main()
    except BenchError as exc:
        print(f"ingest benchmark failed: {exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("ingest benchmark interrupted; temporary files removed", file=sys.stderr)
        sys.exit(130)
