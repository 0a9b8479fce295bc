"""Media generated for the processing tests: tiny clips, tones, images, documents, archives
and subtitles, each made here with ffmpeg or Python (nothing downloaded, nothing checked in).

Clips are kept tiny (320×240, a few seconds; 1080p only for 1 s) so the package runs fast.
Without ffmpeg the tests skip, and fail under CI=true.
"""

import os
import struct
import subprocess
import zipfile

import pytest
from PIL import Image

from tests.services import require_binary

SRT = """1
00:00:01,000 --> 00:00:02,500
Hello <i>city</i> & <font color="red">friends</font>

2
00:00:03,000 --> 00:00:04,000
Second line
with two rows
"""

VTT = """WEBVTT
Kind: captions

NOTE a comment that is not shown

intro
00:01.000 --> 00:02.500 align:start bogus:1
First <b>cue</b>

00:00:03.000 --> 00:00:04.000
Second cue
"""


def ffmpeg(*args):
    """Run ffmpeg quietly to generate a test file."""
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args], check=True
    )


def ffprobe_streams(path):
    """ffprobe's streams of ``path`` (video first when present)."""
    import json

    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format",
         str(path)],
        check=True, capture_output=True,
    ).stdout
    return json.loads(out)


def top_level_atoms(path):
    """The top-level boxes of an ISO media file: [(type, offset, size)]."""
    atoms, offset, size = [], 0, os.path.getsize(path)
    with open(path, "rb") as f:
        while offset < size:
            f.seek(offset)
            length, kind = struct.unpack(">I4s", f.read(8))
            if length == 1:
                length = struct.unpack(">Q", f.read(8))[0]
            elif length == 0:
                length = size - offset
            atoms.append((kind.decode("latin-1"), offset, length))
            offset += length
    return atoms


@pytest.fixture(scope="session")
def tools():
    """ffmpeg and ffprobe must be installed (skip locally, fail under CI)."""
    require_binary("ffmpeg")
    require_binary("ffprobe")


@pytest.fixture(scope="session")
def media(tmp_path_factory, tools):
    """The folder where the session's media generated with ffmpeg live."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def files(tmp_path_factory):
    """The folder for files generated in Python (no ffmpeg needed)."""
    return tmp_path_factory.mktemp("files")


def _clip(path, seconds=3, size="320x240", extra=()):
    ffmpeg(
        "-f", "lavfi", "-i", f"testsrc2=s={size}:r=25:d={seconds}",
        "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-ac", "2", *extra, str(path),
    )
    return path


@pytest.fixture(scope="session")
def clip_mp4(media):
    """3 s of test pattern with a 440 Hz tone: H.264/AAC in MP4, index at the end."""
    return _clip(media / "clip.mp4")


@pytest.fixture(scope="session")
def clip_faststart(media):
    """The same clip with its index (moov) before the data (mdat)."""
    return _clip(media / "clip_faststart.mp4", extra=("-movflags", "+faststart"))


@pytest.fixture(scope="session")
def black_silent_clip(media):
    """4 s: black for the first 2 s, then a pattern; a tone for 2 s, then silence."""
    path = media / "black_silent.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "color=black:s=320x240:r=25:d=2",
        "-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=2",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=2,apad=whole_dur=4",
        "-filter_complex", "[0:v][1:v]concat=n=2:v=1:a=0[v]",
        "-map", "[v]", "-map", "2:a", "-ac", "2",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
        str(path),
    )
    return path


@pytest.fixture(scope="session")
def compliant_1080p(media):
    """1 s of 1920×1080 H.264 yuv420p with 48 kHz stereo AAC in MP4: fit for screening."""
    return _clip(media / "compliant_1080p.mp4", seconds=1, size="1920x1080")


@pytest.fixture(scope="session")
def master_mkv(media):
    """1 s of 1920×1080 MPEG-4 Part 2 with 44.1 kHz PCM in Matroska: needs a screening copy."""
    path = media / "master.mkv"
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=s=1920x1080:r=25:d=1",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=1",
        "-c:v", "mpeg4", "-q:v", "5", "-c:a", "pcm_s16le", "-ac", "2", str(path),
    )
    return path


@pytest.fixture(scope="session")
def make_tone(media):
    """A factory of WAV tones: ``make_tone(amplitude, channels=2, seconds=3, frequency=1000)``."""

    def make(amplitude, channels=2, seconds=3, frequency=1000):
        path = media / f"tone_{amplitude}_{channels}_{seconds}_{frequency}.wav"
        if not path.exists():
            wave = f"{amplitude}*sin(2*PI*{frequency}*t)"
            ffmpeg(
                "-f", "lavfi", "-i",
                f"aevalsrc={'|'.join([wave] * channels)}:s=48000:d={seconds}",
                "-c:a", "pcm_s16le", str(path),
            )
        return path

    return make


@pytest.fixture(scope="session")
def png_file(files):
    path = files / "picture.png"
    Image.new("RGB", (640, 480), (200, 80, 40)).save(path)
    return path


@pytest.fixture(scope="session")
def rotated_jpeg(files):
    """A 400×200 JPEG whose EXIF says to turn it 90° clockwise (orientation 6)."""
    path = files / "rotated.jpg"
    image = Image.new("RGB", (400, 200), (30, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = 6
    image.save(path, "JPEG", exif=exif)
    return path


@pytest.fixture(scope="session")
def pdf_file(files):
    """A valid two-page PDF written by Pillow."""
    path = files / "document.pdf"
    pages = [Image.new("RGB", (200, 300), "white"), Image.new("RGB", (200, 300), "grey")]
    pages[0].save(path, "PDF", save_all=True, append_images=pages[1:])
    return path


@pytest.fixture(scope="session")
def zip_file(files):
    path = files / "piece.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("piece/index.html", "<html><body>work</body></html>")
        archive.writestr("piece/assets/sound.txt", "la " * 100)
        archive.writestr("README.txt", "Open piece/index.html")
    return path


@pytest.fixture(scope="session")
def srt_file(files):
    path = files / "subtitles.srt"
    path.write_text(SRT, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def vtt_file(files):
    path = files / "subtitles.vtt"
    path.write_text(VTT, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def generate(tools):
    """``generate(*ffmpeg_args)``: run ffmpeg to make a file for one test."""
    return ffmpeg


@pytest.fixture(scope="session")
def read_back(tools):
    """``read_back(path)``: ffprobe's JSON (streams and format) of a written file."""
    return ffprobe_streams


@pytest.fixture(scope="session")
def atoms():
    """``atoms(path)``: the top-level boxes of an MP4 as (type, offset, size)."""
    return top_level_atoms


@pytest.fixture(scope="session")
def facts():
    """``facts(path)``: (detect(path), probe(path)) computed once per file for the session."""
    from residency.media.processing.detect import detect
    from residency.media.processing.probe import probe

    known = {}

    def get(path):
        if path not in known:
            found = detect(path)
            known[path] = (found, probe(path, found))
        return known[path]

    return get
