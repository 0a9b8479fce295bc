"""Technical quality control: what a festival's projectionist checks.

Audio and video: one ffmpeg pass decodes everything and measures, at once: black stretches
(``blackdetect``), frame-rate regularity (``vfrdet``), loudness, loudness range and true peak
(``ebur128`` with ``peak=true``, ITU-R BS.1770 / EBU R 128) and silences (``silencedetect``).
Subtitles: what converting them to clean UTF-8 WebVTT changed (encoding, markup).

Warnings are stored as codes with the measured values (``{"code": "very_quiet", "values":
{"lufs": -38.2}}``), never as sentences: ``residency.media.qc_warnings`` words them in the
reader's language.
"""

import math
import os
import re

from . import subtitles
from .errors import MediaRejected
from .ffmpeg import input_file, run_ffmpeg
from .limits import Limits
from .screening import screening_compliant

EBU_TARGET = -23.0
"""EBU R 128's programme loudness target, in LUFS."""
EBU_TOLERANCE = 2.0
"""How far from EBU R 128's target (in LU) a programme may be before the ``loudness`` warning.

Wider than R 128's own ±0.5 LU (±1 LU for live programmes): a festival adjusts the level of
each film anyway; this flags what needs a deliberate correction.
"""
ATSC_TARGET = -24.0
"""ATSC A/85's target (North American broadcast), in LKFS (the same scale as LUFS), ±2 dB."""
VERY_QUIET_LUFS = -36.0
"""Integrated loudness under which a programme is flagged ``very_quiet`` instead of ``loudness``.

13 LU under EBU R 128's −23 LUFS and 12 under ATSC A/85's −24 LKFS: bringing it to a
festival's level takes more than 12 dB of gain, which raises hiss and room noise with it. Few
mixes are this quiet on purpose; it is most often an export or gain-staging mistake.
"""
VERY_LOUD_LUFS = -14.0
"""Integrated loudness above which a programme is flagged ``very_loud`` instead of ``loudness``.

9 LU over EBU R 128's target, and louder than the level (about −14 LUFS) to which music
streaming services normalise songs: a mix this loud has most likely been limited hard to get
there. A festival will turn it down by 9 dB or more; the dynamics the limiter took stay lost.
"""
TRUE_PEAK_MAX = -1.0
"""EBU R 128's maximum true peak, in dBTP."""
EDGE_STRETCH_MAX = 1.0  # seconds of black or silence tolerated at the start or the end
MIN_STRETCH = 0.5  # shorter black or silent stretches are not reported at all
SILENCE_LEVEL = "-60dB"
SUBTITLE_ENCODINGS_KEPT = ("utf-8", "utf-8-sig")  # the WebVTT is UTF-8: nothing converted

_BLACK = re.compile(r"black_start:\s*([\d.]+)\s+black_end:\s*([\d.]+)")
_SILENCE_START = re.compile(r"silence_start:\s*(-?[\d.]+)")
_SILENCE_END = re.compile(r"silence_end:\s*(-?[\d.]+)")
_VFR = re.compile(r"VFR:([\d.]+) \((\d+)/(\d+)\)")
_NUMBER = r"(-?[\d.]+|-?inf|nan)"


def qc_report(src, probe: dict, on_progress=None, limits: Limits = Limits()) -> dict:
    """The QC report of an audio or video file already probed.

    ``{"codec", "resolution", "frame_rate", "duration", "audio_channels",
    "channel_layout", "sample_rate", "loudness": {"integrated_lufs", "true_peak_dbtp", "lra"} | None,
    "black": {"start", "end"} | None, "silence": {"start", "end"} | None,
    "variable_frame_rate": fraction of frames | None, "warnings": [{"code", "values"}]}``;
    ``black``/``silence`` give the seconds of black picture or silence at the start and end.

    :raise MediaRejected, TransientError, ProcessingTimeout: from :func:`run_ffmpeg`.
    """
    video, audio = probe.get("video"), probe.get("audio")
    duration = probe["duration"]
    lines = _measure(src, video, audio, duration, on_progress, limits)
    frame = 1.0 / video["fps"] if video and video.get("fps") else 0.04
    report = {
        "codec": (video or audio)["codec"],
        "audio_codec": audio["codec"] if audio else None,
        "resolution": f"{video['width']}x{video['height']}" if video else None,
        "frame_rate": video.get("fps") if video else None,
        "duration": duration,
        "audio_channels": audio["channels"] if audio else None,
        "channel_layout": audio.get("channel_layout") if audio else None,
        "sample_rate": audio["sample_rate"] if audio else None,
        "loudness": _loudness(lines) if audio else None,
        "black": _edges(_black(lines), duration, frame) if video else None,
        "silence": _edges(_silences(lines, duration), duration, 0.05) if audio else None,
        "variable_frame_rate": _vfr(lines) if video else None,
    }
    report["warnings"] = warnings_for(report, probe)
    return report


def _measure(src, video, audio, duration, on_progress, limits):
    """Run the one ffmpeg pass over the first video and audio streams; return its log lines."""
    chains, maps = [], []
    if video:
        chains.append(f"[0:V:0]blackdetect=d={MIN_STRETCH}:pix_th=0.10,vfrdet[v]")
        maps += ["-map", "[v]"]
    if audio:
        # ebur128 cannot take more than eight channels without a layout: past eight, the first
        # eight are measured (as the screening copy keeps them).
        first_eight = ("pan=7.1|" + "|".join(f"c{n}=c{n}" for n in range(8)) + ",") \
            if (audio.get("channels") or 0) > 8 else ""
        chains.append(
            f"[0:a:0]{first_eight}ebur128=peak=true:framelog=verbose,"
            f"silencedetect=n={SILENCE_LEVEL}:d={MIN_STRETCH}[a]"
        )
        maps += ["-map", "[a]"]
    lines: list[str] = []
    run_ffmpeg(
        ["-v", "info", *input_file(src), "-filter_complex", ";".join(chains), *maps,
         "-f", "null", "-"],
        duration=duration, on_progress=on_progress, timeout=limits.ffmpeg_timeout,
        log_lines=lines,
    )
    return lines


def warnings_for(report: dict, probe: dict) -> list[dict]:
    """The warnings a festival would care about, in a fixed order: ``[{"code", "values"}]``."""
    video, audio = probe.get("video"), probe.get("audio")
    found: list[dict] = []

    def warn(code, **values):
        found.append({"code": code, "values": values})

    loudness = report.get("loudness") or {}
    integrated = loudness.get("integrated_lufs")
    if integrated is not None:
        if integrated < VERY_QUIET_LUFS:
            warn("very_quiet", lufs=integrated)
        elif integrated > VERY_LOUD_LUFS:
            warn("very_loud", lufs=integrated)
        elif abs(integrated - EBU_TARGET) > EBU_TOLERANCE:
            warn("loudness", lufs=integrated)
    peak = loudness.get("true_peak_dbtp")
    if peak is not None and peak > TRUE_PEAK_MAX:
        warn("true_peak", dbtp=peak)
    for key in ("black", "silence"):
        edges = report.get(key) or {}
        for edge in ("start", "end"):
            if (edges.get(edge) or 0) > EDGE_STRETCH_MAX:
                warn(f"{key}_{edge}", seconds=round(edges[edge], 1))
    if video:
        _video_warnings(video, report, warn)
        if not audio:
            warn("no_audio")
    if audio:
        _channel_warnings(audio, probe, warn)
    return found


def _channel_warnings(audio: dict, probe: dict, warn) -> None:
    channels = audio.get("channels") or 0
    if channels == 1:
        warn("mono_audio")
    elif channels > 2:
        # The previews are always stereo; the screening copy keeps up to eight channels (7.1).
        layout = audio.get("channel_layout")
        values = {"channels": channels}
        if layout and layout != "unknown":
            values["layout"] = layout
        remixed = channels > 8 and bool(probe.get("video")) and not screening_compliant(probe)[0]
        warn("surround_audio_over_eight" if remixed else "surround_audio", **values)


def _video_warnings(video: dict, report: dict, warn) -> None:
    width, height = video["width"], video["height"]
    if video.get("field_order") in ("tt", "bb", "tb", "bt"):
        warn("interlaced")
    if (report.get("variable_frame_rate") or 0) > 0:
        warn("variable_frame_rate")
    if width % 2 or height % 2:
        warn("odd_dimensions", width=width, height=height)
    if min(width, height) < 720:
        warn("low_resolution", width=width, height=height)
    if video.get("sample_aspect_ratio") not in (None, "1:1", "0:1", "N/A"):
        warn("non_square_pixels", sar=video["sample_aspect_ratio"])
    if video.get("rotation"):
        warn("rotated", degrees=video["rotation"])


def subtitle_report(src, probe: dict, limits: Limits = Limits()) -> dict:
    """The QC report of an SRT or WebVTT file: what making clean UTF-8 WebVTT of it changes.

    ``{"format", "cues", "duration", "encoding", "markup_removed": [...],
    "styling_removed": [...], "warnings": [{"code", "values"}]}``; the removed markup is a few
    examples (``<font>``, ``{\\an8}``, ``STYLE``).

    :raise MediaRejected: ``bad_subtitles``, as the WebVTT derivative would.
    """
    if os.path.getsize(src) > limits.max_subtitle_bytes:
        raise MediaRejected("bad_subtitles", "The subtitle file is too large.")
    with open(src, "rb") as f:
        text, encoding = subtitles.decode(f.read())
    fmt = probe.get("format", "srt")
    dropped = subtitles.Dropped()
    cues = subtitles.parse(text, fmt, dropped)
    warnings = []
    if encoding not in SUBTITLE_ENCODINGS_KEPT:
        name = subtitles.ENCODING_NAMES.get(encoding, encoding.upper())
        warnings.append({"code": "subtitle_encoding_converted", "values": {"encoding": name}})
    if dropped.tags:
        warnings.append({"code": "subtitle_markup_removed", "values": {"markup": dropped.tags}})
    if dropped.styles:
        warnings.append({"code": "subtitle_styling_removed", "values": {"styling": dropped.styles}})
    return {
        "format": fmt,
        "cues": len(cues),
        "duration": max(cue.end for cue in cues) / 1000,
        "encoding": encoding,
        "markup_removed": dropped.tags,
        "styling_removed": dropped.styles,
        "warnings": warnings,
    }


def _loudness(lines: list[str]) -> dict | None:
    """Integrated loudness, true peak and loudness range from ebur128's last summary."""
    starts = [i for i, line in enumerate(lines) if "Summary:" in line]
    if not starts:
        return None
    summary = "\n".join(lines[starts[-1]:])
    integrated = _find(rf"\bI:\s*{_NUMBER} LUFS", summary)
    lra = _find(rf"\bLRA:\s*{_NUMBER} LU\b", summary)
    peak = _find(rf"True peak:\s*\n?\s*Peak:\s*{_NUMBER} dB", summary)
    return {"integrated_lufs": integrated, "true_peak_dbtp": peak, "lra": lra}


def _find(pattern: str, text: str) -> float | None:
    match = re.search(pattern, text)
    if not match:
        return None
    value = float(match.group(1))
    return round(value, 1) if math.isfinite(value) else None


def _black(lines: list[str]) -> list[tuple[float, float]]:
    return [(float(m[1]), float(m[2])) for line in lines if (m := _BLACK.search(line))]


def _silences(lines: list[str], duration: float) -> list[tuple[float, float]]:
    stretches, start = [], None
    for line in lines:
        if (m := _SILENCE_START.search(line)) is not None:
            start = max(0.0, float(m[1]))
        elif (m := _SILENCE_END.search(line)) is not None and start is not None:
            stretches.append((start, float(m[1])))
            start = None
    if start is not None:
        stretches.append((start, duration))
    return stretches


def _edges(stretches, duration: float, step: float) -> dict:
    """Seconds covered by a stretch touching the start, and by one touching the end."""
    tolerance = max(0.1, 2 * step)
    at_start = next((end for start, end in stretches if start <= tolerance), 0.0)
    at_end = next(
        (duration - start for start, end in reversed(stretches) if end >= duration - tolerance),
        0.0,
    )
    return {"start": round(min(at_start, duration), 2), "end": round(max(at_end, 0.0), 2)}


def _vfr(lines: list[str]) -> float | None:
    matches = [m for line in lines if (m := _VFR.search(line))]
    return round(float(matches[-1][1]), 4) if matches else None
