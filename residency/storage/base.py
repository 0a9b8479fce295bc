"""What every storage backend offers."""

import posixpath
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/]*$")

#: S3's rules for multipart uploads, applied by both backends so they behave the same.
MIN_PART_SIZE = 5 * 1024 * 1024
MAX_PART_SIZE = 5 * 1024**3
MAX_PARTS = 10_000


class StorageError(Exception):
    """The storage backend could not do what was asked."""


class MultipartError(StorageError):
    """A multipart completion was refused (missing, unknown, too small or mismatched parts)."""


class KeyTaken(MultipartError):
    """The key already holds an object: a multipart upload never starts on it nor overwrites it."""


@dataclass(frozen=True)
class Part:
    number: int
    size: int
    etag: str

    def to_dict(self):
        return {"PartNumber": self.number, "Size": self.size, "ETag": self.etag}


def check_key(key):
    """Refuse keys that could escape the storage root or confuse a backend."""
    if not key or len(key) > 512 or not _KEY.match(key):
        raise StorageError(f"invalid storage key {key!r}")
    normalized = posixpath.normpath(key)
    if normalized != key or normalized.startswith("..") or "/../" in f"/{key}/":
        raise StorageError(f"invalid storage key {key!r}")
    return key


def content_disposition(filename, inline=False):
    """An RFC 6266 header value with an ASCII fallback and the UTF-8 name."""
    from urllib.parse import quote

    fallback = re.sub(r'[^A-Za-z0-9._ -]', "_", filename)[:150] or "download"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def check_parts(parts, expected=None):
    """Validate a completion request: ascending unique numbers within S3's range.

    :param parts: ``[(number, etag)]`` as the client sent them.
    :param expected: ``{number: Part}`` actually stored, to compare ETags and sizes.
    """
    if not parts:
        raise MultipartError("no parts given")
    numbers = [number for number, _etag in parts]
    if numbers != sorted(set(numbers)) or numbers[0] < 1 or numbers[-1] > MAX_PARTS:
        raise MultipartError("parts must be listed once each, in ascending order, numbered 1 to 10000")
    if expected is None:
        return
    for index, (number, etag) in enumerate(parts):
        stored = expected.get(number)
        if stored is None:
            raise MultipartError(f"part {number} was never uploaded")
        if etag.strip('"') != stored.etag.strip('"'):
            raise MultipartError(f"part {number} does not match what was uploaded")
        if index < len(parts) - 1 and stored.size < MIN_PART_SIZE:
            raise MultipartError(f"part {number} is smaller than 5 MiB and is not the last one")
    if numbers != list(range(1, len(numbers) + 1)):
        raise MultipartError("a part is missing from the sequence")


class Storage(ABC):
    """Interface. Keys are ``/``-separated relative paths; files stream, never whole in memory."""

    name = "abstract"

    @abstractmethod
    def check(self):
        """Raise :class:`StorageError` unless the backend answers and accepts writes."""

    @abstractmethod
    def put(self, key, fileobj, content_type="application/octet-stream"):
        """Store the stream under ``key`` (atomically: readers never see half a file)."""

    def put_file(self, key, path, content_type="application/octet-stream"):
        with open(path, "rb") as handle:
            return self.put(key, handle, content_type)

    @abstractmethod
    def open(self, key):
        """A readable binary stream of the object."""

    @abstractmethod
    def exists(self, key):
        """True when the object exists."""

    @abstractmethod
    def size(self, key):
        """The object's size in bytes."""

    @abstractmethod
    def delete(self, key):
        """Remove the object (no error if it is already gone)."""

    @abstractmethod
    def iter_keys(self):
        """Every stored object's ``(key, size)``, in a stable order (unfinished uploads excluded)."""

    @abstractmethod
    def move(self, source, target):
        """Rename ``source`` to ``target`` (server-side; no data through this process if possible)."""

    @abstractmethod
    def local_copy(self, key):
        """A context manager giving a local file path holding the object (for ffmpeg and co.)."""

    @abstractmethod
    def download_url(self, key, filename, expires=3600, inline=False, content_type=None):
        """A signed, expiring URL that serves the object with Range support."""

    # Multipart (resumable) uploads -------------------------------------------------------

    @abstractmethod
    def create_multipart(self, key, content_type="application/octet-stream"):
        """Start a multipart upload to ``key``; returns the backend's upload id.

        :raise KeyTaken: an object is already stored under ``key`` (keys of uploads are never reused).
        """

    @abstractmethod
    def part_url(self, key, upload_id, number, expires=3600):
        """A signed URL the browser PUTs part ``number`` to."""

    @abstractmethod
    def list_parts(self, key, upload_id):
        """The parts received so far, as :class:`Part` in ascending order."""

    @abstractmethod
    def complete_multipart(self, key, upload_id, parts):
        """Assemble ``parts`` (``[(number, etag)]``) into the object; returns its size.

        Never overwrites: :raise KeyTaken: another object was stored under ``key`` meanwhile.
        """

    @abstractmethod
    def abort_multipart(self, key, upload_id):
        """Forget the upload and its parts."""
