"""Helpers for views that handle forms."""

from flask import flash


def show_refusal(form, refusal):
    """Attach an :class:`ActionRefused` to its form field, or flash it when it names none."""
    field = getattr(form, refusal.field, None) if refusal.field else None
    if field is not None:
        field.errors = list(field.errors) + [str(refusal.message)]
    else:
        flash(str(refusal.message), "error")


def safe_referrer():
    """The page the user came from, if it is on this site; else None."""
    from urllib.parse import urlsplit

    from flask import request

    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc and parts.netloc != request.host:
        return None
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//"):
        return None
    return path + (f"?{parts.query}" if parts.query else "")
