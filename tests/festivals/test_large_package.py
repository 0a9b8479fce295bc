"""A package larger than 4 GiB: ZIP64 records, streamed over HTTP without being held whole, resumed
with Range, and validated by the ``bagit`` library once unzipped. The 4 GiB video is a sparse file
of the local storage, so the test takes no disk space for it."""

import os
import zipfile

import bagit

from residency.extensions import db
from residency.festivals.models import Download
from residency.media.models import AssetState, MediaAsset, Work
from residency.storage import get_storage
from tests.festivals.support import approved_request, link_for

SIZE = 4 * 1024**3 + 3 * 1024**2 + 17  # past 4 GiB, not a round number
#: The SHA-256 of SIZE zero bytes, as ingest would have recorded it (computed once, by hashlib).
SHA256 = "f967ff3e86fcca0319939fc20947057e527288642df70e3f2737ec4b748ac803"
CHUNK = 8 * 1024 * 1024


def write_sparse(out, chunks):
    """Write ``chunks`` into the open file ``out``, seeking over runs of zeros (a sparse file)."""
    for chunk in chunks:
        if not chunk.count(0) == len(chunk):
            out.write(chunk)
        else:
            out.seek(len(chunk), os.SEEK_CUR)
    out.truncate()


def extract_sparse(archive_path, folder):
    """Unzip (checking each CRC) writing zeros as holes."""
    with zipfile.ZipFile(archive_path) as archive:
        for info in archive.infolist():
            target = folder / info.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as member, open(target, "wb") as out:
                write_sparse(out, iter(lambda: member.read(CHUNK), b""))
            assert target.stat().st_size == info.file_size


def test_package_past_4_gib(client, login_as, programmer, artist, edition, festival, tmp_path):
    festival.delivery_profile = {"video": "original", "subtitles": "none", "stills": False, "press_kit": False}
    work = Work(owner_id=artist.id, title="Very Long Take", synopsis={"en": "Eight hours of fog."})
    db.session.add(work)
    db.session.flush()
    sha = SHA256
    key = f"works/{work.id}/original/{sha}.mov"
    path = get_storage().path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as sparse:
        sparse.truncate(SIZE)
    db.session.add(MediaAsset(work_id=work.id, owner_id=artist.id, slot=f"work:{work.id}", kind="video",
                              original_filename="long take.mov", size=SIZE, sha256=sha, state=AssetState.READY,
                              original_key=key, ext="mov"))
    from residency.festivals.models import CatalogueEntry

    db.session.add(CatalogueEntry(work_id=work.id))
    db.session.commit()
    try:
        request = approved_request(programmer, artist, work, edition)
        package = request.package
        assert package.size > SIZE
        login_as(programmer)
        link = link_for(client, request)
        response = client.get(link, buffered=False)
        assert int(response.headers["Content-Length"]) == package.size
        archive_path = tmp_path / "package.zip"
        with open(archive_path, "wb") as out:
            write_sparse(out, response.response)
        response.close()
        assert archive_path.stat().st_size == package.size
        assert db.session.execute(db.select(Download)).scalar_one().completed

        tail_start = package.size - 5 * 1024 * 1024
        tail = client.get(link, headers={"Range": f"bytes={tail_start}-"}).get_data()
        with open(archive_path, "rb") as whole:
            whole.seek(tail_start)
            assert whole.read() == tail

        with zipfile.ZipFile(archive_path) as archive:
            big = next(i for i in archive.infolist() if i.filename.endswith("long take.mov"))
            assert big.file_size == SIZE and big.extract_version >= 45  # ZIP64
        extract_sparse(archive_path, tmp_path / "unzipped")
        (bag_dir,) = list((tmp_path / "unzipped").iterdir())
        bag = bagit.Bag(str(bag_dir))
        bag.validate(processes=1)
        assert bag.info["Payload-Oxum"].startswith(str(SIZE + (bag_dir / "data" / "metadata.json").stat().st_size))
    finally:
        path.unlink(missing_ok=True)
