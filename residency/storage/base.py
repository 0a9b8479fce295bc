"""What every storage backend offers."""

import posixpath
import re
from abc import ABC, abstractmethod

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/]*$")


class StorageError(Exception):
    """The storage backend could not do what was asked."""


def check_key(key):
    """Refuse keys that could escape the storage root or confuse a backend."""
    if not key or len(key) > 512 or not _KEY.match(key):
        raise StorageError(f"invalid storage key {key!r}")
    normalized = posixpath.normpath(key)
    if normalized != key or normalized.startswith("..") or "/../" in f"/{key}/":
        raise StorageError(f"invalid storage key {key!r}")
    return key


class Storage(ABC):
    """Interface. ``put`` streams from a file object; ``open`` returns a readable binary stream."""

    name = "abstract"

    @abstractmethod
    def check(self):
        """Raise :class:`StorageError` unless the backend answers and accepts writes."""

    @abstractmethod
    def put(self, key, fileobj, content_type="application/octet-stream"):
        """Backend-specific."""

    @abstractmethod
    def open(self, key):
        """Backend-specific."""

    @abstractmethod
    def exists(self, key):
        """Backend-specific."""

    @abstractmethod
    def size(self, key):
        """Backend-specific."""

    @abstractmethod
    def delete(self, key):
        """Backend-specific."""
