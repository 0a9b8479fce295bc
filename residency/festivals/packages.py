"""Delivery packages: prepared once by a worker, then streamed as a ZIP from storage.

Preparing a package writes its file list (the bag) and reads each stored file once for the ZIP
format's CRC-32 (the bag's SHA-256 manifest comes from ingest, never re-hashed). Then every byte
range of the ZIP can be produced without building it (:mod:`residency.festivals.zipstore`): an
exact ``Content-Length``, and a download cut short resumes with ``Range``. With S3, the worker also
assembles the ZIP once into the bucket (a multipart upload) and downloads go by presigned URL.

A package follows the *approved versions* of the files: replacing a file afterwards changes
nothing in it (the files stay stored, see :func:`referenced_assets`); the festival asks again to
get the new version.
"""

import logging
import zlib
from contextlib import closing

from flask import current_app
from flask_babel import lazy_gettext as _l

from residency import signals
from residency.audit.operations import record
from residency.core.types import utcnow
from residency.extensions import db
from residency.festivals import bagging, zipstore
from residency.festivals.events import note_event, tell_festival
from residency.festivals.models import Package, PackageFile, PackageState, RequestState, RightsRequest
from residency.media.processing.errors import MediaRejected
from residency.storage import S3Storage, StorageError, get_storage

log = logging.getLogger(__name__)
#: Reads from storage: large enough that Python's per-chunk cost stays small, small enough to keep
#: memory flat.
CHUNK = 1024 * 1024


def _fail(package, message):
    package.state, package.error = PackageState.FAILED, str(message)[:500]
    note_event(package.request, "package_failed", str(message))
    record("festival.package_failed", None, package, reason=str(message)[:300])
    tell_festival(package.request, "festival_package",
                  _l("The package of “%(work)s” could not be prepared", work=package.request.work.title),
                  package=package, failed=True, reason=str(message))


def prepare(package_id):
    """Build the bag's file list, read the CRC-32 of each stored file, assemble on S3; commits.

    Idempotent: a ready or failed package is left as it is. Returns the package's state.
    """
    package = db.session.get(Package, package_id, with_for_update=True)
    if package is None or package.state != PackageState.PREPARING:
        return package.state if package is not None else None
    request = package.request
    try:
        rows = bagging.build_files(request, package, _burnt_copies(package))
    except bagging.PackageProblem as problem:
        _fail(package, problem.message)
        db.session.commit()
        return package.state
    except MediaRejected as rejected:
        _fail(package, rejected.message)
        db.session.commit()
        return package.state
    storage = get_storage()
    package.files = [PackageFile(position=n, **row) for n, row in enumerate(rows)]
    try:
        for item in package.files:
            if item.key is not None:
                item.crc32 = _crc32(storage, item)
    except (StorageError, OSError) as exc:
        log.error("package %s: stored file unreadable: %s", package.id, exc)
        _fail(package, _l("A file of the package is missing from storage or incomplete. The coordinators "
                          "were told; ask them to restore it."))
        db.session.commit()
        return package.state
    package.size = zipstore.total_size(segments(package))
    if isinstance(storage, S3Storage) and current_app.config.get("FESTIVAL_ASSEMBLE_ON_S3", True):
        package.assembled_key = _assemble(storage, package)
    package.state, package.ready_at = PackageState.READY, utcnow()
    note_event(request, "package_ready")
    record("festival.package_ready", None, package, size=package.size)
    tell_festival(request, "festival_package", _l("The package of “%(work)s” is ready", work=request.work.title),
                  package=package, failed=False)
    db.session.commit()
    signals.festival_package_ready.send(package)
    return package.state


def _burnt_copies(package):
    """``{video asset id: (key, size, sha256)}`` of the copies with subtitles burnt in, made now
    when the profile asks for them (none when no subtitle was approved).

    :raise PackageProblem: the video copy to burn into was never made.
    :raise MediaRejected: ffmpeg refused the files.
    """
    from residency.festivals import burn, profiles

    profile = profiles.normalise(package.profile)
    if profile["subtitles"] != "burnt":
        return {}
    assets = bagging.approved_assets(package.request)
    city = package.request.festival.city
    subtitle = burn.subtitle_for(assets, (city.languages or ["en"])[0])
    if subtitle is None:
        return {}
    copies = {}
    for video in (a for a in assets if a.kind == "video" and a.state == "ready" and a.original_key):
        source_key = bagging.video_copy(video, profile)[2]
        copies[video.id] = burn.burn(package.id, video, subtitle, source_key)
    return copies


def _crc32(storage, item):
    """The stored file's CRC-32, reading it once; :raise OSError: shorter or longer than recorded."""
    crc, size = 0, 0
    for data in read_stored(storage, item.key, 0, item.size + 1):
        crc, size = zlib.crc32(data, crc), size + len(data)
    if size != item.size:
        raise OSError(f"{item.key}: {size} bytes stored, {item.size} recorded")
    return crc


def read_stored(storage, key, offset, length):
    """Yield up to ``length`` bytes of the stored object ``key`` from ``offset``, a chunk at a time
    (S3: one ranged GET; local: a seek). :raise StorageError: no such object."""
    if length <= 0:
        return
    if isinstance(storage, S3Storage):
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            stream = storage.client.get_object(Bucket=storage.bucket, Key=key,
                                               Range=f"bytes={offset}-{offset + length - 1}")["Body"]
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"no such key {key!r}") from exc
    else:
        stream = storage.open(key)
        stream.seek(offset)
    with closing(stream):
        remaining = length
        while remaining > 0:
            data = stream.read(min(CHUNK, remaining))
            if not data:
                return
            remaining -= len(data)
            yield data


def entries(package):
    return [zipstore.Entry(name=f.path, size=f.size, crc32=f.crc32 or 0, content=f.content, source=f.key)
            for f in package.files]


def segments(package):
    return zipstore.layout(entries(package), package.bagged_on)


def byte_stream(package, start, end):
    """The package's ZIP bytes ``start`` to ``end`` (inclusive), read from storage as they go."""
    storage = get_storage()

    def reader(entry, offset, length):
        return read_stored(storage, entry.source, offset, length)

    return zipstore.iter_range(segments(package), start, end, reader)


def missing_files(package):
    """The package's stored files that storage no longer holds at their recorded size."""
    storage = get_storage()
    missing = []
    for item in package.files:
        if item.key is None:
            continue
        try:
            if storage.size(item.key) != item.size:
                missing.append(item)
        except StorageError:
            missing.append(item)
    return missing


class _Reader:
    """A read-only file object over a generator of bytes (for a multipart upload from a stream)."""

    def __init__(self, chunks):
        self.chunks, self.buffer = chunks, b""

    def read(self, size=-1):
        while size < 0 or len(self.buffer) < size:
            try:
                self.buffer += next(self.chunks)
            except StopIteration:
                break
        if size < 0:
            data, self.buffer = self.buffer, b""
        else:
            data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data


def _assemble(storage, package):
    """Stream the whole ZIP into the bucket once (boto3 uploads it in parts); returns its key."""
    key = f"festival-packages/{package.id}/{bagging.bag_name_of(package.request)}.zip"
    storage.put(key, _Reader(byte_stream(package, 0, package.size - 1)), "application/zip")
    return key


def referenced_assets(asset_ids):
    """The ``media_asset_references`` hook: files approved in a request stay stored, so its package
    keeps delivering the approved version after the artist replaces a file."""
    wanted = {int(i) for i in asset_ids}
    found = set()
    for ids in db.session.execute(db.select(RightsRequest.asset_ids).where(
            RightsRequest.state == RequestState.APPROVED)).scalars():
        found |= wanted & {int(i) for i in ids or ()}
    return found


def file_name(package):
    return f"{bagging.bag_name_of(package.request)}.zip"
