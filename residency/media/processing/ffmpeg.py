"""Running ffmpeg and ffprobe as child processes: progress, time limits, no orphans.

Every call goes through :func:`run_ffmpeg` or :func:`ffprobe_json`. The child is started with
``subprocess.Popen`` (never a shell) and is terminated, then killed, whenever the caller stops
waiting for it: a timeout, an exception raised from the progress callback, Celery's
``SoftTimeLimitExceeded`` or a ``KeyboardInterrupt`` delivered while we wait. On Linux the child
also gets ``PR_SET_PDEATHSIG`` so that a hard kill of the worker (Celery's hard time limit) takes
ffmpeg with it.
"""

import collections
import ctypes
import json
import logging
import os
import re
import selectors
import signal
import subprocess
import sys
import threading
import time

from .errors import MediaRejected, ProcessingTimeout, TransientError

log = logging.getLogger(__name__)

FFMPEG = "ffmpeg"
FFPROBE = "ffprobe"
TAIL_LINES = 20
MAX_LOG_LINES = 20_000
PROGRESS_INTERVAL = 0.5
TERMINATE_GRACE = 3.0

# What ffmpeg prints when the input itself is damaged, as opposed to a failure of the machine.
CORRUPT_PATTERNS = re.compile(
    r"Invalid data found when processing input|moov atom not found|partial file"
    r"|File ended prematurely|could not find codec parameters|Invalid NAL unit"
    r"|Error splitting the input|error while decoding|decode_slice_header error"
    r"|corrupt|Header missing|invalid (band|residual|frame)|Truncat",
    re.IGNORECASE,
)
# Failures of the machine rather than of the file: worth a retry.
IO_PATTERNS = re.compile(
    r"No such file or directory|Permission denied|Input/output error|No space left"
    r"|Cannot allocate memory|Resource temporarily unavailable",
    re.IGNORECASE,
)
TRUNCATED_PATTERNS = re.compile(
    r"moov atom not found|partial file|File ended prematurely|Truncat", re.IGNORECASE
)


def input_file(path) -> list[str]:
    """ffmpeg arguments that open ``path`` as a plain local file, whatever its name.

    The ``file:`` prefix stops a name like ``http:x`` or ``concat:a|b`` from being read as a
    protocol; the whitelist stops a container from pulling in other files or URLs.
    """
    return ["-protocol_whitelist", "file", "-i", "file:" + os.path.abspath(os.fspath(path))]


def output_file(path) -> str:
    """The ffmpeg argument naming ``path`` as a local output file."""
    return "file:" + os.path.abspath(os.fspath(path))


def run_ffmpeg(
    args: list[str],
    *,
    duration: float | None = None,
    on_progress=None,
    timeout: float | None = None,
    log_lines: list[str] | None = None,
    stats: dict | None = None,
) -> None:
    """Run ``ffmpeg -hide_banner -nostdin -y -progress pipe:1 -nostats <args>`` to the end.

    :param duration: seconds of media the run will produce, for progress fractions.
    :param on_progress: called with a fraction 0..1, at most about twice a second, and with
        1.0 at a successful end; anything it raises stops ffmpeg and propagates.
    :param timeout: seconds; past it ffmpeg is terminated (then killed).
    :param log_lines: if given, receives the lines ffmpeg printed on stderr (past 20,000
        lines, some from the middle are dropped).
    :param stats: if given, filled with the last progress block (``out_time_us``, ``frame``…).
    :raise ProcessingTimeout: the run took longer than ``timeout``.
    :raise MediaRejected: ffmpeg failed and said the input is damaged (code ``corrupt`` or
        ``truncated``).
    :raise TransientError: ffmpeg failed otherwise, or was killed by a signal.
    """
    cmd = [FFMPEG, "-hide_banner", "-nostdin", "-y", "-progress", "pipe:1", "-nostats", *args]
    proc = _start(cmd)
    tail = collections.deque(maxlen=TAIL_LINES)
    progress = _Progress(duration, on_progress, stats)
    try:
        _follow(proc, tail, progress, timeout, log_lines)
    except BaseException:
        stop(proc)
        raise
    finally:
        for pipe in (proc.stdout, proc.stderr):
            if pipe:
                pipe.close()
    _check_exit(proc.returncode, tail)
    if on_progress is not None and duration and progress.last_fraction < 1.0:
        on_progress(1.0)


def ffprobe_json(path, timeout: float = 120) -> dict:
    """ffprobe's description of ``path`` (format and streams) as a dict.

    :raise MediaRejected: ``truncated`` or ``corrupt`` when ffprobe cannot read the file.
    :raise ProcessingTimeout: ffprobe ran past ``timeout`` seconds.
    :raise TransientError: ffprobe was killed or is missing.
    """
    cmd = [
        FFPROBE, "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
        "-protocol_whitelist", "file", "file:" + os.path.abspath(os.fspath(path)),
    ]
    proc = _start(cmd)
    with proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            stop(proc)
            raise ProcessingTimeout(f"ffprobe did not finish within {timeout:g} s") from None
        except BaseException:
            stop(proc)
            raise
    lines = err.decode("utf-8", "replace").splitlines()[-TAIL_LINES:]
    if proc.returncode != 0:
        _check_exit(proc.returncode, lines, always_corrupt=True, tool="ffprobe")
    try:
        return json.loads(out.decode("utf-8", "replace"))
    except ValueError as exc:
        raise MediaRejected(
            "corrupt", "The file could not be read as audio or video.", "\n".join(lines)
        ) from exc


def stop(proc: subprocess.Popen) -> None:
    """Terminate ``proc``, wait a little, then kill it; always reap it (no zombie, no orphan)."""
    if proc.poll() is not None:
        return
    log.info("stopping %s (pid %s)", proc.args[0], proc.pid)
    try:
        proc.terminate()
        try:
            proc.wait(TERMINATE_GRACE)
        except subprocess.TimeoutExpired:
            pass
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _start(cmd: list[str]) -> subprocess.Popen:
    try:
        return subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            close_fds=True,
            preexec_fn=_die_with_parent(),
        )
    except OSError as exc:
        raise TransientError(f"could not start {cmd[0]}: {exc}") from exc


def _die_with_parent():
    """A preexec_fn asking Linux to kill the child when this process dies, where it is safe.

    ``preexec_fn`` is unsafe once other threads exist, so it is only used in single-threaded
    processes (Celery's prefork children); elsewhere the terminate/kill discipline still holds.
    """
    if not sys.platform.startswith("linux") or threading.active_count() > 1:
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1
    sigkill = int(signal.SIGKILL)

    def preexec():
        prctl(pr_set_pdeathsig, sigkill, 0, 0, 0)

    return preexec


def _follow(proc, tail, progress, timeout, log_lines):
    """Read both pipes until ffmpeg closes them, reporting progress; enforce the deadline."""
    deadline = None if timeout is None else time.monotonic() + timeout
    selector = selectors.DefaultSelector()
    buffers = {proc.stdout.fileno(): b"", proc.stderr.fileno(): b""}
    selector.register(proc.stdout, selectors.EVENT_READ, "out")
    selector.register(proc.stderr, selectors.EVENT_READ, "err")
    try:
        while selector.get_map():
            wait = 0.5
            if deadline is not None:
                wait = deadline - time.monotonic()
                if wait <= 0:
                    raise ProcessingTimeout(f"ffmpeg did not finish within {timeout:g} s")
                wait = min(wait, 0.5)
            for key, _ in selector.select(wait):
                fd = key.fileobj.fileno()
                chunk = os.read(fd, 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                    lines = [buffers[fd]] if buffers[fd] else []
                else:
                    lines = (buffers[fd] + chunk).split(b"\n")
                    buffers[fd] = lines.pop()
                for raw in lines:
                    line = raw.decode("utf-8", "replace").rstrip("\r")
                    if key.data == "out":
                        progress.feed(line)
                    elif line.strip():
                        tail.append(line)
                        if log_lines is not None:
                            _keep(log_lines, line)
    finally:
        selector.close()
    remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
    try:
        proc.wait(remaining)
    except subprocess.TimeoutExpired:
        raise ProcessingTimeout(f"ffmpeg did not finish within {timeout:g} s") from None


def _keep(lines: list[str], line: str) -> None:
    """Append ``line``; past the cap, drop a slice from the middle so the start and end stay."""
    lines.append(line)
    if len(lines) > MAX_LOG_LINES:
        del lines[MAX_LOG_LINES // 2:MAX_LOG_LINES // 2 + MAX_LOG_LINES // 4]


class _Progress:
    """Turns ffmpeg's ``key=value`` progress blocks into throttled, increasing fractions."""

    def __init__(self, duration, callback, stats):
        self.duration = duration
        self.callback = callback
        self.stats = stats
        self.block = {}
        self.last_call = 0.0
        self.last_fraction = 0.0

    def feed(self, line):
        key, sep, value = line.partition("=")
        if not sep:
            return
        self.block[key.strip()] = value.strip()
        if key.strip() != "progress":
            return
        block, self.block = self.block, {}
        if self.stats is not None:
            self.stats.update(block)
        if self.callback is None or not self.duration:
            return
        try:
            seconds = int(block.get("out_time_us", "")) / 1e6
        except ValueError:
            return
        fraction = min(1.0, max(self.last_fraction, seconds / self.duration))
        now = time.monotonic()
        if now - self.last_call >= PROGRESS_INTERVAL and fraction > self.last_fraction:
            self.last_call = now
            self.last_fraction = fraction
            self.callback(fraction)


def _check_exit(returncode, tail, always_corrupt=False, tool="ffmpeg"):
    """Raise the right error for a failed run; return quietly for success."""
    if returncode == 0:
        return
    text = "\n".join(tail)
    if returncode < 0:
        raise TransientError(f"{tool} was killed by signal {-returncode}\n{text}")
    if IO_PATTERNS.search(text):
        raise TransientError(f"{tool} exited with status {returncode}\n{text}")
    if TRUNCATED_PATTERNS.search(text):
        raise MediaRejected(
            "truncated",
            "The file is incomplete: it seems to have been cut off during upload or export.",
            text,
        )
    if always_corrupt or CORRUPT_PATTERNS.search(text):
        raise MediaRejected(
            "corrupt", "The file is damaged and could not be read as audio or video.", text
        )
    raise TransientError(f"{tool} exited with status {returncode}\n{text}")
