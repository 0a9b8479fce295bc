"""What the residencies' templates use to show a session's time in a given zone."""

from flask_babel import get_locale

from residency.residencies.blueprint import bp
from residency.residencies.zones import offset_text, span_text


@bp.app_template_global("session_span")
def session_span(session, zone_name):
    """"Tuesday 15 December 2026, 18:00 – 19:30" in ``zone_name``, in the viewer's language."""
    return span_text(session.starts_at, session.ends_at, zone_name, str(get_locale()))


@bp.app_template_global("zone_offset")
def zone_offset(instant, zone_name):
    """"UTC+01:00": ``zone_name``'s offset at ``instant``."""
    return offset_text(instant, zone_name)


@bp.app_template_global("notice_text")
def notice_text(notice):
    """What a notice says, in the viewer's language."""
    from residency.residencies.notify import notice_text as text

    return text(notice)


@bp.app_template_global("web_link")
def web_link(address):
    """``address`` when it is an http(s) address that may be a link, else None (shown as text).

    The profile already refuses other schemes; older rows are not trusted with an ``href``."""
    from urllib.parse import urlsplit

    parts = urlsplit(str(address or "").strip())
    return address if parts.scheme in ("http", "https") and parts.netloc else None


@bp.app_template_global("residency_dates")
def residency_dates(residency):
    """"7 December 2026 – 3 January 2027": the residency's first and last day, in the viewer's language."""
    from flask_babel import format_date

    return f"{format_date(residency.starts_on, 'long')} – {format_date(residency.ends_on, 'long')}"
