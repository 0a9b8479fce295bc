"""ZIP archives: listed from the central directory, never extracted."""

import os
import re
import stat
import struct
import zipfile

from .errors import MediaRejected
from .limits import Limits

TOP_LEVEL_MAX = 50
_EOCD = struct.Struct("<4s4H2LH")
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
_DRIVE = re.compile(r"^[A-Za-z]:")
_EXECUTABLE_NAMES = re.compile(
    r"\.(exe|msi|bat|cmd|com|dll|so|dylib|sh|command|app/|jar|apk|ps1|scr)$", re.I
)


def probe_archive(path, limits: Limits = Limits()) -> dict:
    """What a ZIP holds: ``{"entries", "total_uncompressed", "compressed", "ratio",
    "top_level", "encrypted", "encrypted_entries", "executables"}``.

    Only the central directory is read. ``compressed`` is the archive's size on disk, so
    entries that share compressed data (overlapping bombs) cannot lower the ratio.

    :raise MediaRejected: ``archive_path_escape`` (absolute name, ``..``, backslash or drive
        letter escape, NUL, symbolic link), ``archive_too_many_entries``, ``archive_bomb``
        (total or ratio over the limits, overlapping entries), ``empty`` or ``corrupt``.
    """
    size = os.path.getsize(path)
    entries, directory_size = _declared_directory(path, size)
    if entries > limits.archive_max_entries or directory_size > limits.archive_max_directory_bytes:
        raise _too_many(entries, limits)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError) as exc:
        raise _corrupt(str(exc)) from exc
    if len(infos) > limits.archive_max_entries:
        raise _too_many(len(infos), limits)
    if not infos:
        raise MediaRejected("empty", "The ZIP archive contains no files.")
    for info in infos:
        _check_name(info)
    total = sum(info.file_size for info in infos)
    _check_bomb(infos, total, size, limits)
    encrypted = sum(1 for info in infos if info.flag_bits & 0x1)
    return {
        "entries": len(infos),
        "total_uncompressed": total,
        "compressed": size,
        "ratio": round(total / max(size, 1), 2),
        "top_level": _top_level(infos),
        "encrypted": bool(encrypted),
        "encrypted_entries": encrypted,
        "executables": sum(1 for info in infos if _EXECUTABLE_NAMES.search(info.filename)),
    }


def _declared_directory(path, size: int) -> tuple[int, int]:
    """Entry count and central directory size from the end records, before zipfile reads it."""
    with open(path, "rb") as f:
        tail_size = min(size, 65535 + _EOCD.size)
        f.seek(size - tail_size)
        tail = f.read(tail_size)
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < _EOCD.size:
            raise _corrupt("no end of central directory record")
        _, disk, cd_disk, _, entries, cd_size, cd_offset, _ = _EOCD.unpack_from(tail, at)
        if disk or cd_disk:
            raise _corrupt("archives split over several disks are not supported")
        if entries == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF:
            locator_at = at - _ZIP64_LOCATOR.size
            if locator_at < 0 or tail[locator_at:locator_at + 4] != b"PK\x06\x07":
                raise _corrupt("missing ZIP64 locator")
            _, _, record_offset, _ = _ZIP64_LOCATOR.unpack_from(tail, locator_at)
            f.seek(record_offset)
            record = f.read(_ZIP64_EOCD.size)
            if len(record) < _ZIP64_EOCD.size or record[:4] != b"PK\x06\x06":
                raise _corrupt("bad ZIP64 end of central directory record")
            fields = _ZIP64_EOCD.unpack(record)
            entries, cd_size = fields[7], fields[8]
    return entries, cd_size


def _check_name(info: zipfile.ZipInfo) -> None:
    name = info.orig_filename  # zipfile cuts filename at a NUL byte; the original keeps it
    parts = re.split(r"[/\\]", name)
    mode = info.external_attr >> 16
    escape = (
        "\x00" in name
        or name.startswith(("/", "\\"))
        or _DRIVE.match(name)
        or ".." in parts
        or stat.S_ISLNK(mode)
    )
    if escape:
        raise MediaRejected(
            "archive_path_escape",
            f"The archive contains an entry that would be unpacked outside its folder or as a "
            f"link ({name!r}); such archives are not accepted.",
        )


def _check_bomb(infos, total: int, size: int, limits: Limits) -> None:
    if total > limits.archive_max_total_bytes:
        raise MediaRejected(
            "archive_bomb",
            f"The archive would unpack to {_gb(total)}, more than the "
            f"{_gb(limits.archive_max_total_bytes)} accepted.",
        )
    ratio = total / max(size, 1)
    if total >= limits.archive_ratio_min_bytes and ratio > limits.archive_max_ratio:
        raise MediaRejected(
            "archive_bomb",
            f"The archive would unpack to {ratio:.0f} times its size (at most "
            f"{limits.archive_max_ratio:.0f} accepted): it looks like a ZIP bomb.",
        )
    offsets = [info.header_offset for info in infos]
    overlapping = len(set(offsets)) != len(offsets) or sum(i.compress_size for i in infos) > size
    if overlapping:
        raise MediaRejected(
            "archive_bomb", "Entries of the archive overlap each other: it looks like a ZIP bomb."
        )


def _top_level(infos) -> list[str]:
    names = set()
    for info in infos:
        first, sep, _ = info.filename.partition("/")
        names.add(first + sep)
    return sorted(names)[:TOP_LEVEL_MAX]


def _too_many(entries: int, limits: Limits) -> MediaRejected:
    return MediaRejected(
        "archive_too_many_entries",
        f"The archive holds {entries} entries; at most {limits.archive_max_entries} are accepted.",
    )


def _corrupt(detail: str) -> MediaRejected:
    return MediaRejected("corrupt", "The ZIP archive is damaged and could not be read.", detail)


def _gb(count: int) -> str:
    return f"{count / 1024**3:.1f} GB"
