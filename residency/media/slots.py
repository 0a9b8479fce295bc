"""Upload slots: where a file goes and the rules it must meet.

A slot is named by a short reference (``work:12``; calls add ``application:…`` slots). Each
feature declares a resolver for its slot type that checks the user may upload there and returns
its rules: allowed kinds, size limit, how many files.
"""

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from residency.core.errors import ActionRefused

#: The refusal of an upload place the user sees but may not upload to.
NOT_YOURS = _l("You may not upload files here.")

ALL_KINDS = frozenset({"video", "audio", "image", "document", "archive", "subtitle"})

#: What a browser may declare for each kind; the real check is by content after upload.
DECLARED_TYPES = {
    "video": ("video/",),
    "audio": ("audio/",),
    "image": ("image/png", "image/jpeg", "image/webp", "image/tiff"),
    "document": ("application/pdf",),
    "archive": ("application/zip", "application/x-zip-compressed"),
    "subtitle": ("text/vtt", "application/x-subrip", "text/srt", "application/x-srt"),
}
EXTENSIONS = {
    "video": {"mp4", "mov", "m4v", "mkv", "webm", "avi", "mxf", "mpg", "mpeg", "ts", "ogv"},
    "audio": {"wav", "flac", "mp3", "m4a", "aac", "ogg", "oga", "opus", "aif", "aiff"},
    "image": {"png", "jpg", "jpeg", "webp", "tif", "tiff"},
    "document": {"pdf"},
    "archive": {"zip"},
    "subtitle": {"srt", "vtt"},
}


@dataclass(frozen=True)
class SlotRules:
    kinds: frozenset
    max_size: int
    max_count: int | None = None
    label: str = ""


@dataclass(frozen=True)
class Slot:
    ref: str
    rules: SlotRules
    work_id: int | None = None


_RESOLVERS = {}


def slot_resolver(slot_type):
    """Declare ``fn(user, raw_id: str) -> Slot`` for references ``<slot_type>:<raw_id>``.

    The resolver parses and checks ``raw_id`` itself and raises ``ActionRefused`` (400 malformed,
    404 unknown or invisible to the user, exactly as if it did not exist; 403 visible to the user
    but not theirs to upload to).
    """

    def decorator(fn):
        _RESOLVERS[slot_type] = fn
        return fn

    return decorator


def resolve_slot(ref, user):
    """The slot ``ref`` for ``user``.

    :raise ActionRefused: malformed reference (400), no such slot or one the user may not see
        (404), one the user sees but may not upload to (403).
    """
    slot_type, _sep, raw_id = (ref or "").partition(":")
    resolver = _RESOLVERS.get(slot_type)
    if resolver is None or not raw_id or len(ref) > 64:
        raise ActionRefused(_l("Unknown upload destination."), status=400)
    return resolver(user, raw_id)


def guess_kind(filename, declared_type):
    """The kind a file claims to be, from its name and declared type (checked again by content)."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    for kind, extensions in EXTENSIONS.items():
        if ext in extensions:
            return kind
    declared = (declared_type or "").lower()
    for kind, prefixes in DECLARED_TYPES.items():
        if declared.startswith(prefixes):
            return kind
    return None


def default_max_size():
    return current_app.config["MEDIA_MAX_FILE_SIZE"]


@slot_resolver("work")
def _work_slot(user, raw_id):
    """Any file of a work the user owns, up to MEDIA_MAX_FILE_SIZE.

    A work the user may not see is unknown (404, as if it did not exist); one they see but may
    not change (a network admin) is refused (403).
    """
    from residency.core.ids import parse_id
    from residency.core.permissions import can
    from residency.extensions import db
    from residency.media.models import Work

    if not (raw_id.isascii() and raw_id.isdigit()):
        raise ActionRefused(_l("Unknown upload destination."), status=400)
    work_id = parse_id(raw_id)
    work = db.session.get(Work, work_id) if work_id else None
    if work is None or not can(user, "work.view", work):
        raise ActionRefused(_l("Unknown upload destination."), status=404)
    if not can(user, "work.edit", work):
        raise ActionRefused(NOT_YOURS, status=403)
    return Slot(ref=f"work:{work.id}", rules=SlotRules(kinds=ALL_KINDS, max_size=default_max_size()), work_id=work.id)
