"""The catalogue: programmers (and coordinators) only; full-text search and filters; a work's page
with its player and captions, stills, specs, QC, credits, the synopsis in the reader's language and
the artist's bio; shortlists per edition; coordinators add works by hand."""

import pytest

from residency.applications.models import ArtistProfile
from residency.extensions import db
from residency.festivals.models import CatalogueEntry, ShortlistItem
from residency.media.models import AssetState


@pytest.fixture
def works(make_work, artist, make_user, other_city):
    """Three works of the catalogue and one outside it."""
    other = make_user(email="ana@example.org", name="Ana Sonido", city_id=other_city.id)
    db.session.add(ArtistProfile(user_id=other.id, bio="Ana builds granular synthesisers from river recordings."))
    return {
        "tidal": make_work(artist),
        "granular": make_work(other, title="Granular River", medium="sound installation", year=2025,
                              duration_seconds=45 * 60, synopsis={"en": "Water, slowed down a thousand times."},
                              main_language="en"),
        "night": make_work(other, title="Night Shift", year=2024, duration_seconds=5 * 60,
                           synopsis={"es": "Una ciudad de noche."}, main_language="es"),
        "hidden": make_work(artist, title="Unreleased Sketch", catalogue=False),
    }


def titles(client, query=""):
    page = client.get(f"/festivals/catalogue?{query}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    return {t for t in ("Tidal Signals", "Granular River", "Night Shift", "Unreleased Sketch") if t in html}


def test_only_programmers_and_coordinators_browse(client, login_as, artist, programmer, coordinator, works):
    login_as(artist)
    assert client.get("/festivals/catalogue").status_code == 404
    assert client.get(f"/festivals/catalogue/{works['tidal'].id}").status_code == 404
    for person in (programmer, coordinator):
        login_as(person)
        assert titles(client) == {"Tidal Signals", "Granular River", "Night Shift"}
    assert client.get(f"/festivals/catalogue/{works['hidden'].id}").status_code == 404


@pytest.mark.parametrize("query, expected", [
    ("q=granular", {"Granular River", "Night Shift"}),  # Ana's bio speaks of granular synthesisers
    ("q=granular+slowed", {"Granular River"}),
    ("q=thousand+water", {"Granular River"}),
    ("q=mires", {"Tidal Signals"}),  # the French synopsis
    ("q=synthesisers", {"Granular River", "Night Shift"}),  # the artist's bio
    ("q=Sonido", {"Granular River", "Night Shift"}),  # the artist's name
    ("q=nothing-like-this", set()),
    ("medium=sound+installation", {"Granular River"}),
    ("year=2024", {"Night Shift"}),
    ("min=30", {"Granular River"}),
    ("max=9", {"Night Shift"}),
    ("language=es", {"Night Shift"}),
    ("format=mov", {"Tidal Signals", "Granular River", "Night Shift"}),
    ("format=mkv", set()),
])
def test_search_and_filters(client, login_as, programmer, works, query, expected):
    login_as(programmer)
    assert titles(client, query) == expected


def test_city_subtitles_and_qc_filters(client, login_as, programmer, works, city):
    login_as(programmer)
    assert titles(client, f"city={city.id}") == {"Tidal Signals"}
    night = works["night"]
    for asset in night.current_assets:
        if asset.kind == "subtitle":
            asset.state = AssetState.FAILED
    granular_video = next(a for a in works["granular"].current_assets if a.kind == "video")
    granular_video.derivative("qc").meta = {"warnings": [{"code": "loudness_low", "values": {}}]}
    db.session.commit()
    assert titles(client, "subtitles=1") == {"Tidal Signals", "Granular River"}
    assert titles(client, "qc=1") == {"Tidal Signals"}


def test_malformed_filters_are_left_out_and_said(client, login_as, programmer, works):
    login_as(programmer)
    page = client.get("/festivals/catalogue?year=20x4&city=99999999999&min=-3").get_data(as_text=True)
    assert "were not understood" in page and "Night Shift" in page


def test_work_page(client, login_as, programmer, works):
    """Player with the WebVTT captions, still, specs, QC, credits, the synopsis in the reader's
    language (French for a French reader) and the artist's bio."""
    programmer.locale = "fr"
    db.session.commit()
    work = works["tidal"]
    login_as(programmer)
    page = client.get(f"/festivals/catalogue/{work.id}").get_data(as_text=True)
    assert "Des mires dérivent entre Cali et Lyon." in page
    assert '<track kind="subtitles"' in page and 'srclang="fr"' in page
    assert "1920×1080" in page and "Léa Artiste, sound: Ana" in page
    video = next(a for a in work.current_assets if a.kind == "video")
    preview = client.get(f"/festivals/catalogue/{work.id}/files/{video.id}/preview")
    assert preview.status_code == 302
    assert client.get(preview.headers["Location"]).data == b"PREVIEW" * 100
    assert client.get(f"/festivals/catalogue/{work.id}/files/{video.id}/qc").json["warnings"] == []
    assert client.get(f"/festivals/catalogue/{work.id}/files/{video.id}/original").status_code == 404
    other = works["granular"]
    other_video = next(a for a in other.current_assets if a.kind == "video")
    assert client.get(f"/festivals/catalogue/{work.id}/files/{other_video.id}/preview").status_code == 404
    bio_page = client.get(f"/festivals/catalogue/{other.id}").get_data(as_text=True)
    assert "granular synthesisers" in bio_page


def test_shortlist_per_edition(client, login_as, programmer, colleague, works, edition, other_edition):
    work = works["tidal"]
    login_as(programmer)
    assert client.post_form(f"/festivals/catalogue/{work.id}/shortlist", {"edition": edition.id}).status_code == 303
    page = client.get(f"/festivals/{edition.festival_id}/editions/{edition.id}").get_data(as_text=True)
    assert "Tidal Signals" in page
    login_as(colleague)  # a shortlist is one's own
    assert "Tidal Signals" not in client.get(f"/festivals/{edition.festival_id}/editions/{edition.id}").get_data(as_text=True)
    login_as(programmer)
    client.post_form(f"/festivals/catalogue/{work.id}/shortlist", {"edition": other_edition.id})
    assert db.session.execute(db.select(ShortlistItem)).scalars().all()[0].edition_id == edition.id
    assert len(db.session.execute(db.select(ShortlistItem)).scalars().all()) == 1  # not another festival's edition
    client.post_form(f"/festivals/catalogue/{work.id}/shortlist", {"edition": edition.id})
    assert db.session.execute(db.select(ShortlistItem)).first() is None


def test_coordinator_adds_and_removes_works(client, login_as, coordinator, programmer, artist, make_work):
    work = make_work(artist, title="Fresh Work", catalogue=False)
    unprocessed = make_work(artist, title="Still Processing", catalogue=False)
    for asset in unprocessed.current_assets:
        asset.state = AssetState.PROCESSING
    db.session.commit()
    login_as(programmer)
    assert client.get("/festivals/catalogue/manage").status_code == 403
    login_as(coordinator)
    assert client.post_form("/festivals/catalogue/manage", {"work_id": work.id, "call": 0}).status_code == 303
    refused = client.post_form("/festivals/catalogue/manage", {"work_id": unprocessed.id, "call": 0})
    assert refused.status_code == 400 and "no processed file" in refused.get_data(as_text=True)
    twice = client.post_form("/festivals/catalogue/manage", {"work_id": work.id, "call": 0})
    assert twice.status_code == 400
    assert client.post_form("/festivals/catalogue/manage", {"work_id": 2_000_000_000, "call": 0}).status_code == 400
    assert db.session.execute(db.select(CatalogueEntry.work_id)).scalars().all() == [work.id]
    assert client.post_form(f"/festivals/catalogue/{work.id}/remove").status_code == 303
    assert db.session.execute(db.select(CatalogueEntry)).first() is None


@pytest.mark.parametrize("query, expected", [
    ("q=granular+slowed", {"Granular River"}),
    ("q=MIRES", {"Tidal Signals"}),
    ("q=Sonido", {"Granular River", "Night Shift"}),
    ("q=100%25", set()),  # a LIKE wildcard is searched as itself
    ("q=granular+nothing-like-this", set()),
])
def test_portable_search_without_full_text(client, login_as, programmer, works, monkeypatch, query, expected):
    """The fallback of databases without full-text search (SQLite, the embedded default): every
    word must appear, case-insensitively, wildcards taken literally."""
    from residency.festivals import catalogue

    monkeypatch.setattr(catalogue, "full_text", lambda: False)
    login_as(programmer)
    assert titles(client, query) == expected
