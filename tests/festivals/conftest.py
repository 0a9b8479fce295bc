"""Fixtures of the festivals tests: a seeded flagship festival and another one, their programmers,
a coming edition, an artist (writing in French) with a processed work in the catalogue (a video
with its screening copy, preview and still, French subtitles, a press kit), and coordinators.

Files are real bytes in the test storage, each described by its size and SHA-256 as ingest
records them; the package code must never need more than that.
"""

import hashlib
import io
from datetime import date, timedelta

import pytest

from residency.extensions import db as _db
from residency.festivals.models import Edition, Festival
from residency.media.models import AssetState, Derivative, DerivativeState, MediaAsset, Work
from residency.storage import get_storage

QC_CLEAN = {"warnings": []}


def seeded(slug):
    return _db.session.execute(_db.select(Festival).where(Festival.slug == slug)).scalar_one()


@pytest.fixture
def festival(app):
    """Ars Electronica (Linz), seeded by the migration."""
    return seeded("ars-electronica")


@pytest.fixture
def other_festival(app):
    """KIKK (Namur), seeded too."""
    return seeded("kikk")


@pytest.fixture
def make_edition(app):
    def make(festival, starts_in=30, days=5, name=None):
        start = date.today() + timedelta(days=starts_in)
        edition = Edition(festival_id=festival.id, name=name or f"{festival.name} {start.year}", starts_on=start,
                          ends_on=start + timedelta(days=days), venues=["Main hall", "Cinema 2"])
        _db.session.add(edition)
        _db.session.commit()
        return edition

    return make


@pytest.fixture
def edition(festival, make_edition):
    return make_edition(festival)


@pytest.fixture
def other_edition(other_festival, make_edition):
    return make_edition(other_festival)


@pytest.fixture
def programmer(festival, make_user):
    return make_user(email="prog@ars.example.org", name="Petra Programmer", locale="en",
                     roles=[("festival_programmer", "festival", festival.id)])


@pytest.fixture
def colleague(festival, make_user):
    """Another programmer of the same festival."""
    return make_user(email="colleague@ars.example.org", name="Carl Colleague",
                     roles=[("festival_programmer", "festival", festival.id)])


@pytest.fixture
def other_programmer(other_festival, make_user):
    return make_user(email="prog@kikk.example.org", name="Olga Other",
                     roles=[("festival_programmer", "festival", other_festival.id)])


@pytest.fixture
def artist(make_user, city):
    return make_user(email="lea@example.org", name="Léa Artiste", locale="fr", city_id=city.id)


@pytest.fixture
def coordinator(make_user, city):
    """A coordinator of the artist's city (Lyon)."""
    return make_user(email="coord@lyon.example.org", name="Colette Coordinator",
                     roles=[("city_coordinator", "city", city.id)])


@pytest.fixture
def far_coordinator(make_user, other_city):
    """A coordinator of another city (Linz)."""
    return make_user(email="coord@linz.example.org", name="Kurt Coordinator",
                     roles=[("city_coordinator", "city", other_city.id)])


def store(key, data):
    get_storage().put(key, io.BytesIO(data))
    return len(data), hashlib.sha256(data).hexdigest()


def add_asset(work, filename, kind, data, derivatives=(), state=AssetState.READY, probe=None, ext=None):
    """A processed asset of ``work``: its original stored, and ``derivatives`` given as
    ``(profile, bytes or None for use_source, content type, meta)``."""
    ext = ext or filename.rsplit(".", 1)[-1]
    key = f"works/{work.id}/original/{hashlib.sha256(data).hexdigest()}.{ext}"
    size, sha = store(key, data)
    asset = MediaAsset(work_id=work.id, owner_id=work.owner_id, slot=f"work:{work.id}", original_filename=filename,
                       size=size, sha256=sha, kind=kind, state=state, ext=ext, original_key=key,
                       probe=probe or {})
    _db.session.add(asset)
    _db.session.flush()
    for profile, content, content_type, meta in derivatives:
        if content is None:
            derivative = Derivative(asset_id=asset.id, profile=profile, state=DerivativeState.DONE, use_source=True,
                                    key=asset.original_key, size=size, sha256=sha, content_type=content_type,
                                    meta=meta or {})
        else:
            key = f"works/{work.id}/derived/{profile}/{asset.id}.bin"
            dsize, dsha = store(key, content)
            derivative = Derivative(asset_id=asset.id, profile=profile, state=DerivativeState.DONE, key=key,
                                    size=dsize, sha256=dsha, content_type=content_type, meta=meta or {})
        _db.session.add(derivative)
    _db.session.flush()
    return asset


VIDEO_PROBE = {"duration": 600.0, "video": {"width": 1920, "height": 1080, "codec": "h264", "fps": 25.0},
               "audio": {"codec": "aac", "channels": 2, "sample_rate": 48000}}
VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nBonjour\n".encode()


@pytest.fixture
def make_work(app):
    """``make_work(owner, title=…, catalogue=True, **columns)``: a processed work (video, French
    subtitles, a press kit), in the catalogue unless told otherwise."""
    from residency.festivals.models import CatalogueEntry

    def make(owner, title="Tidal Signals", catalogue=True, video=b"\x00\x00\x00\x18ftypmp42" + b"V" * 5000, **fields):
        fields.setdefault("synopsis", {"en": "Test patterns drift between Cali and Lyon.",
                                       "fr": "Des mires dérivent entre Cali et Lyon."})
        fields.setdefault("main_language", "fr")
        work = Work(owner_id=owner.id, title=title, year=fields.pop("year", 2026),
                    duration_seconds=fields.pop("duration_seconds", 600),
                    medium=fields.pop("medium", "single-channel video"), credits="Léa Artiste, sound: Ana", **fields)
        _db.session.add(work)
        _db.session.flush()
        add_asset(work, "tidal signals.mov", "video", video, probe=VIDEO_PROBE, derivatives=[
            ("screening", b"SCREENING-COPY" * 300, "video/mp4", {}),
            ("preview", b"PREVIEW" * 100, "video/mp4", {}),
            ("poster", b"\xff\xd8\xff\xe0POSTER", "image/jpeg", {}),
            ("qc", b'{"warnings": []}', "application/json", QC_CLEAN),
        ])
        add_asset(work, "tidal signals.fr.srt", "subtitle", "1\n00:00:01,000 --> 00:00:03,000\nBonjour\n".encode(),
                  derivatives=[("webvtt", VTT, "text/vtt", {}), ("qc", b'{"warnings": []}', "application/json",
                                                                     QC_CLEAN)])
        add_asset(work, "press kit.pdf", "document", b"%PDF-1.4 press kit")
        if catalogue:
            _db.session.add(CatalogueEntry(work_id=work.id))
        _db.session.commit()
        return work

    return make


@pytest.fixture
def work(artist, make_work):
    return make_work(artist)
