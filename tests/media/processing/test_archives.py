"""ZIP archives are listed without ever being extracted; bombs and escaping paths are refused."""

import resource
import time
import tracemalloc
import zipfile

import pytest

from residency.media.processing import Limits, MediaRejected
from residency.media.processing.detect import Detected, detect
from residency.media.processing.probe import probe

ZIP = Detected("archive", "application/zip", "zip")


def rejected(path, limits=Limits()):
    with pytest.raises(MediaRejected) as info:
        probe(path, ZIP, limits)
    return info.value


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory):
    """One entry of 200 MB of zeros, deflated while streaming into a ZIP of about 200 kB."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.zip"
    megabyte = bytes(1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("zeros.bin", "w", force_zip64=True) as entry:
            for _ in range(200):
                entry.write(megabyte)
    return path


def write_zip(path, names, **info):
    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            entry = zipfile.ZipInfo(name)
            for key, value in info.items():
                setattr(entry, key, value)
            archive.writestr(entry, b"#!/bin/sh\necho hi\n")
    return path


def patch_zip(path, *, old=b"", new=b"", encrypted=False):
    """Rewrite bytes zipfile refuses to write: a name's bytes, or the 'encrypted' flag bit."""
    data = bytearray(path.read_bytes().replace(old, new) if old else path.read_bytes())
    if encrypted:
        for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            at = data.find(signature)
            while at >= 0:
                data[at + flags_at] |= 0x1
                at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    return path


def test_zip_bomb_is_refused_without_extracting(zip_bomb):
    """A ZIP that unpacks to 1000 times its size is refused quickly, in little memory."""
    assert zip_bomb.stat().st_size < 1024 * 1024
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.monotonic()
    try:
        error = rejected(zip_bomb)
    finally:
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert error.code == "archive_bomb"
    assert "ZIP bomb" in error.message
    assert elapsed < 2.0
    assert peak < 5 * 1024 * 1024
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024


def test_archive_over_the_total_size_limit_is_refused(zip_bomb):
    """An archive that would unpack to more than the total limit is refused."""
    error = rejected(zip_bomb, Limits(archive_max_total_bytes=100 * 1024**2))
    assert error.code == "archive_bomb"
    assert "0.2 GB" in error.message


@pytest.mark.parametrize(
    "name",
    ["../evil.sh", "/etc/x", "piece/../../evil.sh", "..\\evil.bat", "\\\\server\\share\\x",
     "C:/Windows/evil.exe", "c:evil.exe"],
)
def test_entry_escaping_the_archive_is_refused(tmp_path, name):
    """An entry whose name leads outside the unpacked folder is refused."""
    error = rejected(write_zip(tmp_path / "escape.zip", ["piece/ok.txt", name]))
    assert error.code == "archive_path_escape"
    assert "outside its folder" in error.message


def test_entry_name_with_a_nul_byte_is_refused(tmp_path):
    """A name cut by a NUL byte ("evil.sh\\0.txt", read as evil.sh by C tools) is refused."""
    archive = write_zip(tmp_path / "nul.zip", ["piece/evil.shZ.txt"])
    patch_zip(archive, old=b"evil.shZ.txt", new=b"evil.sh\x00.txt")
    assert rejected(archive).code == "archive_path_escape"


def test_symbolic_link_entry_is_refused(tmp_path):
    """An entry stored as a symbolic link is refused (it could point anywhere)."""
    archive = write_zip(tmp_path / "link.zip", ["piece/link"], external_attr=0o120777 << 16)
    assert rejected(archive).code == "archive_path_escape"


def test_too_many_entries_are_refused(tmp_path):
    """An archive with more entries than allowed is refused before its listing is read."""
    archive = write_zip(tmp_path / "many.zip", [f"piece/{n}.txt" for n in range(6)])
    error = rejected(archive, Limits(archive_max_entries=5))
    assert error.code == "archive_too_many_entries"
    assert "at most 5" in error.message


def test_normal_archive_is_listed(zip_file):
    """A normal archive is listed: entries, sizes, ratio and top-level names."""
    summary = probe(zip_file, detect(zip_file))
    assert summary["entries"] == 3
    assert summary["top_level"] == ["README.txt", "piece/"]
    assert summary["total_uncompressed"] == 30 + 300 + 21
    assert summary["compressed"] == zip_file.stat().st_size
    assert summary["ratio"] == round(summary["total_uncompressed"] / summary["compressed"], 2)
    assert summary["encrypted"] is False


def test_encrypted_entries_are_allowed_but_flagged(tmp_path):
    """Encrypted entries do not refuse the archive, but are counted."""
    archive = write_zip(tmp_path / "secret.zip", ["piece/a.txt", "piece/b.txt"])
    patch_zip(archive, encrypted=True)
    summary = probe(archive, ZIP)
    assert summary["encrypted"] is True
    assert summary["encrypted_entries"] == 2
    assert summary["executables"] == 0


def test_damaged_archive_is_refused(tmp_path, zip_file):
    """A ZIP cut before its central directory is refused as damaged."""
    cut = tmp_path / "cut.zip"
    cut.write_bytes(zip_file.read_bytes()[:-30])
    assert rejected(cut).code == "corrupt"
