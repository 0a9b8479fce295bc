"""What the HTTP benchmarks share: a throw-away PostgreSQL database, gunicorn servers of the real
app and of a bare Flask app, one-shot requests, and nearest-rank statistics.

Not a benchmark itself (``make bench`` skips files starting with ``_``).
"""

import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
if not (BIN / "gunicorn").exists():  # fall back to the interpreter running the benchmark
    BIN = Path(sys.executable).parent
THREADS = 8  # gunicorn --threads
REQUEST_TIMEOUT = 10.0


class BenchError(RuntimeError):
    """The benchmark could not measure (a server did not start, a page answered wrongly)."""


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Postgres:
    """A throw-away database on the server ``admin_url`` names (used as the admin connection)."""

    def __init__(self, admin_url, prefix):
        from sqlalchemy.engine import make_url

        self.admin_url = make_url(admin_url).set(drivername="postgresql+psycopg")
        self.name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
        self.url = self.admin_url.set(database=self.name).render_as_string(hide_password=False)
        self.libpq_url = self.admin_url.set(drivername="postgresql", database=self.name).render_as_string(hide_password=False)
        self.created = False

    def _execute(self, sql):
        from sqlalchemy import create_engine, text
        from sqlalchemy.pool import NullPool

        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        try:
            with engine.connect() as connection:
                connection.execute(text(sql))
        finally:
            engine.dispose()

    def create(self):
        self._execute(f'CREATE DATABASE "{self.name}"')
        self.created = True

    def drop(self):
        if self.created:
            self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self.created = False


def fetch(port, path, headers=None, timeout=REQUEST_TIMEOUT):
    """One GET on a fresh connection: (status, content type, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


class Server:
    """A gunicorn process with the Procfile's ``web`` settings (gthread, one worker); logs to a file."""

    def __init__(self, name, app_spec, env, log_dir, chdir=None, threads=THREADS):
        self.name = name
        self.port = free_port()
        self.log_path = Path(log_dir) / f"{name}.log"
        command = [str(BIN / "gunicorn"), "--worker-class", "gthread", "--workers", "1", "--threads", str(threads),
                   "--no-control-socket", "--bind", f"127.0.0.1:{self.port}"]
        if chdir:
            command += ["--chdir", str(chdir)]
        command.append(app_spec)
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(command, cwd=str(ROOT), env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)

    def wait_ready(self, path, deadline, headers=None):
        """Poll ``path`` until it answers 200 (returns the body) or ``deadline`` passes."""
        last = "no answer"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"{self.name} server exited with {self.process.returncode}\n{self.log_tail()}")
            try:
                status, _type, body = fetch(self.port, path, headers, timeout=2)
                if status == 200:
                    return body
                last = f"HTTP {status}: {body[:200]!r}"
            except OSError as exc:
                last = repr(exc)
            time.sleep(0.1)  # polling interval while the server starts
        raise BenchError(f"{self.name} server not ready on {path}: {last}\n{self.log_tail()}")

    def log_tail(self, lines=20):
        try:
            self.log.flush()
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self):
        """SIGTERM (graceful), then SIGKILL to the process group it leads if it lingers."""
        if self.process.poll() is None:
            try:
                self.process.terminate()
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # its own group: the arbiter and its worker
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.log.close()


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), int(round(fraction * len(sorted_values) + 0.5))))
    return sorted_values[rank - 1]


def median(sorted_values):
    n = len(sorted_values)
    if not n:
        return float("nan")
    middle = n // 2
    return sorted_values[middle] if n % 2 else (sorted_values[middle - 1] + sorted_values[middle]) / 2
