"""Probing: the facts of each kind of file, and the refusal of damaged or hostile ones."""

import json
import random
import resource
import struct
import subprocess
import zlib

import pytest
from PIL import ImageFile

from residency.media.processing import Limits, MediaRejected
from residency.media.processing.detect import Detected, detect
from residency.media.processing.probe import probe

MP4 = Detected("video", "video/mp4", "mp4")


def rejected(path, detected, limits=Limits()):
    with pytest.raises(MediaRejected) as info:
        probe(path, detected, limits)
    return info.value


def test_video_summary(clip_mp4):
    """A video's container, duration, picture and sound are reported."""
    summary = probe(clip_mp4, detect(clip_mp4))
    assert summary["container"] == "mp4"
    assert summary["duration"] == pytest.approx(3.0, abs=0.1)
    assert summary["streams"] == 2
    video, audio = summary["video"], summary["audio"]
    assert (video["codec"], video["width"], video["height"]) == ("h264", 320, 240)
    assert video["fps"] == 25 and video["pix_fmt"] == "yuv420p"
    assert video["field_order"] == "progressive"
    assert (audio["codec"], audio["channels"], audio["sample_rate"]) == ("aac", 2, 48000)


@pytest.mark.parametrize("fixture", ["clip_mp4", "clip_faststart"])
def test_truncated_mp4_is_refused(request, tmp_path, fixture):
    """An MP4 cut at half its size is refused as incomplete, index first or last."""
    data = request.getfixturevalue(fixture).read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    error = rejected(cut, MP4)
    assert error.code == "truncated"
    assert "incomplete" in error.message


@pytest.mark.parametrize("fixture", ["clip_mp4", "clip_faststart"])
def test_mp4_damaged_in_the_middle_is_refused(request, tmp_path, atoms, fixture):
    """An MP4 whose media data is overwritten in the middle is refused as damaged."""
    source = request.getfixturevalue(fixture)
    data = bytearray(source.read_bytes())
    _, offset, size = next(atom for atom in atoms(source) if atom[0] == "mdat")
    middle = offset + size // 2
    data[middle:middle + 4096] = random.Random(5).randbytes(4096)
    damaged = tmp_path / "damaged.mp4"
    damaged.write_bytes(bytes(data))
    error = rejected(damaged, MP4)
    assert error.code == "corrupt"
    assert "damaged" in error.message


def test_damage_inside_a_frame_is_caught_by_decoding(tmp_path, clip_mp4):
    """Garbage inside the largest video frame, its framing intact, is refused as damaged."""
    packets = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
         "packet=pos,size", "-of", "json", str(clip_mp4)],
        check=True, capture_output=True,
    ).stdout)["packets"]
    largest = max(packets, key=lambda packet: int(packet["size"]))
    middle = int(largest["pos"]) + int(largest["size"]) // 2
    data = bytearray(clip_mp4.read_bytes())
    data[middle:middle + 512] = random.Random(3).randbytes(512)
    damaged = tmp_path / "frame.mp4"
    damaged.write_bytes(bytes(data))
    error = rejected(damaged, MP4)
    assert error.code == "corrupt"
    assert "error while decoding" in error.detail


def test_truncated_wav_is_refused(tmp_path, make_tone):
    """A WAV whose data stops before its header says is refused as incomplete."""
    data = make_tone(0.1).read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(data[: len(data) // 2 // 4 * 4])
    assert rejected(cut, Detected("audio", "audio/wav", "wav")).code == "truncated"


def test_truncated_flac_is_refused(tmp_path, generate):
    """A FLAC cut in half is refused: its packets stop before its announced duration."""
    whole = tmp_path / "whole.flac"
    generate("-f", "lavfi", "-i", "sine=duration=4", str(whole))
    data = whole.read_bytes()
    cut = tmp_path / "cut.flac"
    cut.write_bytes(data[: len(data) // 2])
    assert rejected(cut, Detected("audio", "audio/flac", "flac")).code == "truncated"


def png_chunk(kind, payload):
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(
        ">I", zlib.crc32(kind + payload)
    )


def test_huge_png_is_refused_without_decoding(tmp_path, monkeypatch):
    """A 50,000 × 50,000 PNG is refused as too many pixels, without decoding it."""
    bomb = tmp_path / "bomb.png"
    ihdr = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)
    bomb.write_bytes(
        b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + png_chunk(b"IEND", b"")
    )

    def no_decoding(self):
        raise AssertionError("the pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    error = rejected(bomb, detect(bomb))
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert error.code == "too_many_pixels"
    assert "megapixels" in error.message
    assert grown_kb < 100 * 1024


def test_image_over_the_configured_limit_is_refused(png_file):
    """An image above the configured pixel limit (even below Pillow's own) is refused."""
    error = rejected(png_file, detect(png_file), Limits(max_image_pixels=100_000))
    assert error.code == "too_many_pixels"


def test_image_summary(rotated_jpeg):
    """An image's format, size, mode and EXIF orientation are reported."""
    summary = probe(rotated_jpeg, detect(rotated_jpeg))
    assert summary == {
        "format": "JPEG", "width": 400, "height": 200, "mode": "RGB", "frames": 1,
        "orientation": 6,
    }


def test_damaged_png_is_refused(tmp_path, png_file):
    """A PNG whose data fails its checksum is refused as damaged."""
    data = bytearray(png_file.read_bytes())
    data[60] ^= 0xFF  # inside the IDAT chunk: its CRC no longer matches
    damaged = tmp_path / "damaged.png"
    damaged.write_bytes(bytes(data))
    assert rejected(damaged, detect(damaged)).code == "corrupt"


def test_pdf_summary(pdf_file):
    """A PDF's page count is reported, and it is not encrypted."""
    assert probe(pdf_file, detect(pdf_file)) == {
        "pages": 2, "encrypted": False, "javascript": False,
    }


def test_truncated_pdf_is_refused(tmp_path, pdf_file):
    """A PDF cut in half is refused as incomplete."""
    data = pdf_file.read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: len(data) // 2])
    assert rejected(cut, detect(cut)).code == "truncated"


def test_subtitle_summary(srt_file, vtt_file):
    """Subtitles report their format, number of cues and encoding."""
    assert probe(srt_file, detect(srt_file)) == {
        "format": "srt", "cues": 2, "encoding": "utf-8", "duration": 4.0,
    }
    assert probe(vtt_file, detect(vtt_file))["cues"] == 2


def test_malformed_subtitles_are_refused(tmp_path):
    """An SRT with a broken time line is refused, naming the line."""
    bad = tmp_path / "bad.srt"
    bad.write_text("1\n00:00:01,000 --> 00:00:02,000\nfine\n\n2\n00:00:03 --> soon\nbroken\n")
    error = rejected(bad, detect(bad))
    assert error.code == "bad_subtitles"
    assert "line 6" in error.message


def test_subtitles_ending_before_they_start_are_refused(tmp_path):
    """A cue that ends before it starts is refused."""
    bad = tmp_path / "bad.srt"
    bad.write_text("1\n00:00:05,000 --> 00:00:02,000\nbackwards\n")
    assert rejected(bad, detect(bad)).code == "bad_subtitles"
