"""The festivals' part of the demo network: two festivals (Ars Electronica in Linz, the Fête des
Lumières in Lyon) with a programmer each and their editions; a catalogue of two demo works, each a
short generated clip with French subtitles, processed here by the media pipeline (the worker's own
steps, run in turn); the artist's terms; one request approved with its package ready to download;
and a screening recorded at the edition under way.

The demo programmer (programmer@demo.example.org) programs Ars Electronica. Idempotent: run twice,
it finds what it made the first time. It commits (the media pipeline commits each step).
"""

import shutil
import subprocess
import tempfile
from datetime import date, timedelta
from pathlib import Path

from residency.accounts.demo import DEMO_PASSWORD
from residency.accounts.models import RoleGrant, User
from residency.accounts.operations import find_user_by_email
from residency.accounts.passwords import hash_password
from residency.core.types import utcnow
from residency.extensions import db
from residency.festivals import catalogue, packages, rights, screenings
from residency.festivals.models import Edition, Festival, RequestState, RightsRequest, Screening, Terms
from residency.media import pipeline
from residency.media.models import Work
from residency.media.operations import accept_form_upload, create_work

ARTIST = "artist@demo.example.org"
PROGRAMMERS = [("programmer@demo.example.org", "Paula Programmer", "ars-electronica"),
               ("lumieres.programmer@demo.example.org", "Louis Lumière", "fete-des-lumieres")]
WORKS = [
    ("Harbour Static", {"en": "Radio noise from the port of Cali, drawn as light.",
                        "fr": "Le bruit radio du port de Cali, dessiné en lumière."}, "testsrc2", 330),
    ("Night Lines", {"en": "Tram lines of Lyon at night, retraced by hand.",
                     "fr": "Les lignes de tram de Lyon la nuit, redessinées à la main."}, "mandelbrot", 440),
]
SUBTITLES = ("1\n00:00:00,500 --> 00:00:02,500\nÉcoutez le port.\n\n"
             "2\n00:00:03,000 --> 00:00:05,000\nListen to the harbour.\n")


def load_demo_festivals():
    """Return lines to print. Needs the accounts demo (the artist and the programmer)."""
    artist = find_user_by_email(ARTIST)
    if artist is None:
        return []
    festivals = {slug: db.session.execute(db.select(Festival).where(Festival.slug == slug)).scalar_one_or_none()
                 for _e, _n, slug in PROGRAMMERS}
    if None in festivals.values():
        return ["Festivals: the seeded festivals are missing (run the migrations)"]
    programmers = {slug: _programmer(email, name, festivals[slug]) for email, name, slug in PROGRAMMERS}
    today = date.today()
    ars = _edition(festivals["ars-electronica"], f"Ars Electronica {today.year}", today - timedelta(days=2),
                   today + timedelta(days=3), ["POSTCITY", "Deep Space 8K"])
    _edition(festivals["fete-des-lumieres"], f"Fête des Lumières {today.year + 1}", today + timedelta(days=60),
             today + timedelta(days=63), ["Place des Terreaux", "Musée des Confluences"])
    db.session.commit()
    works = [_demo_work(artist, title, synopsis, source, tone) for title, synopsis, source, tone in WORKS]
    if any(work is None for work in works):
        return ["Festivals: install ffmpeg to get the demo catalogue"]
    for work in works:
        if catalogue.entry_of(work.id) is None:
            catalogue.add_to_catalogue(find_user_by_email("coordinator@demo.example.org") or artist, work)
    _terms(works[0])
    db.session.commit()
    request = _approved_request(programmers["ars-electronica"], artist, works[0], ars)
    _screening(programmers["ars-electronica"], request, ars)
    db.session.commit()
    return [f"Festivals: catalogue /festivals/catalogue (programmer@demo.example.org), approved request with its "
            f"package /festivals/requests/{request.id}, report /festivals/report (the demo coordinator)"]


def _programmer(email, name, festival):
    user = find_user_by_email(email)
    if user is None:
        user = User(email=email, display_name=name, password_hash=hash_password(DEMO_PASSWORD),
                    email_verified_at=utcnow(), city_id=festival.city_id)
        db.session.add(user)
        db.session.flush()
    if not any(g.role == "festival_programmer" and g.scope_id == festival.id for g in user.grants):
        db.session.add(RoleGrant(user_id=user.id, role="festival_programmer", scope_type="festival",
                                 scope_id=festival.id))
        db.session.flush()
        db.session.refresh(user)
    return user


def _edition(festival, name, starts_on, ends_on, venues):
    edition = db.session.execute(db.select(Edition).where(Edition.festival_id == festival.id,
                                                          Edition.name == name)).scalar_one_or_none()
    if edition is None:
        edition = Edition(festival_id=festival.id, name=name, starts_on=starts_on, ends_on=ends_on, venues=venues)
        db.session.add(edition)
        db.session.flush()
    return edition


def _demo_work(artist, title, synopsis, source, tone):
    """The demo work ``title`` with its clip and subtitles processed; None without ffmpeg."""
    work = db.session.execute(db.select(Work).where(Work.owner_id == artist.id, Work.title == title)).scalar_one_or_none()
    if work is not None and work.current_assets:
        return work
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return None
    if work is None:
        work = create_work(artist, title, year=date.today().year, duration_seconds=4, medium="single-channel video",
                           synopsis=synopsis, credits="Ana Artist", rights_holder="Ana Artist",
                           licence="all-rights-reserved", main_language="en")
    with tempfile.TemporaryDirectory() as folder:
        clip = Path(folder) / f"{title.lower().replace(' ', '-')}.mp4"
        subprocess.run(
            [ffmpeg, "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", f"{source}=size=640x360:rate=25",
             "-f", "lavfi", "-i", f"sine=frequency={tone}:sample_rate=48000", "-t", "4", "-c:v", "libx264",
             "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(clip)],
            check=True,
        )
        srt = Path(folder) / f"{clip.stem}.fr.srt"
        srt.write_text(SUBTITLES, encoding="utf-8")
        assets = []
        for path, mime in ((clip, "video/mp4"), (srt, "application/x-subrip")):
            with path.open("rb") as stream:
                assets.append(accept_form_upload(artist, f"work:{work.id}", _File(stream, path.name, mime), None))
        db.session.commit()
        for asset in assets:
            _process(asset.id)
    db.session.refresh(work)
    return work


def _process(asset_id):
    """The media worker's steps for one asset, in turn (each commits)."""
    if pipeline.verify(asset_id) == "probe":
        for profile in pipeline.probe(asset_id):
            pipeline.derive(asset_id, profile)


def _terms(work):
    if db.session.execute(db.select(Terms).where(Terms.work_id == work.id)).scalar_one_or_none() is None:
        today = date.today()
        db.session.add(Terms(work_id=work.id, all_festivals=True, festival_ids=[], starts_on=today - timedelta(days=30),
                             ends_on=today + timedelta(days=730), screening=True, exhibition=True, fee_amount=None,
                             fee_currency="", territories=[]))


def _approved_request(programmer, artist, work, edition):
    request = db.session.execute(db.select(RightsRequest).where(
        RightsRequest.work_id == work.id, RightsRequest.edition_id == edition.id)).scalars().first()
    if request is None:
        request = rights.create_request(programmer, edition.festival, edition, work, "screening",
                                        "We would love to open the Deep Space programme with it.")
        db.session.commit()
    if request.state == RequestState.REQUESTED:
        rights.decide(artist, request, True, "With pleasure: the subtitles are in French.")
        db.session.commit()
    if request.package is not None:
        packages.prepare(request.package.id)
    return request


def _screening(programmer, request, edition):
    exists = db.session.execute(db.select(Screening.id).where(Screening.work_id == request.work_id,
                                                              Screening.festival_id == request.festival_id)).first()
    if exists is None:
        screenings.record_screening(programmer, request.festival, request.work,
                                    screened_on=date.today() - timedelta(days=1), venue="Deep Space 8K", city_id=request.festival.city_id, edition=edition,
                                    audience=140)


class _File:
    """The few attributes of an uploaded file that ``accept_form_upload`` reads."""

    def __init__(self, stream, filename, mimetype):
        self.stream, self.filename, self.mimetype = stream, filename, mimetype
