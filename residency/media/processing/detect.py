"""What a file is, judged from its content only (never from its name)."""

import os
import re
from dataclasses import dataclass

from .errors import MediaRejected
from .ffmpeg import ffprobe_json

KINDS = ("video", "audio", "image", "document", "archive", "subtitle")
HEAD_SIZE = 8192


@dataclass(frozen=True)
class Detected:
    """The kind of a file, its MIME type and canonical extension (without the dot)."""

    kind: str
    mime: str
    ext: str


_EXECUTABLE = "This file is a program or script, and programs cannot be uploaded."
_MARKUP = (
    "Web pages, SVG and XML files cannot be uploaded, because they can carry scripts. "
    "Export the work as an image, a PDF or a ZIP archive instead."
)
_NOT_ALLOWED = (
    "This type of file is not accepted. Upload video, audio, an image (PNG, JPEG, WebP, TIFF), "
    "a PDF, a ZIP archive or subtitles (SRT, WebVTT)."
)

# Magic numbers of things that run: ELF, PE/DOS (MZ), Mach-O (32/64, both byte orders, fat).
_EXECUTABLE_MAGIC = (
    b"\x7fELF", b"MZ", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe",
)
# Brands of ISO base media files (byte 8 of the ftyp box).
_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}
_QUICKTIME_BRANDS = {b"qt  "}
_IMAGE_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis", b"crx "}
_OLD_QUICKTIME_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}

_SRT_TIME = r"\d{1,3}:\d{1,2}:\d{1,2}[,.]\d{1,3}"
_SRT_START = re.compile(rf"\A\s*(\d+\s*\n\s*)?{_SRT_TIME}\s*-->\s*{_SRT_TIME}")
_MARKUP_WORDS = re.compile(r"<\s*(html|svg|script|\?xml|!doctype|iframe|body|head)\b", re.I)


def detect(path, head: bytes | None = None) -> Detected:
    """Identify ``path`` from its bytes.

    :param head: the first bytes of the file if the caller already has them.
    :raise MediaRejected: ``empty`` (0 bytes), ``executable`` (ELF, PE, Mach-O, ``#!`` script),
        ``markup`` (HTML, SVG, XML, XHTML: they could carry script) or ``type_not_allowed``.
    """
    size = os.path.getsize(path)
    if size == 0:
        raise MediaRejected("empty", "The file is empty.")
    if head is None or len(head) < min(size, HEAD_SIZE):
        with open(path, "rb") as f:
            head = f.read(HEAD_SIZE)
    found = _binary(head)
    if found is None:
        found = _text(head)
    if found.kind == "container":
        return _container(path, found)
    return found


def _binary(head: bytes) -> Detected | None:
    """Formats recognised by their magic bytes, or None to try text formats."""
    if head.startswith(_EXECUTABLE_MAGIC) or head.lstrip(b"\xef\xbb\xbf").startswith(b"#!"):
        raise MediaRejected("executable", _EXECUTABLE)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Detected("image", "image/png", "png")
    if head.startswith(b"\xff\xd8\xff"):
        return Detected("image", "image/jpeg", "jpg")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Detected("image", "image/webp", "webp")
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return Detected("image", "image/tiff", "tiff")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return Detected("image", "image/gif", "gif")
    if head.startswith(b"%PDF-"):
        return Detected("document", "application/pdf", "pdf")
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return Detected("archive", "application/zip", "zip")
    if head[:4] in (b"RIFF", b"RF64", b"BW64") and head[8:12] == b"WAVE":
        return Detected("audio", "audio/wav", "wav")
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return Detected("audio", "audio/aiff", "aiff")
    if head.startswith(b"fLaC"):
        return Detected("audio", "audio/flac", "flac")
    if head.startswith(b"ID3") or _mpeg_audio_sync(head, layer=1):
        return Detected("audio", "audio/mpeg", "mp3")
    if _mpeg_audio_sync(head, layer=0):
        return Detected("audio", "audio/aac", "aac")
    return _container_magic(head)


def _container_magic(head: bytes) -> Detected | None:
    """Containers that may hold video or only audio: decided later with ffprobe."""
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _IMAGE_BRANDS:
            raise MediaRejected(
                "type_not_allowed",
                "HEIC and AVIF images are not accepted: export the image as JPEG or PNG.",
            )
        if brand in _AUDIO_BRANDS:
            return Detected("container", "audio/mp4", "m4a")
        if brand in _QUICKTIME_BRANDS:
            return Detected("container", "video/quicktime", "mov")
        return Detected("container", "video/mp4", "mp4")
    if head[4:8] in _OLD_QUICKTIME_ATOMS:
        return Detected("container", "video/quicktime", "mov")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        if b"webm" in head[:64]:
            return Detected("container", "video/webm", "webm")
        return Detected("container", "video/x-matroska", "mkv")
    if head.startswith(b"OggS"):
        return Detected("container", "audio/ogg", "ogg")
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return Detected("container", "video/x-msvideo", "avi")
    if head.startswith(b"\x06\x0e\x2b\x34\x02\x05\x01\x01\x0d\x01\x02\x01\x01"):
        return Detected("container", "application/mxf", "mxf")
    if _mpeg_ts(head):
        return Detected("container", "video/mp2t", "ts")
    if head.startswith(b"\x00\x00\x01\xba"):  # MPEG program stream pack header
        return Detected("container", "video/mpeg", "mpg")
    return None


def _mpeg_ts(head: bytes) -> bool:
    """MPEG transport stream: the 0x47 sync byte every 188 bytes (or 192 with a timecode prefix)."""
    for size, offset in ((188, 0), (192, 4)):
        packets = (len(head) - offset) // size
        if packets >= 4 and all(head[offset + i * size] == 0x47 for i in range(min(packets, 16))):
            return True
    return False


def _mpeg_audio_sync(head: bytes, layer: int) -> bool:
    """An MPEG audio frame header at the start: layer 1 = MP3 (layer III), 0 = ADTS AAC."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    if layer == 0:
        return head[1] & 0xF6 == 0xF0 and (head[2] >> 2) & 0xF < 13
    version, layer_bits = (head[1] >> 3) & 0x3, (head[1] >> 1) & 0x3
    bitrate_index, rate_index = head[2] >> 4, (head[2] >> 2) & 0x3
    return version != 1 and layer_bits == 1 and 0 < bitrate_index < 15 and rate_index < 3


def _text(head: bytes) -> Detected:
    """Subtitles, or a refusal naming why the text is not accepted."""
    text = _decode_head(head)
    if text is None:
        raise MediaRejected("type_not_allowed", _NOT_ALLOWED)
    stripped = text.lstrip("\ufeff \t\r\n\f\v\x00")
    if stripped.startswith("#!"):
        raise MediaRejected("executable", _EXECUTABLE)
    if stripped.startswith("<"):
        raise MediaRejected("markup", _MARKUP)
    normalised = stripped.replace("\r\n", "\n").replace("\r", "\n")
    if re.match(r"WEBVTT(?:[ \t\n]|\Z)", normalised):
        return Detected("subtitle", "text/vtt", "vtt")
    if _SRT_START.match(normalised):
        return Detected("subtitle", "application/x-subrip", "srt")
    if _MARKUP_WORDS.search(text):
        raise MediaRejected("markup", _MARKUP)
    raise MediaRejected("type_not_allowed", _NOT_ALLOWED)


def _decode_head(head: bytes) -> str | None:
    """The head as text, or None when it looks binary."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head[: len(head) // 2 * 2].decode("utf-16", "replace")
    if b"\x00" in head:
        return None
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:  # a character cut by the end of the head
            return head[: exc.start].decode("utf-8")
    text = head.decode("cp1252", "replace")
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\r\n\f")
    return None if controls > len(text) // 100 else text


def _container(path, found: Detected) -> Detected:
    """Audio or video, for a container that may hold either.

    A file with a video stream (not just cover art) is video. When ffprobe cannot read the
    file, the guess from the magic bytes stands and probe() reports the damage.
    """
    try:
        info = ffprobe_json(path)
    except MediaRejected:
        info = None
    default_kind = "audio" if found.mime.startswith("audio/") else "video"
    if info is None:
        return Detected(default_kind, found.mime, found.ext)
    streams = info.get("streams", [])
    has_video = any(
        s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")
        for s in streams
    )
    has_audio = any(s.get("codec_type") == "audio" for s in streams)
    if has_video:
        return _as_video(found)
    if has_audio:
        return _as_audio(found)
    return Detected(default_kind, found.mime, found.ext)


def _as_video(found: Detected) -> Detected:
    mimes = {"m4a": ("video/mp4", "mp4"), "ogg": ("video/ogg", "ogv")}
    mime, ext = mimes.get(found.ext, (found.mime, found.ext))
    return Detected("video", mime, ext)


def _as_audio(found: Detected) -> Detected:
    mimes = {
        "mp4": ("audio/mp4", "m4a"),
        "mov": ("audio/quicktime", "mov"),
        "mkv": ("audio/x-matroska", "mka"),
        "webm": ("audio/webm", "webm"),
        "avi": ("audio/x-msvideo", "avi"),
        "mxf": ("application/mxf", "mxf"),
    }
    mime, ext = mimes.get(found.ext, (found.mime, found.ext))
    return Detected("audio", mime, ext)
