"""PDF documents: page count, encryption, scripts."""

import os

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PyPdfError

from .errors import MediaRejected

EOF_WINDOW = 2048


def probe_pdf(path) -> dict:
    """``{"pages", "encrypted", "javascript"}`` of a PDF.

    ``pages`` is None for a PDF that needs a password to open. ``javascript`` tells whether the
    document carries scripts (it is only ever offered as a download).

    :raise MediaRejected: ``truncated`` (no ``%%EOF`` at the end), ``corrupt``, ``empty``.
    """
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        f.seek(max(0, size - EOF_WINDOW))
        if b"%%EOF" not in f.read():
            raise MediaRejected(
                "truncated",
                "The PDF is incomplete: it seems to have been cut off during upload or export.",
            )
    try:
        reader = PdfReader(path, strict=False)
        encrypted = reader.is_encrypted
        if encrypted:
            try:
                reader.decrypt("")
            except (FileNotDecryptedError, NotImplementedError):
                pass  # opened with a user password: the page count below is reported as unknown
        try:
            pages = len(reader.pages)
            javascript = _has_javascript(reader)
        except FileNotDecryptedError:
            return {"pages": None, "encrypted": True, "javascript": None}
    except (PyPdfError, ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        raise MediaRejected(
            "corrupt", "The PDF is damaged and could not be read.", str(exc)
        ) from exc
    if pages == 0:
        raise MediaRejected("empty", "The PDF has no pages.")
    return {"pages": pages, "encrypted": encrypted, "javascript": javascript}


def _has_javascript(reader: PdfReader) -> bool:
    root = reader.trailer.get("/Root")
    root = root.get_object() if root is not None else {}
    names = root.get("/Names")
    names = names.get_object() if names is not None else {}
    open_action = root.get("/OpenAction")
    open_action = open_action.get_object() if open_action is not None else None
    scripted_action = isinstance(open_action, dict) and "/JS" in open_action
    return "/JavaScript" in names or scripted_action or "/AA" in root
