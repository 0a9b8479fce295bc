"""Technical quality control of audio and video: what a festival's projectionist checks.

One ffmpeg pass decodes everything and measures, at once: black stretches (``blackdetect``),
frame-rate regularity (``vfrdet``), loudness, loudness range and true peak (``ebur128`` with
``peak=true``, ITU-R BS.1770 / EBU R128) and silences (``silencedetect``).
"""

import math
import re

from .ffmpeg import input_file, run_ffmpeg
from .limits import Limits

EBU_TARGET, EBU_TOLERANCE = -23.0, 2.0
ATSC_TARGET = -24.0
TRUE_PEAK_MAX = -1.0
EDGE_STRETCH_MAX = 1.0  # seconds of black or silence tolerated at the start or the end
MIN_STRETCH = 0.5  # shorter black or silent stretches are not reported at all
SILENCE_LEVEL = "-60dB"

_BLACK = re.compile(r"black_start:\s*([\d.]+)\s+black_end:\s*([\d.]+)")
_SILENCE_START = re.compile(r"silence_start:\s*(-?[\d.]+)")
_SILENCE_END = re.compile(r"silence_end:\s*(-?[\d.]+)")
_VFR = re.compile(r"VFR:([\d.]+) \((\d+)/(\d+)\)")
_NUMBER = r"(-?[\d.]+|-?inf|nan)"


def qc_report(src, probe: dict, on_progress=None, limits: Limits = Limits()) -> dict:
    """The QC report of an audio or video file already probed.

    ``{"codec", "resolution", "frame_rate", "duration", "audio_channels", "sample_rate",
    "loudness": {"integrated_lufs", "true_peak_dbtp", "lra"} | None,
    "black": {"start", "end"} | None, "silence": {"start", "end"} | None,
    "variable_frame_rate": fraction of frames | None, "warnings": [{"code", "message"}]}``;
    ``black``/``silence`` give the seconds of black picture or silence at the start and end.

    :raise MediaRejected, TransientError, ProcessingTimeout: from :func:`run_ffmpeg`.
    """
    video, audio = probe.get("video"), probe.get("audio")
    duration = probe["duration"]
    chains, maps = [], []
    if video:
        chains.append(f"[0:V:0]blackdetect=d={MIN_STRETCH}:pix_th=0.10,vfrdet[v]")
        maps += ["-map", "[v]"]
    if audio:
        chains.append(
            "[0:a:0]ebur128=peak=true:framelog=verbose,"
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
    frame = 1.0 / video["fps"] if video and video.get("fps") else 0.04
    report = {
        "codec": (video or audio)["codec"],
        "audio_codec": audio["codec"] if audio else None,
        "resolution": f"{video['width']}x{video['height']}" if video else None,
        "frame_rate": video.get("fps") if video else None,
        "duration": duration,
        "audio_channels": audio["channels"] if audio else None,
        "sample_rate": audio["sample_rate"] if audio else None,
        "loudness": _loudness(lines) if audio else None,
        "black": _edges(_black(lines), duration, frame) if video else None,
        "silence": _edges(_silences(lines, duration), duration, 0.05) if audio else None,
        "variable_frame_rate": _vfr(lines) if video else None,
    }
    report["warnings"] = warnings_for(report, probe)
    return report


def warnings_for(report: dict, probe: dict) -> list[dict]:
    """The warnings a festival would care about, in a fixed order."""
    video, audio = probe.get("video"), probe.get("audio")
    found: list[dict] = []

    def warn(code, message):
        found.append({"code": code, "message": message})

    loudness = report.get("loudness") or {}
    integrated = loudness.get("integrated_lufs")
    if integrated is not None and abs(integrated - EBU_TARGET) > EBU_TOLERANCE:
        atsc = (
            "it does meet the ATSC A/85 target of −24 LKFS ±2"
            if abs(integrated - ATSC_TARGET) <= EBU_TOLERANCE
            else "the ATSC A/85 target (North American broadcast) is −24 LKFS"
        )
        warn("loudness", f"Integrated loudness is {integrated:.1f} LUFS, outside the EBU R128 "
                         f"target of −23 LUFS ±2 LU; {atsc}.")
    peak = loudness.get("true_peak_dbtp")
    if peak is not None and peak > TRUE_PEAK_MAX:
        warn("true_peak", f"True peak reaches {peak:.1f} dBTP, above the −1 dBTP maximum of "
                          "EBU R128: the sound may distort once encoded.")
    for key, what in (("black", "The picture is black"), ("silence", "The sound is silent")):
        edges = report.get(key) or {}
        for edge, where in (("start", "first"), ("end", "last")):
            if (edges.get(edge) or 0) > EDGE_STRETCH_MAX:
                warn(f"{key}_{edge}", f"{what} for the {where} {edges[edge]:.1f} s.")
    if video:
        _video_warnings(video, report, warn)
        if not audio:
            warn("no_audio", "The video has no sound track.")
    if audio and audio.get("channels") == 1:
        warn("mono_audio", "The sound is mono; festivals usually expect stereo or 5.1.")
    return found


def _video_warnings(video: dict, report: dict, warn) -> None:
    width, height = video["width"], video["height"]
    if video.get("field_order") in ("tt", "bb", "tb", "bt"):
        warn("interlaced", "The video is interlaced; projection expects progressive video.")
    if (report.get("variable_frame_rate") or 0) > 0:
        warn("variable_frame_rate", "The frame rate varies along the video; some players and "
                                    "projection systems stutter on it.")
    if width % 2 or height % 2:
        warn("odd_dimensions", f"The picture size {width}×{height} has an odd dimension, which "
                               "many encoders and players reject.")
    if min(width, height) < 720:
        warn("low_resolution", f"The resolution {width}×{height} is below 720p (1280×720).")
    if video.get("sample_aspect_ratio") not in (None, "1:1", "0:1", "N/A"):
        warn("non_square_pixels", f"The pixels are not square (sample aspect ratio "
                                  f"{video['sample_aspect_ratio']}); check the picture is not "
                                  "stretched.")
    if video.get("rotation"):
        warn("rotated", f"The video is stored turned by {video['rotation']}° with a flag to turn "
                        "it back, which some players ignore.")


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
