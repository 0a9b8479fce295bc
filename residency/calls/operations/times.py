"""Wall-clock times in a call's timezone and the instants (aware UTC) they stand for."""

from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from residency.core.errors import ActionRefused


def utc_offset(instant, zone_name):
    """"UTC+02:00" for ``instant`` in ``zone_name``."""
    offset = instant.astimezone(ZoneInfo(zone_name)).utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def format_in_zone(instant, zone_name):
    """"2026-05-01 18:00 Europe/Paris (UTC+02:00)": readable in every language (e-mails, notes)."""
    local = instant.astimezone(ZoneInfo(zone_name))
    return f"{local:%Y-%m-%d %H:%M} {zone_name} ({utc_offset(instant, zone_name)})"


def local_to_utc(local, zone_name, field):
    """The aware UTC instant of the wall-clock time ``local`` (naive) in ``zone_name``.

    Returns ``(instant, note)``. A time the clocks skip (spring forward) is refused; a time that
    happens twice (autumn) is taken at its first occurrence and ``note`` says so.
    :raise ActionRefused: the time does not exist in that zone.
    """
    zone = ZoneInfo(zone_name)
    local = local.replace(second=0, microsecond=0, tzinfo=None)
    first = local.replace(tzinfo=zone, fold=0)
    if first.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None) != local:
        suggestion = first.astimezone(timezone.utc).astimezone(zone)
        raise ActionRefused(
            _l("%(time)s does not exist in %(zone)s: the clocks skip that hour for daylight saving time. "
               "Choose another time, for example %(suggestion)s.",
               time=f"{local:%Y-%m-%d %H:%M}", zone=zone_name, suggestion=f"{suggestion:%H:%M}"),
            field=field,
        )
    instant = first.astimezone(timezone.utc)
    note = None
    if local.replace(tzinfo=zone, fold=1).utcoffset() != first.utcoffset():
        note = _l("%(time)s happens twice in %(zone)s (the clocks go back that night): we used the first "
                  "occurrence, %(offset)s.", time=f"{local:%Y-%m-%d %H:%M}", zone=zone_name,
                  offset=utc_offset(instant, zone_name))
    return instant, note


def default_timezone(city):
    return city.timezone if city is not None else "UTC"
