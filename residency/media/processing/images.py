"""Still images with Pillow: guarded opening, probing and resized JPEG copies."""

import contextlib
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import MediaRejected
from .files import atomic_output
from .limits import Limits

MAX_FRAMES_CHECKED = 1000


def too_many_pixels(width: int, height: int, limit: int) -> MediaRejected:
    return MediaRejected(
        "too_many_pixels",
        f"The image is {width} × {height} pixels, more than the {limit // 1_000_000} megapixels "
        "accepted.",
    )


@contextlib.contextmanager
def open_image(path, limits: Limits = Limits()):
    """Open ``path`` with Pillow reading only its header, refusing decompression bombs.

    Both Pillow's ``DecompressionBombError`` and ``DecompressionBombWarning`` count as a
    refusal, and the size is checked again against ``limits.max_image_pixels`` before any pixel
    is decoded. Sets ``Image.MAX_IMAGE_PIXELS`` for the process to that limit.

    :raise MediaRejected: ``too_many_pixels``, or ``corrupt`` when Pillow cannot read it.
    """
    Image.MAX_IMAGE_PIXELS = limits.max_image_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise MediaRejected(
            "too_many_pixels",
            f"The image has more than the {limits.max_image_pixels // 1_000_000} megapixels "
            "accepted.",
            str(exc),
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _corrupt(exc) from exc
    with image:
        width, height = image.size
        if width * height > limits.max_image_pixels:
            raise too_many_pixels(width, height, limits.max_image_pixels)
        if width == 0 or height == 0:
            raise MediaRejected("corrupt", "The image has no pixels.")
        yield image


def probe_image(path, limits: Limits = Limits()) -> dict:
    """``{"format", "width", "height", "mode", "frames", "orientation"}`` without decoding pixels.

    :raise MediaRejected: ``too_many_pixels`` (also for any frame of a multi-frame image) or
        ``corrupt`` (Pillow's ``verify()`` fails).
    """
    with open_image(path, limits) as image:
        info = {
            "format": image.format,
            "width": image.width,
            "height": image.height,
            "mode": image.mode,
            "frames": _frames(image, limits),
            "orientation": _orientation(image),
        }
    with open_image(path, limits) as image:
        try:
            image.verify()
        except Exception as exc:  # verify() raises whatever the plugin's parser meets
            raise _corrupt(exc) from exc
    return info


def resized_jpeg(src, out_path, box: tuple[int, int], limits: Limits = Limits()) -> dict:
    """Write a JPEG of ``src`` fitting in ``box`` (never enlarged), upright per its EXIF.

    Metadata (EXIF, GPS) is not copied; an ICC profile is kept so colours stay right.
    :raise MediaRejected: as :func:`open_image`; ``corrupt`` when the pixels cannot be decoded.
    """
    with open_image(src, limits) as image:
        try:
            image.draft("RGB", (box[0] * 2, box[1] * 2))  # JPEG: decode at a reduced scale
            icc = image.info.get("icc_profile")
            image = ImageOps.exif_transpose(image)
            image = _to_rgb(image)
            image.thumbnail(box, Image.Resampling.LANCZOS, reducing_gap=3.0)
        except (OSError, ValueError, SyntaxError) as exc:
            raise _corrupt(exc) from exc
        with atomic_output(out_path) as tmp:
            image.save(tmp, "JPEG", quality=85, icc_profile=icc, progressive=False)
        return {"width": image.width, "height": image.height, "codec": "mjpeg"}


def _to_rgb(image: Image.Image) -> Image.Image:
    """RGB pixels: transparency flattened on white, 16-bit and float images scaled to 8 bits."""
    mode = image.mode
    if mode.startswith("I") or mode == "F":
        high = image.getextrema()[1] or 1
        if mode.startswith("I;16"):
            scale = 1 / 257
        elif mode == "F" and high <= 1:
            scale = 255
        else:
            scale = 255 / high if high > 255 else 1
        image = image.convert("F").point(lambda v: v * scale).convert("L")
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        image = image.convert("RGBA")
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image)
    return image.convert("RGB")


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation (1 = upright). A PNG's EXIF after its pixels is not looked for:
    Pillow would decode the whole image to reach it."""
    if image.format == "PNG" and "exif" not in image.info:
        return 1
    return int(image.getexif().get(0x0112, 1) or 1)


def _frames(image: Image.Image, limits: Limits) -> int:
    count = getattr(image, "n_frames", 1)
    if count > 1 and image.format == "TIFF":
        for index in range(min(count, MAX_FRAMES_CHECKED)):
            image.seek(index)  # reads the page's header only
            width, height = image.size
            if width * height > limits.max_image_pixels:
                raise too_many_pixels(width, height, limits.max_image_pixels)
        image.seek(0)
    return count


def _corrupt(exc: Exception) -> MediaRejected:
    return MediaRejected("corrupt", "The image is damaged and could not be read.", str(exc))
