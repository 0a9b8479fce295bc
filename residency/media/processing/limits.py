"""Limits that protect the workers from hostile or runaway files."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Processing limits; the defaults suit the residency's uploads."""

    max_image_pixels: int = 100_000_000
    archive_max_entries: int = 10_000
    archive_max_total_bytes: int = 20 * 1024**3
    archive_max_ratio: float = 100.0
    # The ratio rule only applies from this uncompressed total on: a few MB of silence or of
    # blank texture compress far better than 100:1 and harm nobody.
    archive_ratio_min_bytes: int = 64 * 1024**2
    # A central directory larger than this is refused before it is read into memory.
    archive_max_directory_bytes: int = 64 * 1024**2
    max_subtitle_bytes: int = 5 * 1024**2
    ffmpeg_timeout: float = 6 * 3600
    probe_timeout: float = 120
    # Files of audio/video no longer than these are decoded in full by probe(); longer ones
    # are decoded in windows at the start, middle and end (QC later decodes everything).
    full_decode_video_seconds: float = 120
    full_decode_audio_seconds: float = 1800
