"""The catalogue: works cleared for distribution, their search, and the programmers' shortlists.

Search is PostgreSQL full-text (``websearch_to_tsquery`` over the ``simple`` configuration, so no
language's stemming favours one language over the others) on the title, credits, medium, every
synopsis, the artist's name and bio; on SQLite every word must appear (case-insensitive ``LIKE``).
"""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, exists, func

from residency.audit.operations import record
from residency.core.errors import ActionRefused
from residency.extensions import db
from residency.festivals.models import CatalogueEntry, ShortlistItem
from residency.media.models import AssetState, DerivativeState, MediaAsset, Work

PAGE_SIZE = 20
MAX_QUERY = 200


@dataclass
class Filters:
    """The catalogue's search: text and filters, all optional (parsed from a query string)."""

    text: str = ""
    medium: str = ""
    year: int | None = None
    min_minutes: int | None = None
    max_minutes: int | None = None
    city_id: int | None = None
    call_id: int | None = None
    language: str = ""
    subtitles: bool = False
    video_format: str = ""
    qc_passed: bool = False
    errors: list = field(default_factory=list)


def _int(text, low, high):
    text = (text or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        raise ValueError(text)
    return int(text)


def parse_filters(args):
    """:class:`Filters` from a query string; a malformed value is dropped and noted in ``errors``."""
    filters = Filters(text=(args.get("q") or "").strip()[:MAX_QUERY], medium=(args.get("medium") or "")[:80],
                      language=(args.get("language") or "")[:10], video_format=(args.get("format") or "")[:16],
                      subtitles=args.get("subtitles") == "1", qc_passed=args.get("qc") == "1")
    for name, attr, low, high in (("year", "year", 1900, 2200), ("min", "min_minutes", 0, 100000),
                                  ("max", "max_minutes", 0, 100000), ("city", "city_id", 1, 2**31 - 1),
                                  ("call", "call_id", 1, 2**31 - 1)):
        try:
            setattr(filters, attr, _int(args.get(name), low, high))
        except ValueError:
            filters.errors.append(name)
    return filters


def _document():
    """The searched text of a work: its texts, every synopsis, the artist's name and bio (``||``,
    which PostgreSQL and every SQLite have, where ``concat_ws`` needs SQLite 3.44)."""
    from residency.accounts.models import User
    from residency.applications.models import ArtistProfile

    parts = [Work.title, Work.credits, Work.medium, cast(Work.synopsis, String), User.display_name, ArtistProfile.bio]
    document = func.coalesce(parts[0], "")
    for part in parts[1:]:
        document = document.op("||")(" ").op("||")(func.coalesce(part, ""))
    return document


def full_text():
    """Whether the database offers full-text search (PostgreSQL); else the portable fallback."""
    return db.engine.dialect.name == "postgresql"


def _text_condition(text):
    if full_text():
        return func.to_tsvector("simple", _document()).op("@@")(func.websearch_to_tsquery("simple", text))
    words = [w for w in text.lower().split() if w][:12]
    escaped = [w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for w in words]
    return db.and_(*[func.lower(_document()).like(f"%{w}%", escape="\\") for w in escaped])


def _ready_asset(kind):
    return (db.select(MediaAsset.id).where(MediaAsset.work_id == Work.id, MediaAsset.kind == kind,
                                           MediaAsset.superseded_by_id.is_(None),
                                           MediaAsset.state == AssetState.READY))


def search(filters, page=1):
    """The works of the catalogue matching ``filters``, newest first: ``(works on the page, total)``."""
    from residency.accounts.models import User
    from residency.applications.models import ArtistProfile

    query = (db.select(Work).join(CatalogueEntry, CatalogueEntry.work_id == Work.id)
             .join(User, User.id == Work.owner_id).outerjoin(ArtistProfile, ArtistProfile.user_id == Work.owner_id))
    if filters.text:
        query = query.where(_text_condition(filters.text))
    if filters.medium:
        query = query.where(Work.medium == filters.medium)
    if filters.year:
        query = query.where(Work.year == filters.year)
    if filters.min_minutes is not None:
        query = query.where(Work.duration_seconds >= filters.min_minutes * 60)
    if filters.max_minutes is not None:
        query = query.where(Work.duration_seconds <= filters.max_minutes * 60)
    if filters.city_id:
        query = query.where(User.city_id == filters.city_id)
    if filters.call_id:
        query = query.where(CatalogueEntry.call_id == filters.call_id)
    if filters.language:
        query = query.where(Work.main_language == filters.language)
    if filters.subtitles:
        query = query.where(exists(_ready_asset("subtitle")))
    if filters.video_format:
        query = query.where(exists(_ready_asset("video").where(MediaAsset.ext == filters.video_format)))
    works = db.session.execute(query.order_by(CatalogueEntry.added_at.desc(), Work.id.desc())).scalars().all()
    if filters.qc_passed:
        works = [work for work in works if qc_passed(work)]
    start = (page - 1) * PAGE_SIZE
    return works[start:start + PAGE_SIZE], len(works)


def qc_passed(work):
    """Every current video, audio and subtitle file is ready and its QC found no problem."""
    checked = [a for a in work.current_assets if a.kind in ("video", "audio", "subtitle")]
    if not checked:
        return False
    for asset in checked:
        qc = asset.derivative("qc")
        if asset.state != AssetState.READY or qc is None or qc.state != DerivativeState.DONE:
            return False
        if (qc.meta or {}).get("warnings"):
            return False
    return True


def facets():
    """The values the filters offer: media, years, languages and video formats of the catalogue."""
    base = db.select(Work).join(CatalogueEntry, CatalogueEntry.work_id == Work.id).subquery()

    def values(column, *conditions, order=None):
        query = db.select(column).where(*conditions).distinct().order_by(order if order is not None else column)
        return db.session.execute(query).scalars().all()

    media = values(base.c.medium, base.c.medium != "")
    years = values(base.c.year, base.c.year.is_not(None), order=base.c.year.desc())
    languages = values(base.c.main_language)
    formats = db.session.execute(
        db.select(MediaAsset.ext).join(CatalogueEntry, CatalogueEntry.work_id == MediaAsset.work_id)
        .where(MediaAsset.kind == "video", MediaAsset.ext.is_not(None), MediaAsset.superseded_by_id.is_(None))
        .distinct().order_by(MediaAsset.ext)).scalars().all()
    return {"media": media, "years": years, "languages": languages, "formats": formats}


def entry_of(work_id):
    return db.session.execute(db.select(CatalogueEntry).where(CatalogueEntry.work_id == work_id)).scalar_one_or_none()


def catalogue_work(work_id):
    """The work ``work_id`` when it is in the catalogue, else None."""
    entry = entry_of(work_id) if work_id else None
    return entry.work if entry is not None else None


def add_to_catalogue(actor, work, call_id=None):
    """Offer ``work`` to the festivals. :raise ActionRefused: already there, or no ready file."""
    if entry_of(work.id) is not None:
        raise ActionRefused(_l("This work is already in the catalogue."), field="work")
    if not any(a.state == AssetState.READY for a in work.current_assets):
        raise ActionRefused(_l("This work has no processed file yet: it cannot be offered to festivals."),
                            field="work")
    entry = CatalogueEntry(work_id=work.id, call_id=call_id, added_by_id=actor.id)
    db.session.add(entry)
    db.session.flush()
    record("festival.catalogue_added", actor, work)
    return entry


def remove_from_catalogue(actor, work):
    entry = entry_of(work.id)
    if entry is None:
        raise ActionRefused(_l("This work is not in the catalogue."), status=404)
    db.session.delete(entry)
    db.session.flush()
    record("festival.catalogue_removed", actor, work)


def catalogue_entries():
    return db.session.execute(db.select(CatalogueEntry).order_by(CatalogueEntry.added_at.desc())).scalars().all()


# Shortlists ---------------------------------------------------------------------------------

def shortlist(user, edition):
    """The works ``user`` shortlisted for ``edition``, in the order they were added."""
    return db.session.execute(
        db.select(ShortlistItem).where(ShortlistItem.edition_id == edition.id, ShortlistItem.user_id == user.id)
        .order_by(ShortlistItem.id)).scalars().all()


def shortlisted_editions(user, work):
    return set(db.session.execute(
        db.select(ShortlistItem.edition_id).where(ShortlistItem.user_id == user.id, ShortlistItem.work_id == work.id)
    ).scalars())


def toggle_shortlist(user, edition, work):
    """Add ``work`` to the user's shortlist of ``edition``, or take it off. Returns True when added."""
    item = db.session.execute(db.select(ShortlistItem).where(
        ShortlistItem.edition_id == edition.id, ShortlistItem.user_id == user.id, ShortlistItem.work_id == work.id)
    ).scalar_one_or_none()
    if item is not None:
        db.session.delete(item)
        db.session.flush()
        return False
    db.session.add(ShortlistItem(edition_id=edition.id, user_id=user.id, work_id=work.id))
    db.session.flush()
    return True


# A work's page in the catalogue ---------------------------------------------------------------

def media_of(work):
    """What a programmer's page shows of a work's current, processed files: the players (video with
    its preview and the subtitles' WebVTT tracks), stills, and each file's probe and QC."""
    ready = [a for a in work.current_assets if a.state == AssetState.READY]

    def done(asset, profile):
        derivative = asset.derivative(profile)
        ready = derivative is not None and derivative.state == DerivativeState.DONE and derivative.key
        return derivative if ready else None

    videos = [a for a in ready if a.kind == "video" and done(a, "preview")]
    audios = [a for a in ready if a.kind == "audio" and done(a, "audio_preview")]
    tracks = [a for a in ready if a.kind == "subtitle" and done(a, "webvtt")]
    stills = [a for a in ready if a.kind in ("video", "image") and done(a, "poster")]
    documents = [a for a in ready if a.kind == "document"]
    return {"videos": videos, "audios": audios, "tracks": tracks, "stills": stills, "documents": documents,
            "files": ready, "other_states": [a for a in work.current_assets if a.state != AssetState.READY]}


def subtitle_language(asset):
    """The language a subtitle file names (``film.fr.srt`` → ``fr``), else empty."""
    parts = asset.original_filename.rsplit(".", 2)
    return parts[1][:10] if len(parts) == 3 and parts[1].isalpha() and len(parts[1]) <= 3 else ""


def artist_bio(work):
    from residency.applications.models import ArtistProfile

    profile = db.session.get(ArtistProfile, work.owner_id)
    return profile.bio if profile is not None else ""


def any_call_in_catalogue():
    from residency.calls.models import Call

    ids = db.select(CatalogueEntry.call_id).where(CatalogueEntry.call_id.is_not(None))
    return db.session.execute(db.select(Call).where(Call.id.in_(ids)).order_by(Call.id)).scalars().all()


