"""Fixtures for media tests: an artist with a work, the upload API client, both storage backends."""

import hashlib
import os
import re

import pytest
import requests

from residency.media.models import Work
from residency.storage import S3Storage

MiB = 1024 * 1024


@pytest.fixture
def artist(make_user):
    return make_user(email="artist@example.org", name="Aya")


@pytest.fixture
def work(db, artist):
    work = Work(owner_id=artist.id, title="Night Signals", year=2026)
    db.session.add(work)
    db.session.commit()
    return work


@pytest.fixture
def s3_storage(app, moto_s3):
    """Swap the app's storage for S3 (moto's server over HTTP) for one test."""
    storage = S3Storage(
        bucket=moto_s3["S3_BUCKET"], endpoint_url=moto_s3["S3_ENDPOINT_URL"], region=moto_s3["S3_REGION"],
        access_key_id=moto_s3["S3_ACCESS_KEY_ID"], secret_access_key=moto_s3["S3_SECRET_ACCESS_KEY"],
        scratch_dir=app.config["SCRATCH_DIR"],
    )
    previous = app.extensions.get("storage")
    app.extensions["storage"] = storage
    yield storage
    app.extensions["storage"] = previous


@pytest.fixture(params=["local", "s3"])
def backend(request, app):
    """Runs the test on the embedded default's storage and on S3."""
    if request.param == "s3":
        return request.getfixturevalue("s3_storage")
    from residency.storage import get_storage

    return get_storage()


class Uploader:
    """Speaks the resumable upload API the way the browser's uploader does."""

    def __init__(self, client):
        self.client = client
        self.token = client.csrf_token()

    def _headers(self):
        return {"X-CSRFToken": self.token}

    def create(self, slot, filename, size, type_="video/mp4", **extra):
        return self.client.post("/media/uploads", json={"slot": slot, "filename": filename, "size": size, "type": type_, **extra},
                                headers=self._headers())

    def sign(self, upload_id, number):
        return self.client.get(f"/media/uploads/{upload_id}/parts/{number}")

    def put_part(self, upload_id, number, data):
        """PUT the bytes to the signed URL (the app itself, or S3 over HTTP). Returns (status, etag)."""
        signed = self.sign(upload_id, number)
        assert signed.status_code == 200, signed.get_json()
        url = signed.get_json()["url"]
        if url.startswith("/"):
            response = self.client.put(url, data=data, headers={"Content-Length": str(len(data))})
            return response.status_code, response.headers.get("ETag")
        response = requests.put(url, data=data, timeout=30)
        return response.status_code, response.headers.get("ETag")

    def parts(self, upload_id):
        return self.client.get(f"/media/uploads/{upload_id}/parts")

    def complete(self, upload_id, parts):
        return self.client.post(f"/media/uploads/{upload_id}/complete",
                                json={"parts": [{"PartNumber": n, "ETag": e} for n, e in parts]}, headers=self._headers())

    def abort(self, upload_id):
        return self.client.delete(f"/media/uploads/{upload_id}", headers=self._headers())

    def upload(self, slot, filename, data, part_size=5 * MiB, type_="video/mp4"):
        created = self.create(slot, filename, len(data), type_)
        assert created.status_code == 201, created.get_json()
        upload_id = created.get_json()["uploadId"]
        parts = []
        for index, start in enumerate(range(0, len(data), part_size), start=1):
            status, etag = self.put_part(upload_id, index, data[start:start + part_size])
            assert status == 200
            parts.append((index, etag))
        return upload_id, self.complete(upload_id, parts)


@pytest.fixture
def uploader(client, login_as, artist):
    login_as(artist)
    return Uploader(client)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def random_bytes(size):
    return os.urandom(size)


def signed_path(response):
    """The path (and query) of a redirect to a signed URL."""
    location = response.headers["Location"]
    return re.sub(r"^https?://[^/]+", "", location)


def ffmpeg(*args):
    """Run ffmpeg to make test media (fails the test, or skips outside CI, when it is missing)."""
    import subprocess

    from tests.services import require_binary

    subprocess.run([require_binary("ffmpeg"), "-hide_banner", "-loglevel", "error", "-y", *map(str, args)], check=True)


@pytest.fixture(scope="session")
def sample_video(tmp_path_factory):
    """A 3-second 320×240 H.264/AAC clip with a test pattern and a tone."""
    path = tmp_path_factory.mktemp("media") / "clip.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
           "-t", "3", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", path)
    return path


@pytest.fixture(scope="session")
def sample_srt(tmp_path_factory):
    path = tmp_path_factory.mktemp("media") / "subs.srt"
    path.write_text("1\n00:00:00,500 --> 00:00:02,000\nBonsoir, Lyon.\n\n2\n00:00:02,500 --> 00:00:04,000\nGood evening, York.\n")
    return path


# Media for the technical QC warnings, made with ffmpeg or Python (shared by tests/media and
# tests/media/processing).

def _tone(channels, amplitude=0.1, frequency=440):
    return "|".join([f"{amplitude}*sin(2*PI*{frequency}*t)"] * channels)


@pytest.fixture(scope="session")
def qc_media(tmp_path_factory):
    """The folder of the QC media below."""
    return tmp_path_factory.mktemp("qc-media")


@pytest.fixture(scope="session")
def surround_clip(qc_media):
    """2 s of 320×240 H.264 with 7.1 AAC at 48 kHz in MP4: fit for screening as it is."""
    path = qc_media / "surround-7.1.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=2",
           "-f", "lavfi", "-i", f"aevalsrc={_tone(8)}:c=7.1:s=48000:d=2",
           "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", path)
    return path


@pytest.fixture(scope="session")
def surround_master(qc_media):
    """2 s of 320×240 H.264 with 5.1(side) PCM at 44.1 kHz in QuickTime: needs a screening copy."""
    path = qc_media / "surround-5.1-side.mov"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=2",
           "-f", "lavfi", "-i", f"aevalsrc={_tone(6)}:c=5.1(side):s=44100:d=2",
           "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le", path)
    return path


@pytest.fixture(scope="session")
def tone_at(qc_media):
    """``tone_at(amplitude)``: 3 s of a 1 kHz stereo tone in WAV, measuring 20·log10(amplitude) LUFS."""

    def make(amplitude):
        path = qc_media / f"tone-{amplitude}.wav"
        if not path.exists():
            ffmpeg("-f", "lavfi", "-i", f"aevalsrc={_tone(2, amplitude, 1000)}:s=48000:d=3",
                   "-c:a", "pcm_s16le", path)
        return path

    return make


MARKUP_SRT = """1
00:00:01,000 --> 00:00:02,500
{\\an8}<font color="#ffff00">Up here</font>, <i>please</i>

2
00:00:03,000 --> 00:00:04,000
<span style="color:red">Second</span> line
"""

LATIN1_SRT = "1\n00:00:01,000 --> 00:00:02,500\nDéjà vu à Besançon\n\n2\n00:00:03,000 --> 00:00:04,000\nÇa va, Zoë ?\n"


@pytest.fixture(scope="session")
def markup_srt(qc_media):
    """UTF-8 SRT with <font> and <span> tags and an ASS position code ({\\an8})."""
    path = qc_media / "markup.srt"
    path.write_text(MARKUP_SRT, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def latin1_srt(qc_media):
    """SRT in Latin-1 (ISO-8859-1), accented letters included."""
    path = qc_media / "latin1.srt"
    path.write_bytes(LATIN1_SRT.encode("latin-1"))
    return path
