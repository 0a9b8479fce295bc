"""Files under a folder of the local disk (the embedded default).

Signed URLs are the application's own: ``/media/files/<token>`` serves a file and
``/media/parts/<token>`` receives a part, each token signed with the secret key and expiring.
"""

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import uuid
from pathlib import Path

from residency.storage.base import KeyTaken, MultipartError, Part, Storage, StorageError, check_key, check_parts

CHUNK = 1024 * 1024
_UPLOAD_ID = set("0123456789abcdef")


def _signer(salt):
    from flask import current_app
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(current_app.secret_key, salt=salt)


class LocalStorage(Storage):
    name = "local"

    def __init__(self, root):
        self.root = Path(root)
        self.multipart_root = self.root / ".multipart"

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

    def _write(self, target, fileobj, digest=None, limit=None):
        """Stream ``fileobj`` into ``target`` atomically; returns the number of bytes written."""
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        written = 0
        try:
            with os.fdopen(fd, "wb") as out:
                while True:
                    chunk = fileobj.read(CHUNK)
                    if not chunk:
                        break
                    written += len(chunk)
                    if limit is not None and written > limit:
                        raise StorageError("more data than allowed")
                    if digest is not None:
                        digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return written

    def put(self, key, fileobj, content_type="application/octet-stream"):
        self._write(self.path(key), fileobj)
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

    def iter_keys(self):
        """Files under the root, skipping the hidden working files (``.multipart``, ``.upload-…``)."""
        if not self.root.is_dir():
            return
        for folder, folders, files in os.walk(self.root):
            folders[:] = sorted(name for name in folders if not name.startswith("."))
            for name in sorted(files):
                if name.startswith("."):
                    continue
                path = Path(folder) / name
                yield path.relative_to(self.root).as_posix(), path.stat().st_size

    def move(self, source, target):
        """A rename on the same disk: no byte is copied."""
        src, dst = self.path(source), self.path(target)
        if not src.is_file():
            raise StorageError(f"no such key {source!r}")
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dst)
        return target

    @contextlib.contextmanager
    def local_copy(self, key):
        path = self.path(key)
        if not path.is_file():
            raise StorageError(f"no such key {key!r}")
        yield path

    def download_url(self, key, filename, expires=3600, inline=False, content_type=None):
        from flask import url_for

        check_key(key)
        token = _signer("storage-file").dumps(
            {"k": key, "f": filename, "i": bool(inline), "t": content_type, "e": int(expires)}
        )
        return url_for("media.local_file", token=token, _external=False)

    @staticmethod
    def read_file_token(token, max_age_cap=7 * 24 * 3600):
        """The signed file request in ``token``; raises ``itsdangerous.BadData`` when invalid or expired."""
        signer = _signer("storage-file")
        data = signer.loads(token, max_age=max_age_cap)
        signer.loads(token, max_age=data["e"])
        return data

    # Multipart ---------------------------------------------------------------------------

    def _upload_dir(self, upload_id):
        if not upload_id or not set(upload_id) <= _UPLOAD_ID or len(upload_id) != 32:
            raise MultipartError("unknown upload")
        return self.multipart_root / upload_id

    def create_multipart(self, key, content_type="application/octet-stream"):
        if self.path(key).exists():
            raise KeyTaken(f"an object is already stored under {key!r}")
        upload_id = uuid.uuid4().hex
        folder = self._upload_dir(upload_id)
        folder.mkdir(parents=True)
        (folder / "upload.json").write_text(json.dumps({"key": key, "content_type": content_type}))
        return upload_id

    def _check_upload(self, key, upload_id):
        folder = self._upload_dir(upload_id)
        try:
            meta = json.loads((folder / "upload.json").read_text())
        except FileNotFoundError:
            raise MultipartError("unknown upload") from None
        if meta["key"] != key:
            raise MultipartError("unknown upload")
        return folder

    def part_url(self, key, upload_id, number, expires=3600):
        from flask import url_for

        self._check_upload(key, upload_id)
        token = _signer("storage-part").dumps({"k": key, "u": upload_id, "n": int(number), "e": int(expires)})
        return url_for("media.local_part", token=token, _external=False)

    def read_part_token(self, token):
        signer = _signer("storage-part")
        data = signer.loads(token, max_age=7 * 24 * 3600)
        signer.loads(token, max_age=data["e"])
        return data

    def write_part(self, key, upload_id, number, stream, limit, expected=None):
        """Store one part from a request stream; returns its ETag (the MD5 of the part, like S3).

        :param expected: the declared length; a part cut short (the connection dropped) is not
            kept, so the uploader sends it again instead of completing with a hole.
        :raise MultipartError: unknown upload, or fewer bytes than ``expected``.
        """
        folder = self._check_upload(key, upload_id)
        digest = hashlib.md5(usedforsecurity=False)
        target = folder / f"{int(number):05d}.part"
        size = self._write(folder / f".incoming-{int(number):05d}", stream, digest=digest, limit=limit)
        if expected is not None and size != expected:
            (folder / f".incoming-{int(number):05d}").unlink(missing_ok=True)
            raise MultipartError(f"part {number} arrived incomplete ({size} of {expected} bytes)")
        os.replace(folder / f".incoming-{int(number):05d}", target)
        etag = digest.hexdigest()
        (folder / f"{int(number):05d}.etag").write_text(f"{etag} {size}")
        return etag

    def list_parts(self, key, upload_id):
        folder = self._check_upload(key, upload_id)
        parts = []
        for meta in sorted(folder.glob("*.etag")):
            etag, size = meta.read_text().split()
            parts.append(Part(int(meta.stem), int(size), f'"{etag}"'))
        return parts

    def complete_multipart(self, key, upload_id, parts):
        folder = self._check_upload(key, upload_id)
        stored = {part.number: part for part in self.list_parts(key, upload_id)}
        check_parts(parts, stored)
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".assemble-")
        try:
            with os.fdopen(fd, "wb") as out:
                for number, _etag in parts:
                    with open(folder / f"{number:05d}.part", "rb") as part:
                        shutil.copyfileobj(part, out, CHUNK)
                out.flush()
                os.fsync(out.fileno())
            self._place_new(tmp, target, key)
        finally:
            Path(tmp).unlink(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True)
        return target.stat().st_size

    @staticmethod
    def _place_new(tmp, target, key):
        """Give the finished file ``tmp`` the name ``target`` unless that name is taken (atomically:
        a hard link fails on an existing name; ``tmp`` is removed by the caller)."""
        try:
            os.link(tmp, target)
        except FileExistsError:
            raise KeyTaken(f"an object is already stored under {key!r}") from None
        except OSError:  # a file system without hard links: check, then rename
            if target.exists():
                raise KeyTaken(f"an object is already stored under {key!r}") from None
            os.replace(tmp, target)

    def abort_multipart(self, key, upload_id):
        try:
            folder = self._check_upload(key, upload_id)
        except MultipartError:
            return
        shutil.rmtree(folder, ignore_errors=True)
