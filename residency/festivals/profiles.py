"""Delivery profiles: what a festival's package holds, stored as data on the festival.

``video``: ``screening`` (the H.264 screening copy made at ingest), ``original`` (the master as
uploaded) or ``preview`` (the small web preview); ``subtitles``: ``separate`` (the artist's SRT or
WebVTT files and the clean WebVTT made from them), ``webvtt`` (the clean WebVTT only) or ``none``;
``burnt`` (a copy of the video with the subtitles in the picture, made when the package is prepared);
``stills``: the posters of the videos and the artist's images; ``press_kit``: the PDF documents.
"""

from flask_babel import lazy_gettext as _l

VIDEO_CHOICES = {
    "screening": _l("Screening copy (H.264, up to 1080p)"),
    "original": _l("Original master, as uploaded"),
    "preview": _l("Web preview"),
}
SUBTITLE_CHOICES = {
    "separate": _l("Separate files: the artist's SRT/WebVTT and a clean WebVTT"),
    "webvtt": _l("Clean WebVTT only"),
    "burnt": _l("Burnt into the picture (a copy made for the package)"),
    "none": _l("No subtitles"),
}
DEFAULT = {"video": "screening", "subtitles": "separate", "stills": True, "press_kit": True}


def normalise(profile):
    """A complete, valid profile from ``profile`` (unknown keys dropped, missing ones defaulted)."""
    profile = dict(profile or {})
    result = dict(DEFAULT)
    if profile.get("video") in VIDEO_CHOICES:
        result["video"] = profile["video"]
    if profile.get("subtitles") in SUBTITLE_CHOICES:
        result["subtitles"] = profile["subtitles"]
    for flag in ("stills", "press_kit"):
        if flag in profile:
            result[flag] = bool(profile[flag])
    return result


def describe(profile):
    """Lines saying what the profile delivers, in the reader's language."""
    profile = normalise(profile)
    lines = [VIDEO_CHOICES[profile["video"]], SUBTITLE_CHOICES[profile["subtitles"]]]
    if profile["stills"]:
        lines.append(_l("Stills"))
    if profile["press_kit"]:
        lines.append(_l("Press kit (PDF)"))
    return lines
