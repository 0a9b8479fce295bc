"""Derivatives of an uploaded file: thumbnails, poster, preview, screening copy, audio
preview, waveform, WebVTT subtitles and the QC report.

Each :class:`Profile` writes one output atomically and deterministically (no timestamps or
encoder versions in the files, ``bitexact`` muxing), so running it again on the same source
rewrites the same result under the same key.
"""

import json
import os
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable

from . import subtitles
from .errors import MediaRejected
from .ffmpeg import ffprobe_json, input_file, output_file, run_ffmpeg
from .files import atomic_output
from .images import resized_jpeg
from .limits import Limits
from .qc import qc_report, subtitle_report
from .screening import constant_rate, fraction, screening_compliant

X264_PRESETS = (
    "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower",
    "veryslow", "placebo",
)
# x264's look-ahead thread runs ahead of the encoding threads by a number of frames that
# depends on timing, which changes the output from run to run; without it (the look-ahead
# then runs inside the frame threads) the output is the same for the same thread count.
X264_DETERMINISTIC = "sync-lookahead=0"
BITEXACT = ["-map_metadata", "-1", "-map_chapters", "-1", "-fflags", "+bitexact",
            "-flags:v", "+bitexact", "-flags:a", "+bitexact"]
THUMBNAIL_BOX = (320, 960)
POSTER_BOX = (1280, 1280)
STILL_AT = 0.10  # of the duration: past titles and fades, before most of the story
NOT_BLACK_LUMA = 24  # average 8-bit luma above which a frame is not (nearly) black
STILL_SEARCH = 60.0  # seconds searched for a frame that is not black
WAVEFORM_SIZE = "1800x280"
WAVEFORM_COLOUR = "0x1d3557"


@dataclass(frozen=True)
class Profile:
    """One kind of derivative: which files it applies to and how it is made."""

    name: str
    version: int
    kinds: frozenset[str]
    ext: str
    content_type: str
    builder: Callable = field(default=None, repr=False, compare=False)
    condition: Callable[[dict], bool] | None = field(default=None, repr=False, compare=False)

    def applies(self, detected_kind: str, probe: dict) -> bool:
        """Whether this profile makes sense for a file of that kind with that probe."""
        return detected_kind in self.kinds and (self.condition is None or self.condition(probe))

    def make(self, src, probe: dict, out_path, on_progress=None, limits: Limits = Limits()) -> dict:
        """Write the derivative of ``src`` to ``out_path`` and return facts about it.

        Returns ``{"use_source": True, "reason": …}`` and writes nothing when the source
        itself can serve (screening copy of a compliant file).
        :raise MediaRejected, TransientError, ProcessingTimeout: as the tools raise them.
        """
        meta = self.builder(src, probe, out_path, on_progress, limits)
        return {"profile": self.name, "version": self.version, "use_source": False, **meta}


def applicable_profiles(detected, probe: dict) -> list[str]:
    """Names of the profiles for this file, cheapest first."""
    return [name for name, profile in PROFILES.items() if profile.applies(detected.kind, probe)]


# --- stills -------------------------------------------------------------------------------


def _thumbnail(src, probe, out_path, on_progress, limits):
    return _still(src, probe, out_path, THUMBNAIL_BOX, limits)


def _poster(src, probe, out_path, on_progress, limits):
    return _still(src, probe, out_path, POSTER_BOX, limits)


def _still(src, probe, out_path, box, limits) -> dict:
    if probe.get("video") is None and "mode" in probe:
        return resized_jpeg(src, out_path, box, limits)
    width, height = fit(*display_size(probe["video"]), box)
    duration = probe["duration"]
    at = duration * STILL_AT
    scale = f"scale={width}:{height}:flags=lanczos,setsar=1"
    pick_not_black = (
        "format=yuv420p,signalstats,metadata=mode=select:key=lavfi.signalstats.YAVG"
        f":value={NOT_BLACK_LUMA}:function=greater,thumbnail=6"
    )
    with atomic_output(out_path) as tmp:
        for chain, window in ((f"{pick_not_black},{scale}", min(STILL_SEARCH, duration - at)),
                              (scale, None)):
            window_args = ["-t", f"{window:.3f}"] if window else []
            run_ffmpeg(
                ["-v", "error", "-ss", f"{at:.3f}", *window_args, *input_file(src),
                 "-map", "0:V:0", "-vf", chain, "-frames:v", "1", "-c:v", "mjpeg",
                 "-q:v", "3", "-pix_fmt", "yuvj420p", *BITEXACT, "-f", "image2", "-update", "1",
                 output_file(tmp)],
                timeout=limits.ffmpeg_timeout,
            )
            if os.path.exists(tmp) and os.path.getsize(tmp) > 0:
                break  # otherwise every frame searched was black: take the frame at ``at``
        else:
            raise MediaRejected("corrupt", "No picture could be taken from the video.")
    return {"width": width, "height": height, "codec": "mjpeg", "at": round(at, 3)}


# --- video --------------------------------------------------------------------------------


def _preview(src, probe, out_path, on_progress, limits):
    video = probe["video"]
    box = (1280, 720) if _landscape(video) else (720, 1280)
    width, height = fit(*display_size(video), box)
    filters = _picture_filters(video, width, height)
    rate = fraction(video.get("avg_frame_rate")) or Fraction(25)
    if rate > 31:
        filters.insert(-1, f"fps={rate / 2}")
        rate /= 2
    args = [*input_file(src), "-map", "0:V:0", "-vf", ",".join(filters),
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-profile:v", "high",
            "-x264-params", X264_DETERMINISTIC, "-maxrate", "4M", "-bufsize", "8M",
            "-g", str(max(1, round(rate * 2)))]
    args += _aac(probe, "128k")
    return _encode_mp4(src, probe, out_path, args, on_progress, limits)


def _screening(src, probe, out_path, on_progress, limits):
    compliant, reason = screening_compliant(probe)
    if compliant:
        return {"use_source": True, "reason": reason}
    video = probe["video"]
    box = (1920, 1080) if _landscape(video) else (1080, 1920)
    width, height = fit(*display_size(video), box)
    preset = os.environ.get("MEDIA_X264_PRESET", "medium")
    args = [*input_file(src), "-map", "0:V:0",
            "-vf", ",".join(_picture_filters(video, width, height)),
            "-c:v", "libx264", "-preset", preset if preset in X264_PRESETS else "medium",
            "-crf", "18", "-profile:v", "high", "-x264-params", f"8x8dct=1:{X264_DETERMINISTIC}",
            "-maxrate", "40M", "-bufsize", "60M"]
    rate = constant_rate(video)
    if rate is not None:
        args += ["-fps_mode", "cfr", "-r", str(rate)]
    args += _screening_audio(probe)
    meta = _encode_mp4(src, probe, out_path, args, on_progress, limits)
    return {**meta, "reason": reason}


#: The layout a screening copy keeps for each number of channels: AAC's standard configurations,
#: in the order cinema processors and festival players expect. More than eight are mixed into 7.1.
SCREENING_LAYOUTS = {3: "3.0", 4: "quad", 5: "5.0", 6: "5.1", 7: "6.1", 8: "7.1"}
SCREENING_AAC_BITRATES = {3: "384k", 4: "384k", 5: "640k", 6: "640k", 7: "768k", 8: "768k"}


def _screening_audio(probe) -> list[str]:
    """The screening copy's sound: stereo stays stereo (mono becomes two equal channels); surround
    keeps its channels in the standard layout of their number, at a bitrate for that many.

    A known layout is converted by ffmpeg's resampler (5.1(side) becomes 5.1, whose back channels
    take the side ones); channels without a layout are taken in the standard order of their
    count (what the QC warning asks the artist to confirm in the technical rider). Past eight
    channels, the first eight are kept as 7.1 (the QC warning says so).
    """
    audio = probe.get("audio")
    if not audio or (audio.get("channels") or 0) <= 2:
        return _aac(probe, "320k")
    channels = min(audio["channels"], 8)
    target = SCREENING_LAYOUTS[channels]
    known = audio.get("channel_layout") not in (None, "", "unknown") and audio["channels"] <= 8
    if known:
        conversion = f"aformat=channel_layouts={target}"
    else:
        conversion = f"pan={target}|" + "|".join(f"c{n}=c{n}" for n in range(channels))
    return ["-map", "0:a:0", "-c:a", "aac", "-b:a", SCREENING_AAC_BITRATES[channels], "-ar", "48000",
            "-af", conversion]


def _encode_mp4(src, probe, out_path, args, on_progress, limits) -> dict:
    with atomic_output(out_path) as tmp:
        run_ffmpeg(
            [*args, "-sn", "-dn", *BITEXACT, "-movflags", "+faststart", "-f", "mp4",
             output_file(tmp)],
            duration=probe["duration"], on_progress=on_progress, timeout=limits.ffmpeg_timeout,
        )
        meta = describe(tmp, limits)
    return meta


def _picture_filters(video: dict, width: int, height: int) -> list[str]:
    filters = []
    if video.get("field_order") in ("tt", "bb", "tb", "bt"):
        filters.append("bwdif=mode=send_frame")
    return filters + [f"scale={width}:{height}:flags=bicubic", "setsar=1", "format=yuv420p"]


def _aac(probe, bitrate: str) -> list[str]:
    if not probe.get("audio"):
        return ["-an"]
    return ["-map", "0:a:0", "-c:a", "aac", "-b:a", bitrate, "-ar", "48000", "-ac", "2"]


# --- audio --------------------------------------------------------------------------------


def _audio_preview(src, probe, out_path, on_progress, limits):
    channels = min(2, probe["audio"].get("channels") or 2)
    with atomic_output(out_path) as tmp:
        run_ffmpeg(
            [*input_file(src), "-map", "0:a:0", "-vn", "-c:a", "aac", "-b:a", "128k",
             "-ar", "48000", "-ac", str(channels), *BITEXACT, "-movflags", "+faststart",
             "-f", "ipod", output_file(tmp)],
            duration=probe["duration"], on_progress=on_progress, timeout=limits.ffmpeg_timeout,
        )
        meta = describe(tmp, limits)
    return meta


def _waveform(src, probe, out_path, on_progress, limits):
    # showwavespic keeps every sample until the end: a low rate keeps long files small.
    rate = max(1000, min(8000, int(8000 * 1800 / max(probe["duration"], 1))))
    graph = (f"[0:a:0]aresample={rate},aformat=sample_fmts=s16:channel_layouts=mono,"
             f"showwavespic=s={WAVEFORM_SIZE}:colors={WAVEFORM_COLOUR}:filter=peak:scale=sqrt[w]")
    with atomic_output(out_path) as tmp:
        run_ffmpeg(
            [*input_file(src), "-filter_complex", graph, "-map", "[w]", "-frames:v", "1",
             "-c:v", "png", *BITEXACT, "-f", "image2", "-update", "1", output_file(tmp)],
            duration=probe["duration"], on_progress=on_progress, timeout=limits.ffmpeg_timeout,
        )
    width, height = WAVEFORM_SIZE.split("x")
    return {"width": int(width), "height": int(height), "codec": "png"}


# --- text ---------------------------------------------------------------------------------


def _webvtt(src, probe, out_path, on_progress, limits):
    if os.path.getsize(src) > limits.max_subtitle_bytes:
        raise MediaRejected("bad_subtitles", "The subtitle file is too large.")
    with open(src, "rb") as f:
        text, _ = subtitles.decode(f.read())
    cues = subtitles.parse(text, probe.get("format", "srt"))
    with atomic_output(out_path) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            f.write(subtitles.to_webvtt(cues))
    return {"cues": len(cues)}


def _qc(src, probe, out_path, on_progress, limits):
    """The QC report as JSON; its warnings (codes and values) also go in the derivative's meta."""
    if "cues" in probe:  # subtitles, probed by ``probe_subtitles``
        report = subtitle_report(src, probe, limits=limits)
    else:
        report = qc_report(src, probe, on_progress=on_progress, limits=limits)
    with atomic_output(out_path) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            json.dump(report, f, indent=2, sort_keys=True, ensure_ascii=False)
            f.write("\n")
    return {"warnings": report["warnings"]}


# --- geometry -----------------------------------------------------------------------------


def display_size(video: dict) -> tuple[int, int]:
    """Width and height as shown: square pixels, rotation flag applied."""
    width, height = video["width"], video["height"]
    sar = fraction((video.get("sample_aspect_ratio") or "1:1").replace(":", "/"))
    if sar and sar > 0:
        width = round(width * sar)
    if video.get("rotation") in (90, 270):
        width, height = height, width
    return width, height


def fit(width: int, height: int, box: tuple[int, int]) -> tuple[int, int]:
    """The largest even size with the same shape inside ``box``, never larger than the source."""
    scale = min(1.0, box[0] / width, box[1] / height)

    def even(value, limit):
        return max(2, min(round(value / 2) * 2, limit - limit % 2))

    return even(width * scale, width), even(height * scale, height)


def describe(path, limits: Limits = Limits()) -> dict:
    """Facts about a written audio/video derivative, read back with ffprobe."""
    info = ffprobe_json(path, timeout=limits.probe_timeout)
    streams = info.get("streams") or []
    video = next((s for s in streams if s.get("codec_type") == "video"), {})
    audio = next((s for s in streams if s.get("codec_type") == "audio"), {})
    fmt = info.get("format") or {}
    return {
        "width": video.get("width"),
        "height": video.get("height"),
        "codec": video.get("codec_name") or audio.get("codec_name"),
        "audio_codec": audio.get("codec_name"),
        "duration": round(float(fmt.get("duration") or 0), 3),
        "size": os.path.getsize(path),
    }


def _landscape(video: dict) -> bool:
    width, height = display_size(video)
    return width >= height


def _has_audio(probe: dict) -> bool:
    return bool(probe.get("audio"))


def _kind(*kinds):
    return frozenset(kinds)


PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (
        Profile("thumbnail", 1, _kind("video", "image"), "jpg", "image/jpeg", _thumbnail),
        Profile("poster", 1, _kind("video", "image"), "jpg", "image/jpeg", _poster),
        Profile("webvtt", 1, _kind("subtitle"), "vtt", "text/vtt", _webvtt),
        Profile("waveform", 1, _kind("audio", "video"), "png", "image/png", _waveform,
                _has_audio),
        Profile("audio_preview", 1, _kind("audio"), "m4a", "audio/mp4", _audio_preview),
        Profile("qc", 3, _kind("video", "audio", "subtitle"), "json", "application/json", _qc),
        Profile("preview", 1, _kind("video"), "mp4", "video/mp4", _preview),
        Profile("screening", 2, _kind("video"), "mp4", "video/mp4", _screening),
    )
}
