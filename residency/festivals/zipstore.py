"""A ZIP archive in store mode laid out from what is already known of its files, so that any byte
range of it can be produced without building it.

Every file's name, size and CRC-32 are known before the first byte is sent (sizes and SHA-256
from ingest, the CRC-32 read once when the package is prepared), so the local headers carry them
and no data descriptor is needed: the archive is a fixed sequence of *segments*, small header
bytes and whole stored files, and the bytes ``[start, end]`` are produced by skipping to the
segment holding ``start`` and reading each stored file from the right offset. ZIP64 records are
written for a file, an offset or a directory past 4 GiB (or 65,535 entries), as APPNOTE 6.3.x
says. The timestamps come from the package's bagging date, so two requests give the same bytes
(a resumed download matches an uninterrupted one).

Why not zipstream-ng: it computes each CRC while streaming and stamps entries with the clock, so
it can neither start in the middle of an archive nor give the same bytes twice.
"""

import struct
from dataclasses import dataclass

ZIP64_LIMIT = 0xFFFFFFFF
COUNT_LIMIT = 0xFFFF
_UTF8_FLAG = 0x0800
_VERSION_ZIP64 = 45
_VERSION_STORED = 20
_MADE_BY = (3 << 8) | _VERSION_ZIP64  # Unix, spec 4.5
_FILE_MODE = 0o100644 << 16


@dataclass(frozen=True)
class Entry:
    """A file of the archive: its name, size and CRC-32, and where its bytes come from
    (``content`` for a small generated file, otherwise ``source`` handed to the reader)."""

    name: str
    size: int
    crc32: int
    content: bytes | None = None
    source: object = None


@dataclass(frozen=True)
class Segment:
    offset: int
    length: int
    data: bytes | None = None  # header bytes, or a generated file's content
    entry: Entry | None = None  # a stored file read through the reader


def _dos_time(day):
    """MS-DOS date and time of midnight on ``day``."""
    return 0, ((day.year - 1980) << 9) | (day.month << 5) | day.day


def _name(entry):
    try:
        return entry.name.encode("ascii"), 0
    except UnicodeEncodeError:
        return entry.name.encode("utf-8"), _UTF8_FLAG


def _local_header(entry, day):
    name, flags = _name(entry)
    zip64 = entry.size >= ZIP64_LIMIT
    extra = struct.pack("<HHQQ", 1, 16, entry.size, entry.size) if zip64 else b""
    size32 = ZIP64_LIMIT if zip64 else entry.size
    dostime, dosdate = _dos_time(day)
    return struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, _VERSION_ZIP64 if zip64 else _VERSION_STORED, flags, 0, dostime, dosdate,
        entry.crc32, size32, size32, len(name), len(extra),
    ) + name + extra


def _central_header(entry, offset, day):
    name, flags = _name(entry)
    values = []
    if entry.size >= ZIP64_LIMIT:
        values += [entry.size, entry.size]
    if offset >= ZIP64_LIMIT:
        values.append(offset)
    extra = struct.pack(f"<HH{len(values)}Q", 1, 8 * len(values), *values) if values else b""
    size32 = ZIP64_LIMIT if entry.size >= ZIP64_LIMIT else entry.size
    dostime, dosdate = _dos_time(day)
    return struct.pack(
        "<IHHHHHHIIIHHHHHII", 0x02014B50, _MADE_BY, _VERSION_ZIP64 if values else _VERSION_STORED, flags, 0,
        dostime, dosdate, entry.crc32, size32, size32, len(name), len(extra), 0, 0, 0, _FILE_MODE,
        min(offset, ZIP64_LIMIT),
    ) + name + extra


def _end_records(count, cd_offset, cd_size):
    tail = b""
    if count >= COUNT_LIMIT or cd_offset >= ZIP64_LIMIT or cd_size >= ZIP64_LIMIT:
        zip64_end = cd_offset + cd_size
        tail += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, _MADE_BY, _VERSION_ZIP64, 0, 0, count, count,
                            cd_size, cd_offset)
        tail += struct.pack("<IIQI", 0x07064B50, 0, zip64_end, 1)
    tail += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, min(count, COUNT_LIMIT), min(count, COUNT_LIMIT),
                        min(cd_size, ZIP64_LIMIT), min(cd_offset, ZIP64_LIMIT), 0)
    return tail


def layout(entries, day):
    """The archive of ``entries`` (in order) dated ``day``, as a list of :class:`Segment`."""
    segments, offsets, position = [], [], 0

    def add(length, data=None, entry=None):
        nonlocal position
        segments.append(Segment(position, length, data, entry))
        position += length

    for entry in entries:
        offsets.append(position)
        header = _local_header(entry, day)
        add(len(header), header)
        if entry.content is not None:
            add(entry.size, entry.content)
        elif entry.size:
            add(entry.size, entry=entry)
    directory = b"".join(_central_header(entry, offset, day) for entry, offset in zip(entries, offsets))
    cd_offset = position
    add(len(directory), directory)
    end = _end_records(len(entries), cd_offset, len(directory))
    add(len(end), end)
    return segments


def total_size(segments):
    last = segments[-1]
    return last.offset + last.length


def iter_range(segments, start, end, reader, chunk=1024 * 1024):
    """Yield the archive's bytes ``start`` to ``end`` (inclusive).

    ``reader(entry, offset, length)`` yields the stored file's bytes from ``offset``, ``length`` of
    them; it must raise when the stored file is missing or shorter than recorded, so a broken
    archive is cut short (the client sees fewer bytes than the Content-Length), never completed.
    """
    for segment in segments:
        seg_end = segment.offset + segment.length - 1
        if seg_end < start or segment.offset > end or segment.length == 0:
            continue
        first = max(start, segment.offset) - segment.offset
        last = min(end, seg_end) - segment.offset
        if segment.data is not None:
            for piece in range(first, last + 1, chunk):
                yield segment.data[piece:min(last + 1, piece + chunk)]
            continue
        wanted = last - first + 1
        got = 0
        for data in reader(segment.entry, first, wanted):
            got += len(data)
            yield data
        if got != wanted:
            raise OSError(f"stored file {segment.entry.name!r} gave {got} bytes of {wanted}")
