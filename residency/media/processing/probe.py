"""What a file holds, as a JSON-serialisable summary; damaged files are refused here."""

import os
import re
import struct

from . import subtitles
from .archives import probe_archive
from .detect import Detected
from .documents import probe_pdf
from .errors import MediaRejected
from .ffmpeg import ffprobe_json, input_file, run_ffmpeg
from .images import probe_image, too_many_pixels
from .limits import Limits

DECODE_WINDOW = 5.0
# ffmpeg error lines that do not mean the file is damaged.
_BENIGN = re.compile(r"Last message repeated|deprecated pixel format|timescale not set", re.I)
# Errors any decoder may print when it starts after a seek, in the middle of a group of
# pictures that refers to frames before it.
_BENIGN_AFTER_SEEK = re.compile(
    r"co located POCs unavailable|mmco: unref short failure|reference picture missing"
    r"|Missing reference picture|number of reference frames|Frame num gap|Could not find ref",
    re.I,
)
_TRUNCATION = re.compile(r"partial file|File ended prematurely|moov atom not found|Truncat", re.I)
# Formats whose duration is estimated from the bit rate, so a short read proves nothing.
_ESTIMATED_DURATION = {"mp3", "aac"}


def probe(path, detected: Detected, limits: Limits = Limits()) -> dict:
    """A JSON-serialisable summary of ``path`` for its detected kind (see the module functions).

    video/audio: ``{"container", "format_name", "duration", "bit_rate", "size", "video",
    "audio", "streams"}``, after checking that the file decodes without errors and is not
    cut short; image: ``{"format", "width", "height", "mode", "frames", "orientation"}``;
    document: ``{"pages", "encrypted", "javascript"}``; archive: see ``probe_archive``;
    subtitle: ``{"format", "cues", "encoding", "duration"}``.

    :raise MediaRejected: the file is damaged, truncated, too large in pixels, a bomb…
    """
    if detected.kind in ("video", "audio"):
        return probe_av(path, detected, limits)
    if detected.kind == "image":
        return probe_image(path, limits)
    if detected.kind == "document":
        return probe_pdf(path)
    if detected.kind == "archive":
        return probe_archive(path, limits)
    if detected.kind == "subtitle":
        return probe_subtitles(path, detected, limits)
    raise MediaRejected("type_not_allowed", "This type of file is not accepted.")


def probe_av(path, detected: Detected, limits: Limits = Limits()) -> dict:
    """ffprobe's facts about an audio or video file, checked by decoding.

    :raise MediaRejected: ``truncated``, ``corrupt``, ``type_not_allowed`` (no decoder for the
        codec), ``too_many_pixels``.
    """
    info = ffprobe_json(path, timeout=limits.probe_timeout)
    fmt = info.get("format") or {}
    streams = info.get("streams") or []
    video = next((s for s in streams if _is_picture(s)), None)
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    if video is None and audio is None or detected.kind == "video" and video is None:
        raise MediaRejected("corrupt", "No playable audio or video was found in the file.")
    for stream in (video, audio):
        if stream is not None and stream.get("codec_name") in (None, "", "none"):
            raise MediaRejected(
                "type_not_allowed",
                "The file uses an audio or video format that cannot be read; export it with a "
                "common codec (H.264, ProRes, AAC, PCM…).",
            )
    durations = [_float(fmt.get("duration"))] + [_float(s.get("duration")) for s in streams]
    duration = next((d for d in durations if d), None)
    if not duration or duration <= 0:
        raise MediaRejected("corrupt", "The file has no playable duration.")
    summary = {
        "container": detected.ext,
        "format_name": fmt.get("format_name"),
        "duration": round(duration, 3),
        "bit_rate": _int(fmt.get("bit_rate")),
        "size": _int(fmt.get("size")) or os.path.getsize(path),
        "video": _video(video) if video is not None else None,
        "audio": _audio(audio) if audio is not None else None,
        "streams": len(streams),
    }
    if summary["video"]:
        width, height = summary["video"]["width"], summary["video"]["height"]
        if not width or not height:
            raise MediaRejected("corrupt", "The video has no picture size.")
        if width * height > limits.max_image_pixels:
            raise too_many_pixels(width, height, limits.max_image_pixels)
    check_integrity(path, detected, summary, limits)
    return summary


def check_integrity(path, detected: Detected, summary: dict, limits: Limits = Limits()) -> None:
    """Refuse a file that is cut short or does not decode cleanly.

    Three cheap tests: every packet is read once without decoding (catches a missing tail and
    broken packets; the last packet must reach the announced duration); a WAV must hold the
    data its header announces; then the streams are decoded, in full for short files and in
    windows at the start, middle and end of long ones.

    :raise MediaRejected: ``truncated`` or ``corrupt``.
    """
    duration = summary["duration"]
    streams = ["-map", "0:V?", "-map", "0:a?"]
    errors, stats = [], {}
    run_ffmpeg(
        ["-v", "error", *input_file(path), *streams, "-c", "copy", "-f", "null", "-"],
        log_lines=errors, stats=stats, timeout=limits.ffmpeg_timeout,
    )
    _refuse_errors(errors, seeked=False)
    end = _int(stats.get("out_time_us")) or 0
    slack = max(1.0, 0.005 * duration)
    if detected.ext not in _ESTIMATED_DURATION and end / 1e6 < duration - slack:
        raise _truncated(f"packets end at {end / 1e6:.2f} s of {duration:.2f} s")
    if detected.ext == "wav":
        _check_wav(path)
    full = (limits.full_decode_video_seconds if summary["video"]
            else limits.full_decode_audio_seconds)
    starts = [0.0] if duration <= full else [0.0, duration / 2, duration - DECODE_WINDOW]
    for start in starts:
        window = [] if len(starts) == 1 else ["-t", f"{DECODE_WINDOW:g}"]
        errors = []
        run_ffmpeg(
            ["-v", "error", "-ss", f"{start:.3f}", *input_file(path), *window, *streams,
             "-f", "null", "-"],
            log_lines=errors, timeout=limits.ffmpeg_timeout,
        )
        _refuse_errors(errors, seeked=start > 0)


def probe_subtitles(path, detected: Detected, limits: Limits = Limits()) -> dict:
    """``{"format", "cues", "encoding", "duration"}`` of an SRT or WebVTT file.

    :raise MediaRejected: ``bad_subtitles`` (too large, malformed, no cue).
    """
    if os.path.getsize(path) > limits.max_subtitle_bytes:
        raise MediaRejected(
            "bad_subtitles",
            f"The subtitle file is larger than {limits.max_subtitle_bytes // 1024**2} MB.",
        )
    with open(path, "rb") as f:
        text, encoding = subtitles.decode(f.read())
    cues = subtitles.parse(text, detected.ext)
    return {
        "format": detected.ext,
        "cues": len(cues),
        "encoding": encoding,
        "duration": max(cue.end for cue in cues) / 1000,
    }


def _refuse_errors(lines: list[str], seeked: bool) -> None:
    errors = [
        line for line in lines
        if not _BENIGN.search(line) and not (seeked and _BENIGN_AFTER_SEEK.search(line))
    ]
    if not errors:
        return
    detail = "\n".join(errors[:20])
    if _TRUNCATION.search(detail):
        raise _truncated(detail)
    raise MediaRejected(
        "corrupt", "The file is damaged: parts of it could not be decoded.", detail
    )


def _truncated(detail: str) -> MediaRejected:
    return MediaRejected(
        "truncated",
        "The file is incomplete: it seems to have been cut off during upload or export.",
        detail,
    )


def _check_wav(path) -> None:
    """A RIFF WAVE file whose data chunk announces more bytes than the file holds is cut."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        if f.read(4) != b"RIFF":
            return  # RF64/BW64 keep their sizes elsewhere
        f.seek(12)
        while True:
            header = f.read(8)
            if len(header) < 8:
                return
            chunk, length = struct.unpack("<4sI", header)
            if chunk == b"data":
                if length not in (0, 0xFFFFFFFF) and f.tell() + length > size:
                    raise _truncated(f"data chunk of {length} bytes, {size - f.tell()} present")
                return
            f.seek(length + (length & 1), os.SEEK_CUR)


def _is_picture(stream: dict) -> bool:
    return stream.get("codec_type") == "video" and not (stream.get("disposition") or {}).get(
        "attached_pic"
    )


def _video(stream: dict) -> dict:
    fps = _rate(stream.get("avg_frame_rate")) or _rate(stream.get("r_frame_rate"))
    return {
        "codec": stream.get("codec_name"),
        "profile": stream.get("profile"),
        "width": _int(stream.get("width")),
        "height": _int(stream.get("height")),
        "fps": round(fps, 3) if fps else None,
        "pix_fmt": stream.get("pix_fmt"),
        "field_order": stream.get("field_order"),
        "bit_rate": _int(stream.get("bit_rate")),
        "r_frame_rate": stream.get("r_frame_rate"),
        "avg_frame_rate": stream.get("avg_frame_rate"),
        "sample_aspect_ratio": stream.get("sample_aspect_ratio"),
        "display_aspect_ratio": stream.get("display_aspect_ratio"),
        "rotation": _rotation(stream),
        "color_transfer": stream.get("color_transfer"),
    }


def _audio(stream: dict) -> dict:
    return {
        "codec": stream.get("codec_name"),
        "channels": _int(stream.get("channels")),
        "sample_rate": _int(stream.get("sample_rate")),
        "bit_rate": _int(stream.get("bit_rate")),
        "channel_layout": stream.get("channel_layout"),
    }


def _rotation(stream: dict) -> int:
    for side in stream.get("side_data_list") or []:
        if "rotation" in side:
            return int(round(float(side["rotation"]))) % 360
    rotate = (stream.get("tags") or {}).get("rotate")
    return int(rotate) % 360 if rotate and rotate.lstrip("-").isdigit() else 0


def _rate(text) -> float | None:
    if not text or "/" not in text:
        return None
    num, _, den = text.partition("/")
    try:
        return float(num) / float(den) if float(den) else None
    except ValueError:
        return None


def _float(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
