"""Files under a folder of the local disk."""

import os
import shutil
import tempfile
from pathlib import Path

from residency.storage.base import Storage, StorageError, check_key

CHUNK = 1024 * 1024


class LocalStorage(Storage):
    name = "local"

    def __init__(self, root):
        self.root = Path(root)

    def path(self, key):
        return self.root / check_key(key)

    def check(self):
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.root, prefix=".health-", delete=True) as probe:
                probe.write(b"ok")
                probe.flush()
        except OSError as exc:
            raise StorageError(f"storage folder not writable: {exc.strerror}") from exc

    def put(self, key, fileobj, content_type="application/octet-stream"):
        """Write atomically: a reader never sees half a file."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(fileobj, out, CHUNK)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return key

    def open(self, key):
        try:
            return self.path(key).open("rb")
        except FileNotFoundError as exc:
            raise StorageError(f"no such key {key!r}") from exc

    def exists(self, key):
        return self.path(key).is_file()

    def size(self, key):
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError as exc:
            raise StorageError(f"no such key {key!r}") from exc

    def delete(self, key):
        self.path(key).unlink(missing_ok=True)
