"""What goes into a package's BagIt bag (RFC 8493), from the approved file versions and the
festival's delivery profile.

Payload files are described by the size and SHA-256 recorded when they were ingested (the
original's at upload, a derivative's when it was made): nothing is hashed again. Only the small
files written here (``metadata.json`` and the tag files) are hashed, as they are made.
"""

import hashlib
import json
import re
import unicodedata
import zlib

from flask_babel import lazy_gettext as _l

from residency.core.errors import ActionRefused
from residency.extensions import db
from residency.festivals import profiles
from residency.festivals.terms import terms_of
from residency.media.models import AssetState, DerivativeState, MediaAsset

BAGIT_TXT = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
SOFTWARE = "City to City Residency"


class PackageProblem(ActionRefused):
    """The package cannot be made from the approved files (one failed, or a derivative is missing)."""


def ascii_slug(text, fallback="work"):
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:60] or fallback


def _safe(name):
    """A file name safe in a bag's manifest and a ZIP on every system (no path, no control
    character, no ``%`` which manifests would have to escape)."""
    from residency.media.operations import safe_filename

    return re.sub(r"[%\\/:*?\"<>|]", "_", safe_filename(name)) or "file"


def _stem(asset):
    return _safe(asset.original_filename).rsplit(".", 1)[0]


def _stored(derivative):
    if derivative is None or derivative.state != DerivativeState.DONE or not derivative.key:
        return None
    return derivative


def payload_files(assets, profile, burnt=None):
    """``[(folder, name, key, size, sha256, asset)]`` the profile takes from the approved ``assets``.

    ``burnt``: ``{video asset id: (key, size, sha256)}`` of the copies with subtitles burnt in
    (made by :func:`residency.festivals.burn.burn`), used in place of the profile's video copy.

    :raise PackageProblem: an approved file failed or was never finished, or the profile asks for
        a copy (screening copy, preview, WebVTT) that was not made.
    """
    profile = profiles.normalise(profile)
    chosen = []
    for asset in assets:
        if asset.state != AssetState.READY or not asset.original_key or asset.purged_at is not None:
            raise PackageProblem(_l("The approved file “%(name)s” is not available (it failed processing or "
                                    "was deleted).", name=asset.original_filename))
        if asset.kind == "video":
            if burnt and asset.id in burnt:
                key, size, sha = burnt[asset.id]
                chosen.append(("video", f"{_stem(asset)}-subtitled.mp4", key, size, sha, asset))
            else:
                chosen.append(video_copy(asset, profile))
            poster = _stored(asset.derivative("poster"))
            if profile["stills"] and poster is not None:
                chosen.append(("stills", f"{_stem(asset)}-still.jpg", poster.key, poster.size, poster.sha256, asset))
        elif asset.kind == "subtitle":
            if profile["subtitles"] == "separate":
                chosen.append(("subtitles", _safe(asset.original_filename), asset.original_key, asset.size,
                               asset.sha256, asset))
            vtt = _stored(asset.derivative("webvtt"))
            if profile["subtitles"] in ("separate", "webvtt"):
                if vtt is None:
                    raise PackageProblem(_l("The WebVTT copy of “%(name)s” was not made.", name=asset.original_filename))
                chosen.append(("subtitles", f"{_stem(asset)}.vtt", vtt.key, vtt.size, vtt.sha256, asset))
        elif asset.kind == "image":
            if profile["stills"]:
                chosen.append(("stills", _safe(asset.original_filename), asset.original_key, asset.size,
                               asset.sha256, asset))
        elif asset.kind == "document":
            if profile["press_kit"]:
                chosen.append(("press", _safe(asset.original_filename), asset.original_key, asset.size,
                               asset.sha256, asset))
        else:  # audio, archives of interactive pieces: as uploaded
            chosen.append(("files", _safe(asset.original_filename), asset.original_key, asset.size,
                           asset.sha256, asset))
    return _unique(chosen)


def video_copy(asset, profile):
    """The profile's copy of a video: ``(folder, name, key, size, sha256, asset)``.

    :raise PackageProblem: that copy was never made.
    """
    if profile["video"] == "original":
        return ("video", _safe(asset.original_filename), asset.original_key, asset.size, asset.sha256, asset)
    derivative = _stored(asset.derivative(profile["video"]))
    if derivative is None or not derivative.sha256 or derivative.size is None:
        raise PackageProblem(_l("The %(copy)s of “%(name)s” was not made.", name=asset.original_filename,
                                copy=profiles.VIDEO_CHOICES[profile["video"]]))
    if derivative.use_source:
        return ("video", _safe(asset.original_filename), derivative.key, derivative.size, derivative.sha256, asset)
    return ("video", f"{_stem(asset)}-{profile['video']}.mp4", derivative.key, derivative.size, derivative.sha256,
            asset)


def _unique(chosen):
    seen, result = set(), []
    for folder, name, *rest in chosen:
        candidate, n = name, 1
        while (folder, candidate) in seen:
            n += 1
            stem, dot, ext = name.rpartition(".")
            candidate = f"{stem}-{n}.{ext}" if dot else f"{name}-{n}"
        seen.add((folder, candidate))
        result.append((folder, candidate, *rest))
    return result


def metadata(request, files, terms):
    """The work's record and technical specs, as ``data/metadata.json`` (deterministic bytes)."""
    work = request.work
    record = {
        "work": {
            "title": work.title, "year": work.year, "duration_seconds": work.duration_seconds, "medium": work.medium,
            "credits": work.credits, "synopsis": work.synopsis or {}, "main_language": work.main_language,
            "technical_rider": work.technical_rider, "rights_holder": work.rights_holder, "licence": work.licence,
            "artist": work.owner.display_name,
        },
        "request": {
            "id": request.id, "festival": request.festival.name, "edition": request.edition.name,
            "edition_dates": [str(request.edition.starts_on), str(request.edition.ends_on)], "use": request.use,
            "approved_at": request.decided_at.isoformat() if request.decided_at else None,
        },
        "terms": None if terms is None else {
            "starts_on": str(terms.starts_on), "ends_on": str(terms.ends_on), "screening": terms.screening,
            "exhibition": terms.exhibition, "fee": None if terms.fee_amount is None else {
                "amount": terms.fee_amount, "currency": terms.fee_currency}, "territories": terms.territories or [],
        },
        "files": [
            {"path": f"data/{folder}/{name}", "size": size, "sha256": sha, "kind": asset.kind,
             "version": asset.version, "original_filename": asset.original_filename,
             "technical": asset.probe or {},
             "qc_warnings": ((asset.derivative("qc").meta or {}).get("warnings", [])
                             if _stored(asset.derivative("qc")) is not None else None)}
            for folder, name, _key, size, sha, asset in files
        ],
    }
    return (json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n").encode()


def tag_files(request, package, payload, bag_name):
    """``bagit.txt``, ``bag-info.txt``, the payload manifest and the tag manifest, as bytes.

    ``payload``: ``[(path under the bag, size, sha256)]``.
    """
    octets = sum(size for _path, size, _sha in payload)
    info = "".join(f"{key}: {value}\n" for key, value in (
        ("Source-Organization", SOFTWARE),
        ("External-Identifier", f"{bag_name}"),
        ("External-Description", f"{request.work.title} — {request.festival.name}, {request.edition.name}"
                                  .replace("\n", " ")),
        ("Bagging-Date", package.bagged_on.isoformat()),
        ("Payload-Oxum", f"{octets}.{len(payload)}"),
        ("Bag-Software-Agent", SOFTWARE),
    )).encode()
    manifest = "".join(f"{sha}  {path}\n" for path, _size, sha in sorted(payload)).encode()
    tags = [("bagit.txt", BAGIT_TXT), ("bag-info.txt", info), ("manifest-sha256.txt", manifest)]
    tag_manifest = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in tags).encode()
    return tags + [("tagmanifest-sha256.txt", tag_manifest)]


def approved_assets(request):
    return db.session.execute(db.select(MediaAsset).where(MediaAsset.id.in_(request.asset_ids or [0]))
                              .order_by(MediaAsset.id)).scalars().all()


def build_files(request, package, burnt=None):
    """The package's files, in ZIP order, as ``PackageFile`` keyword dicts (CRC-32 of stored files
    left for :func:`residency.festivals.packages.prepare`).

    :raise PackageProblem: see :func:`payload_files`.
    """
    chosen = payload_files(approved_assets(request), package.profile, burnt)
    bag_name = bag_name_of(request)
    meta = metadata(request, chosen, terms_of(request.work))
    payload = [("data/metadata.json", len(meta), hashlib.sha256(meta).hexdigest())]
    payload += [(f"data/{folder}/{name}", size, sha) for folder, name, _key, size, sha, _asset in chosen]
    rows = [{"path": f"{bag_name}/{name}", "content": data, "size": len(data),
             "sha256": hashlib.sha256(data).hexdigest(), "crc32": zlib.crc32(data)}
            for name, data in tag_files(request, package, payload, bag_name)]
    rows.append({"path": f"{bag_name}/data/metadata.json", "content": meta, "size": len(meta),
                 "sha256": payload[0][2], "crc32": zlib.crc32(meta)})
    rows += [{"path": f"{bag_name}/data/{folder}/{name}", "key": key, "size": size, "sha256": sha, "crc32": None}
             for folder, name, key, size, sha, _asset in chosen]
    return rows


def bag_name_of(request):
    return f"{ascii_slug(request.festival.slug, 'festival')}-{ascii_slug(request.work.title)}-{request.id}"
