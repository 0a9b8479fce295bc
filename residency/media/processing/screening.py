"""Whether a video can be screened as it is: the rules of the screening copy, shared by the
derivatives (which re-encode only what is not compliant) and the QC report (which says so)."""

from fractions import Fraction

STANDARD_RATES = (Fraction(24000, 1001), Fraction(24), Fraction(25), Fraction(30000, 1001),
                  Fraction(30), Fraction(48), Fraction(50), Fraction(60000, 1001), Fraction(60))


def screening_compliant(probe: dict) -> tuple[bool, str]:
    """Whether the source can be screened as is, and why (or why not).

    Compliant: MP4 or QuickTime, H.264 at most 1080p (1920×1080, or 1080×1920 upright),
    4:2:0 8-bit, progressive, square pixels, no rotation flag, a constant frame rate, and AAC
    or PCM sound at 48 kHz (or no sound).
    """
    video, audio = probe.get("video"), probe.get("audio")
    if not video:
        return False, "there is no video"
    reasons = []
    if probe.get("container") not in ("mp4", "mov"):
        reasons.append(f"the container is {probe.get('container')}, not MP4 or QuickTime")
    if video.get("codec") != "h264":
        reasons.append(f"the video codec is {video.get('codec')}, not H.264")
    width, height = video["width"], video["height"]
    if max(width, height) > 1920 or min(width, height) > 1080:
        reasons.append(f"the picture ({width}×{height}) is larger than 1080p")
    if video.get("pix_fmt") != "yuv420p":
        reasons.append(f"the pixel format is {video.get('pix_fmt')}, not yuv420p")
    if video.get("field_order") not in (None, "progressive"):
        reasons.append(f"the video is not progressive (field order {video.get('field_order')})")
    if video.get("sample_aspect_ratio") not in (None, "1:1", "0:1", "N/A"):
        reasons.append("the pixels are not square")
    if video.get("rotation"):
        reasons.append("the video carries a rotation flag")
    if constant_rate(video) is not None:
        reasons.append(f"the frame rate varies (nominal {video.get('r_frame_rate')}, average "
                       f"{video.get('avg_frame_rate')})")
    if audio:
        codec = audio.get("codec") or ""
        if codec != "aac" and not codec.startswith("pcm_"):
            reasons.append(f"the audio codec is {codec}, not AAC or PCM")
        if audio.get("sample_rate") != 48000:
            reasons.append(f"the audio sample rate is {audio.get('sample_rate')} Hz, not 48 kHz")
    if reasons:
        return False, "; ".join(reasons)
    sound = f", {audio['codec']} {audio['sample_rate'] // 1000} kHz" if audio else ""
    return True, (f"already a screening copy: H.264 {width}×{height} yuv420p progressive{sound} "
                  f"in {probe['container'].upper()}")


def constant_rate(video: dict) -> Fraction | None:
    """A standard frame rate to force when the source's rate looks variable, else None."""
    nominal, average = fraction(video.get("r_frame_rate")), fraction(video.get("avg_frame_rate"))
    if not nominal or not average or abs(nominal - average) <= average / 1000:
        return None
    nearest = min(STANDARD_RATES, key=lambda r: abs(r - average))
    return nearest if abs(nearest - average) <= average / 50 else Fraction(round(average))


def fraction(text) -> Fraction | None:
    try:
        value = Fraction(text)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return value or None
