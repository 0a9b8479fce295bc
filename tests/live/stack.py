"""A real running platform for end-to-end tests: web processes (gunicorn), a Celery worker,
and the services they are configured with, each a separate OS process as in production."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.services import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


class Stack:
    """Start with :meth:`start`, stop with :meth:`stop` (or use as a context manager).

    ``env`` holds the platform's settings (DATABASE_URL, REDIS_URL, S3_*, SMTP_*…); without
    them the stack runs on the embedded default (SQLite, filesystem broker, local files,
    e-mail in the outbox folder).
    """

    def __init__(self, data_dir, env=None, webs=1, worker=True, beat=False):
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.ports = [free_port() for _ in range(webs)]
        self.urls = [f"http://127.0.0.1:{port}" for port in self.ports]
        self.want_worker = worker
        self.want_beat = beat
        self.processes = {}
        self.env = {
            key: value for key, value in os.environ.items()
            if not key.startswith(("DATABASE_URL", "REDIS_URL", "S3_", "SMTP_", "TEST_"))
        }
        self.env.update(
            RESIDENCY_DATA_DIR=str(self.data_dir),
            SECRET_KEY="live-stack-secret-key",
            BASE_URL=self.urls[0],
            SOCKETIO_CORS_ORIGINS=",".join(self.urls),
            PYTHONUNBUFFERED="1",
            LOG_LEVEL="INFO",
        )
        self.env.update(env or {})

    @property
    def url(self):
        return self.urls[0]

    # -- lifecycle -------------------------------------------------------------------------

    def flask(self, *args, input=None, check=True):
        """Run ``flask --app wsgi …`` with the stack's settings."""
        return subprocess.run(
            [str(BIN / "flask"), "--app", "wsgi", *args],
            cwd=ROOT, env=self.env, input=input, text=True, capture_output=True, check=check, timeout=120,
        )

    def migrate(self):
        self.flask("db", "upgrade")
        self.flask("residency", "load-cities")

    def _spawn(self, name, args):
        log = open(self.data_dir / f"{name}.log", "w")
        self.processes[name] = (
            subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True),
            log,
        )

    def start(self, migrate=True, wait=True):
        if migrate:
            self.migrate()
        for index, port in enumerate(self.ports):
            self._spawn(f"web{index + 1}", [
                # As the Procfile: one gevent worker per process (README, "Live rooms").
                str(BIN / "gunicorn"), "--worker-class", "gevent", "--workers", "1", "--worker-connections", "4000",
                "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "3", "--no-control-socket", "wsgi:app",
            ])
        if self.want_worker:
            self.start_worker()
        if self.want_beat:
            self._spawn("beat", [
                str(BIN / "celery"), "-A", "workers.celery_app", "beat",
                "--schedule", str(self.data_dir / "celerybeat-schedule"), "--loglevel", "INFO",
            ])
        if wait:
            for url in self.urls:
                self.wait_for(url + "/healthz", accept=(200, 503))
        return self

    def start_worker(self, name="worker"):
        self._spawn(name, [
            str(BIN / "celery"), "-A", "workers.celery_app", "worker", "--queues", "io,cpu",
            "--concurrency", "1", "--loglevel", "INFO", "--hostname", f"{name}@%h",
            "--without-gossip", "--without-mingle",
        ])

    def wait_for(self, url, accept=(200,), timeout=60):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                response = requests.get(url, timeout=5)
                if response.status_code in accept:
                    return response
                last = response.status_code
            except requests.RequestException as exc:
                last = exc
            time.sleep(0.2)
        raise TimeoutError(f"{url} did not answer in {timeout}s (last: {last})\n{self.logs()}")

    def check_alive(self):
        for name, (process, _log) in self.processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}\n{self.logs()}")

    def stop_process(self, name, sig=signal.SIGTERM, timeout=15):
        process, log = self.processes.pop(name)
        if process.poll() is None:
            try:
                os.killpg(process.pid, sig)
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            except ProcessLookupError:
                pass
        log.close()

    def stop(self):
        for name in list(self.processes):
            self.stop_process(name)

    def logs(self, tail=60):
        out = []
        for path in sorted(self.data_dir.glob("*.log")):
            lines = path.read_text(errors="replace").splitlines()[-tail:]
            out.append(f"--- {path.name}\n" + "\n".join(lines))
        return "\n".join(out)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def wait_until(predicate, timeout=30, interval=0.2, message="condition"):
    """Poll ``predicate`` until it returns something truthy; return that."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out waiting for {message}")


class Browser(requests.Session):
    """A requests session that fills in CSRF tokens like a browser submitting a form."""

    def __init__(self, base_url):
        super().__init__()
        self.base_url = base_url

    def request(self, method, url, *args, **kwargs):
        if url.startswith("/"):
            url = self.base_url + url
        kwargs.setdefault("timeout", 20)
        return super().request(method, url, *args, **kwargs)

    def csrf_token(self, path="/"):
        html = self.get(path).text
        return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def submit(self, path, data=None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(path, data=data, **kwargs)
