"""The ffmpeg runner: live progress, time limits, and never an orphan ffmpeg process."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from celery.exceptions import SoftTimeLimitExceeded

from residency.media.processing import MediaRejected, ProcessingTimeout
from residency.media.processing import ffmpeg as runner
from residency.media.processing.ffmpeg import ffprobe_json, input_file, run_ffmpeg

# A heavy encode of ten minutes of 720p: busy flushing its look-ahead, ffmpeg usually takes
# longer than the grace period to obey SIGTERM, so the runner has to kill it.
HEAVY_ENCODE = ["-f", "lavfi", "-i", "testsrc2=s=1280x720:r=25:d=600", "-c:v", "libx264",
                "-preset", "veryslow", "-f", "null", "-"]
# Ten minutes of a small pattern read in real time: progress from the first half second.
SLOW_RUN = ["-re", "-f", "lavfi", "-i", "testsrc2=s=160x120:r=25:d=600", "-f", "null", "-"]


@pytest.fixture
def children(monkeypatch, tools):
    """The ffmpeg processes started by the runner during the test."""
    started = []
    real_popen = subprocess.Popen

    def recording_popen(*args, **kwargs):
        process = real_popen(*args, **kwargs)
        started.append(process)
        return process

    monkeypatch.setattr(runner.subprocess, "Popen", recording_popen)
    return started


def assert_gone(process):
    assert process.returncode is not None, "the child was not waited for"
    assert not psutil.pid_exists(process.pid), f"ffmpeg {process.pid} is still alive"


def test_progress_rises_to_the_end(tools):
    """Progress is reported as rising fractions that end at 1.0."""
    fractions = []
    run_ffmpeg(
        ["-re", "-f", "lavfi", "-i", "testsrc2=s=160x120:r=25:d=2", "-f", "null", "-"],
        duration=2, on_progress=fractions.append,
    )
    assert 3 <= len(fractions) <= 2 * 2 + 2  # about twice a second, plus the final 1.0
    assert fractions == sorted(fractions)
    assert all(0 <= fraction <= 1 for fraction in fractions)
    assert fractions[-1] == 1.0
    assert fractions[-2] > 0.5


def test_timeout_stops_ffmpeg(children, monkeypatch):
    """A run past its time limit raises ProcessingTimeout; ffmpeg, slow to obey, is killed."""
    monkeypatch.setattr(runner, "TERMINATE_GRACE", 1.0)
    started = time.monotonic()
    with pytest.raises(ProcessingTimeout):
        run_ffmpeg(HEAVY_ENCODE, timeout=0.5)
    assert time.monotonic() - started < 0.5 + runner.TERMINATE_GRACE + 1.5
    assert len(children) == 1
    assert_gone(children[0])


def test_error_raised_by_progress_callback_stops_ffmpeg(children):
    """An exception from the progress callback (a soft time limit) stops ffmpeg and propagates."""

    def soft_limit(fraction):
        raise SoftTimeLimitExceeded()

    with pytest.raises(SoftTimeLimitExceeded):
        run_ffmpeg(SLOW_RUN, duration=600, on_progress=soft_limit)
    assert_gone(children[0])


def test_signal_while_waiting_stops_ffmpeg(children):
    """A signal handler raising while the runner waits (Celery's soft limit) stops ffmpeg."""

    def handler(signum, frame):
        raise SoftTimeLimitExceeded()

    previous = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, 0.7)
    try:
        with pytest.raises(SoftTimeLimitExceeded):
            run_ffmpeg(SLOW_RUN)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert_gone(children[0])


def test_killed_worker_takes_ffmpeg_with_it(tools):
    """When the worker process is killed outright (a hard time limit), its ffmpeg dies too."""
    script = (
        "from residency.media.processing.ffmpeg import run_ffmpeg\n"
        f"run_ffmpeg({SLOW_RUN!r})\n"
    )
    worker = subprocess.Popen([sys.executable, "-c", script], cwd=Path(__file__).parents[3])
    ffmpeg = None
    try:
        deadline = time.monotonic() + 10
        while ffmpeg is None and time.monotonic() < deadline:
            found = psutil.Process(worker.pid).children()
            ffmpeg = found[0] if found else time.sleep(0.05)
        assert ffmpeg is not None, "the worker did not start ffmpeg"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        deadline = time.monotonic() + 3
        while alive(ffmpeg) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(ffmpeg), "ffmpeg outlived its worker"
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        if ffmpeg is not None and alive(ffmpeg):
            ffmpeg.kill()


def alive(process):
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_damaged_input_is_a_permanent_refusal(tmp_path, tools):
    """ffmpeg failing on a damaged file is a permanent refusal with ffmpeg's last lines kept."""
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00\x00\x00\x18ftypisom" + bytes(400))
    with pytest.raises(MediaRejected) as info:
        run_ffmpeg([*input_file(junk), "-f", "null", "-"])
    assert info.value.code in ("corrupt", "truncated")
    assert "junk.mp4" in info.value.detail


def test_ffprobe_of_unreadable_file_is_refused(tmp_path, tools):
    """ffprobe failing to read a file is a permanent refusal."""
    junk = tmp_path / "junk.mkv"
    junk.write_bytes(b"\x1a\x45\xdf\xa3" + bytes(100))
    with pytest.raises(MediaRejected):
        ffprobe_json(junk)


def test_names_are_never_protocols(tmp_path, clip_mp4):
    """A file named like a URL or a protocol is still read as a local file."""
    tricky = tmp_path / "http:example.org"
    tricky.write_bytes(clip_mp4.read_bytes())
    assert ffprobe_json(tricky)["format"]["format_name"].startswith("mov")
