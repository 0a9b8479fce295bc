"""Download links and the streamed response of a package, with its download log.

A link is signed, expires (``FESTIVAL_LINK_SECONDS``) and names the programmer it was made for:
only that person, logged in and still a programmer of the festival, may use it. Every use is
logged (bytes sent, completed or not), and the artist sees who downloaded their work.
"""

import logging
import re

from flask import current_app, stream_with_context
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

from residency.core.types import utcnow
from residency.extensions import db
from residency.festivals import packages
from residency.festivals.models import Download, Package

log = logging.getLogger(__name__)
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def _signer():
    return URLSafeTimedSerializer(current_app.secret_key, salt="festival-package-link")


def make_link_token(package, user):
    """A token naming ``package`` and the programmer ``user`` it is made for."""
    return _signer().dumps({"p": package.id, "u": user.id})


def read_link_token(token):
    """``(package, user id)`` named by ``token``.

    :raise LinkExpired: a genuine link older than ``FESTIVAL_LINK_SECONDS``.
    :raise LinkInvalid: tampered with, or naming no package.
    """
    try:
        data = _signer().loads(token, max_age=current_app.config["FESTIVAL_LINK_SECONDS"])
    except SignatureExpired as exc:
        raise LinkExpired() from exc
    except BadData as exc:
        raise LinkInvalid() from exc
    if not isinstance(data, dict) or not isinstance(data.get("p"), int) or not isinstance(data.get("u"), int):
        raise LinkInvalid()
    package = db.session.get(Package, data["p"])
    if package is None:
        raise LinkInvalid()
    return package, data["u"]


def parse_range(header, size):
    """The byte range a ``Range`` header asks of a ``size``-byte package.

    Returns ``None`` for the whole (no header, another unit, or several ranges, which are answered
    with the whole as RFC 9110 allows), ``(start, end)`` inclusive, or ``"unsatisfiable"`` for a
    malformed ``bytes`` range or one that starts past the end (answered 416).
    """
    if not header:
        return None
    header = header.strip()
    if not header.lower().startswith("bytes="):
        return None
    if "," in header:
        return None
    match = _RANGE.match(header.replace(" ", ""))
    if match is None or not (match.group(1) or match.group(2)):
        return "unsatisfiable"
    first, last = match.group(1), match.group(2)
    if first == "":  # the last N bytes
        count = int(last)
        if count == 0:
            return "unsatisfiable"
        return max(size - count, 0), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if end < start or start >= size:
        return "unsatisfiable"
    return start, min(end, size - 1)


def etag(package):
    return f'"package-{package.id}-{package.size}-{int(package.ready_at.timestamp())}"'


def start_download(package, user, start, end, via="stream"):
    """Log a download (or resumed part) about to be served, committed before the first byte."""
    download = Download(package_id=package.id, user_id=user.id, range_start=start, range_end=end, via=via)
    db.session.add(download)
    db.session.commit()
    return download.id


def streamed_body(package, start, end, download_id):
    """The generator of the response body, which records in the log how much was sent and whether
    the range reached its end (a dropped connection or a storage failure leaves it not completed)."""
    chunks = packages.byte_stream(package, start, end)
    total = end - start + 1

    def generate():
        sent, error = 0, ""
        try:
            for chunk in chunks:
                sent += len(chunk)
                yield chunk
        except Exception as exc:  # the storage failed mid-way: cut the body short, never complete it
            error = f"storage: {type(exc).__name__}"
            log.error("package %s: download %s cut at byte %s: %s", package.id, download_id, start + sent, exc)
        finally:
            _finish(download_id, sent, sent == total and not error, error)

    return stream_with_context(generate())


def _finish(download_id, sent, completed, error):
    try:
        db.session.rollback()
        download = db.session.get(Download, download_id)
        if download is not None:
            download.bytes_sent, download.completed = sent, completed
            download.finished_at, download.error = utcnow(), error or ("" if completed else "interrupted")
            db.session.commit()
    except Exception:  # the log must never break the response's end
        log.exception("could not record download %s", download_id)
        db.session.rollback()


def downloads_of(package_ids):
    if not package_ids:
        return []
    return db.session.execute(db.select(Download).where(Download.package_id.in_(package_ids))
                              .order_by(Download.started_at.desc(), Download.id.desc())).scalars().all()
