"""Which timezone a person sees a residency's sessions in, and how a session's time reads there."""

from zoneinfo import ZoneInfo

from residency.core.dates import datetime_formatter
from residency.core.i18n import is_valid_timezone

FALLBACK = "UTC"


def zone_of(user):
    """The zone ``user`` sees sessions in: the one set on their account (the site shows every time
    in it), else their city's, else UTC."""
    chosen = getattr(user, "timezone", None)
    if is_valid_timezone(chosen):
        return chosen
    city = getattr(user, "city", None)
    if city is not None and is_valid_timezone(city.timezone):
        return city.timezone
    return FALLBACK


def local(instant, zone_name):
    """The aware ``instant`` as a wall-clock time in ``zone_name``."""
    return instant.astimezone(ZoneInfo(zone_name))


def span_text(starts_at, ends_at, zone_name, locale):
    """"Tuesday, 15 December 2026, 18:00 – 19:30" in ``locale``: the end's date is repeated only
    when the session ends on another day in that zone."""
    zone = ZoneInfo(zone_name)
    start = datetime_formatter(locale, zone, "EEEE d MMMM y, HH:mm")(starts_at)
    same_day = local(starts_at, zone_name).date() == local(ends_at, zone_name).date()
    end = datetime_formatter(locale, zone, "HH:mm" if same_day else "EEEE d MMMM y, HH:mm")(ends_at)
    return f"{start} – {end}"


def offset_text(instant, zone_name):
    """"UTC+02:00": the zone's offset at ``instant``."""
    from residency.calls.operations.times import utc_offset

    return utc_offset(instant, zone_name)
