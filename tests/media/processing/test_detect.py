"""Detection of a file's type from its content, never from its name."""

import random
import shutil

import pytest

from residency.media.processing import MediaRejected
from residency.media.processing.detect import detect


def rejected(path):
    with pytest.raises(MediaRejected) as info:
        detect(path)
    return info.value


def test_mp4_named_txt_is_video(clip_mp4, tmp_path):
    """An MP4 video is recognised as video even when named .txt."""
    renamed = tmp_path / "notes.txt"
    shutil.copy(clip_mp4, renamed)
    found = detect(renamed)
    assert (found.kind, found.ext, found.mime) == ("video", "mp4", "video/mp4")


def test_wav_named_mp4_is_audio(make_tone, tmp_path):
    """A WAV file named .mp4 is audio (WAV), not video."""
    renamed = tmp_path / "film.mp4"
    shutil.copy(make_tone(0.1), renamed)
    found = detect(renamed)
    assert (found.kind, found.ext) == ("audio", "wav")


def test_audio_only_mp4_is_audio(generate, tmp_path):
    """An MP4 holding only sound is audio (m4a), found by looking at its streams."""
    path = tmp_path / "song.mp4"
    generate("-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", str(path))
    found = detect(path)
    assert (found.kind, found.ext) == ("audio", "m4a")


def test_elf_binary_named_mp4_is_refused(tmp_path):
    """A program (ELF binary) renamed .mp4 is refused as an executable."""
    fake = tmp_path / "film.mp4"
    shutil.copy(shutil.which("true") or "/bin/true", fake)
    error = rejected(fake)
    assert error.code == "executable"
    assert "program" in error.message


def test_windows_program_is_refused(tmp_path):
    """A Windows program (MZ header) is refused as an executable."""
    fake = tmp_path / "poster.jpg"
    fake.write_bytes(b"MZ\x90\x00" + bytes(200))
    assert rejected(fake).code == "executable"


def test_shell_script_is_refused(tmp_path):
    """A #! script is refused as an executable whatever its name."""
    script = tmp_path / "subtitles.srt"
    script.write_text("#!/bin/sh\nrm -rf /\n")
    assert rejected(script).code == "executable"


def test_html_with_script_named_mp4_is_refused(tmp_path):
    """An HTML page with a script, named .mp4, is refused as markup."""
    page = tmp_path / "film.mp4"
    page.write_text("\n  <!DOCTYPE html><html><script>alert(document.cookie)</script></html>")
    error = rejected(page)
    assert error.code == "markup"
    assert "scripts" in error.message


def test_svg_with_script_named_png_is_refused(tmp_path):
    """An SVG image with a script, named .png, is refused as markup."""
    svg = tmp_path / "poster.png"
    svg.write_text(
        '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
        "<script>alert(1)</script></svg>"
    )
    assert rejected(svg).code == "markup"


def test_utf16_html_is_refused(tmp_path):
    """HTML encoded as UTF-16 (with a byte order mark) is refused as markup too."""
    page = tmp_path / "page.txt"
    page.write_bytes("<html><script>x()</script></html>".encode("utf-16"))
    assert rejected(page).code == "markup"


def test_random_bytes_are_not_allowed(tmp_path):
    """Bytes of no known format are refused as a type that is not allowed."""
    blob = tmp_path / "work.mov"
    blob.write_bytes(random.Random(1234).randbytes(4096))
    error = rejected(blob)
    assert error.code == "type_not_allowed"
    assert "PDF" in error.message


def test_plain_text_is_not_allowed(tmp_path):
    """A plain text file that is not subtitles is refused."""
    text = tmp_path / "subtitles.srt"
    text.write_text("These are my notes about the film.\n")
    assert rejected(text).code == "type_not_allowed"


def test_empty_file_is_refused(tmp_path):
    """An empty file is refused as empty."""
    empty = tmp_path / "film.mp4"
    empty.write_bytes(b"")
    assert rejected(empty).code == "empty"


@pytest.mark.parametrize(
    "fixture, kind, ext, mime",
    [
        ("png_file", "image", "png", "image/png"),
        ("rotated_jpeg", "image", "jpg", "image/jpeg"),
        ("pdf_file", "document", "pdf", "application/pdf"),
        ("zip_file", "archive", "zip", "application/zip"),
        ("srt_file", "subtitle", "srt", "application/x-subrip"),
        ("vtt_file", "subtitle", "vtt", "text/vtt"),
    ],
)
def test_known_formats_are_recognised(request, tmp_path, fixture, kind, ext, mime):
    """Images, PDFs, ZIPs and subtitles are recognised from their content (name hidden)."""
    anonymous = tmp_path / "upload.bin"
    shutil.copy(request.getfixturevalue(fixture), anonymous)
    assert detect(anonymous) == detect(anonymous, head=anonymous.read_bytes()[:16])
    found = detect(anonymous)
    assert (found.kind, found.ext, found.mime) == (kind, ext, mime)


def test_mpeg_transport_and_program_streams_are_video(tmp_path):
    """Broadcast material (.ts, .mpg) is accepted as video by its content, whatever its name."""
    from residency.media.processing.detect import detect
    from tests.services import require_binary

    import subprocess

    ffmpeg = require_binary("ffmpeg")
    for fmt, name in (("mpegts", "clip.bin"), ("vob", "clip.dat")):
        path = tmp_path / name
        subprocess.run([ffmpeg, "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
                        "-t", "1", "-c:v", "mpeg2video", "-f", fmt, str(path)], check=True)
        assert detect(path).kind == "video", fmt
