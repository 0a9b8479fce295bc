"""Subtitles burnt into the picture, for festivals whose delivery profile asks for it.

The copy is made once, when the package is prepared (on the ``cpu`` queue), from the approved
screening copy (or the original) and the approved subtitles' clean WebVTT: x264, the picture's
size kept, the sound copied. Like any derivative, its SHA-256 and size are computed as it is made
and stored with the package; the bag's manifest uses them.
"""

import re
import shutil
import tempfile
from pathlib import Path

from flask import current_app

from residency.media.models import DerivativeState
from residency.media.pipeline import hash_file
from residency.media.processing.ffmpeg import input_file, output_file, run_ffmpeg
from residency.media.processing.limits import Limits
from residency.storage import get_storage


def _done(derivative):
    return derivative is not None and derivative.state == DerivativeState.DONE and derivative.key


def subtitle_for(assets, language):
    """The approved subtitle file to burn: the one in ``language`` (``film.fr.srt``), else the first."""
    subtitles = [a for a in assets if a.kind == "subtitle" and _done(a.derivative("webvtt"))]
    for asset in subtitles:
        parts = asset.original_filename.rsplit(".", 2)
        if len(parts) == 3 and parts[1].lower() == language:
            return asset
    return subtitles[0] if subtitles else None


def _filter_path(path):
    """``path`` written for the ``subtitles`` filter (its own escaping of ``\\ : ' , [ ] ;``)."""
    return re.sub(r"([\\:',\[\];])", r"\\\1", str(path))


def burn(package_id, video, subtitle, source_key):
    """Make the burnt-in copy of ``video`` with ``subtitle``; returns ``(key, size, sha256)``.

    :raise MediaRejected, TransientError, ProcessingTimeout: as ffmpeg's runner raises them.
    """
    storage = get_storage()
    scratch = Path(current_app.config["SCRATCH_DIR"])
    scratch.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="burn-", dir=scratch))
    try:
        subs = folder / "subtitles.vtt"
        with storage.local_copy(subtitle.derivative("webvtt").key) as vtt:
            shutil.copyfile(vtt, subs)
        out = folder / "burnt.mp4"
        with storage.local_copy(source_key) as src:
            run_ffmpeg([*input_file(src), "-map", "0:v:0", "-map", "0:a?", "-vf", f"subtitles={_filter_path(subs)}",
                        "-c:v", "libx264", "-preset", current_app.config.get("MEDIA_X264_PRESET", "medium"),
                        "-crf", "18", "-pix_fmt", "yuv420p", "-c:a", "copy", "-movflags", "+faststart",
                        output_file(out)], duration=(video.probe or {}).get("duration"),
                       timeout=Limits().ffmpeg_timeout)
        sha256, size = hash_file(out)
        key = f"festival-packages/{package_id}/burnt/{video.id}-{subtitle.id}.mp4"
        storage.put_file(key, out, "video/mp4")
        return key, size, sha256
    finally:
        shutil.rmtree(folder, ignore_errors=True)
