"""Both storage backends keep the same promises: what is put comes back whole, keys cannot escape
the storage root, and a missing object is a clear error. S3 is moto's server over real HTTP."""

import io
import os

import pytest

from residency.storage import LocalStorage, S3Storage, StorageError


@pytest.fixture(params=["local", "s3"])
def storage(request, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path / "storage")
    settings = request.getfixturevalue("moto_s3")
    return S3Storage(
        bucket=settings["S3_BUCKET"], endpoint_url=settings["S3_ENDPOINT_URL"], region=settings["S3_REGION"],
        access_key_id=settings["S3_ACCESS_KEY_ID"], secret_access_key=settings["S3_SECRET_ACCESS_KEY"],
    )


def test_what_is_stored_comes_back_byte_for_byte(storage):
    """A file put in storage is read back identical, with its size known."""
    data = os.urandom(3 * 1024 * 1024 + 17)
    key = "works/1/original/" + "a" * 64 + ".bin"
    storage.put(key, io.BytesIO(data))
    assert storage.exists(key)
    assert storage.size(key) == len(data)
    with storage.open(key) as stream:
        assert stream.read() == data
    storage.delete(key)
    assert not storage.exists(key)


def test_the_backend_answers_its_health_check(storage):
    """The health check passes when the storage is reachable and writable."""
    storage.check()


@pytest.mark.parametrize("key", ["../etc/passwd", "/etc/passwd", "works/../../x", "a//b", "", "works/./x", "x" * 600, "works/a b"])
def test_keys_cannot_escape_the_storage_root(storage, key):
    """A key with .., an absolute path, odd characters or too long is refused before any I/O."""
    with pytest.raises(StorageError):
        storage.put(key, io.BytesIO(b"nope"))


def test_reading_a_missing_object_is_a_clear_error(storage):
    """Opening or sizing a key that does not exist raises StorageError, not a backend exception."""
    with pytest.raises(StorageError):
        storage.open("works/9/missing.bin")
    with pytest.raises(StorageError):
        storage.size("works/9/missing.bin")
    assert storage.exists("works/9/missing.bin") is False


def test_local_writes_are_atomic(tmp_path):
    """A write that fails half-way leaves neither a partial file nor a temporary one."""
    storage = LocalStorage(tmp_path)

    class Broken(io.RawIOBase):
        def __init__(self):
            self.sent = 0

        def readable(self):
            return True

        def readinto(self, buffer):
            if self.sent > 2 * 1024 * 1024:
                raise OSError("connection dropped")
            buffer[: len(buffer)] = b"x" * len(buffer)
            self.sent += len(buffer)
            return len(buffer)

    with pytest.raises(OSError):
        storage.put("works/1/original/file.bin", io.BufferedReader(Broken()))
    assert not storage.exists("works/1/original/file.bin")
    assert list((tmp_path / "works/1/original").iterdir()) == []


def test_unreachable_bucket_fails_the_health_check(moto_s3):
    """A bucket that does not exist is reported, not ignored."""
    storage = S3Storage(
        bucket="no-such-bucket", endpoint_url=moto_s3["S3_ENDPOINT_URL"], region="us-east-1",
        access_key_id="testing", secret_access_key="testing",
    )
    with pytest.raises(StorageError):
        storage.check()


def test_a_local_working_copy_is_made_and_removed(storage, tmp_path):
    """Workers get a local file of any object (S3: downloaded into the scratch folder, made if
    missing, and deleted afterwards)."""
    if isinstance(storage, S3Storage):
        storage.scratch_dir = str(tmp_path / "scratch" / "not-yet")
    storage.put("works/2/original/x.bin", io.BytesIO(b"payload"))
    with storage.local_copy("works/2/original/x.bin") as path:
        assert open(path, "rb").read() == b"payload"
    if isinstance(storage, S3Storage):
        assert not os.path.exists(path)
