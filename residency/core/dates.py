"""Fast datetime formatting that gives exactly Babel's ``format_datetime`` output.

Babel re-reads the locale's data for every field of every call (``DateTimeFormat.__getitem__``,
``get_period_names``), which costs tens of microseconds per datetime. Here the pattern is parsed
once per (locale, timezone, format): each field becomes a ``%`` conversion in one template and a
small function over plain dicts taken from the same locale data. A field without a fast function
is asked of Babel's own ``DateTimeFormat``, built the way ``format_datetime`` builds it, so the
output never differs.
"""

import datetime
from functools import lru_cache
from operator import attrgetter

from babel import Locale
from babel.dates import (
    LC_TIME,
    UTC,
    DateTimeFormat,
    format_datetime,
    get_timezone,
    parse_pattern,
    tokenize_pattern,
)

try:
    from pytz import BaseTzInfo as _PytzZone
except ImportError:  # Babel then uses zoneinfo
    _PytzZone = ()

PREDEFINED_FORMATS = ("full", "long", "medium", "short")

# Which part of a datetime Babel hands to DateTimeFormat: the date alone (``format_date``), the
# time alone with a reference date (``format_time``), or the whole datetime (explicit pattern).
_DATE, _TIME, _DATETIME = "date", "time", "datetime"

_DATE_FIELDS = frozenset("GyMLdEec")
_TIME_FIELDS = frozenset("aHhKkms")
_OFFSET_FIELDS = frozenset("zZOxX")
_ZONE_FIELDS = frozenset("vV")
_MEMO_LIMIT = 64
_NUMBERS = {
    "y": attrgetter("year"), "M": attrgetter("month"), "L": attrgetter("month"), "d": attrgetter("day"),
    "H": attrgetter("hour"), "m": attrgetter("minute"), "s": attrgetter("second"),
}  # fmt: skip


def datetime_formatter(locale, tzinfo, format="medium"):
    """A callable ``fmt(value) -> str`` equal to ``babel.dates.format_datetime``.

    ``fmt(value)`` returns ``format_datetime(value, format, tzinfo=tzinfo, locale=locale)``
    for every value; a naive datetime is taken as UTC and ``None`` gives ``""``. ``locale`` is a
    ``Locale`` or an identifier, ``tzinfo`` a tzinfo, a zone name or ``None`` (no conversion),
    ``format`` one of "short", "medium", "long", "full" or a CLDR pattern. Formatters are built
    once per (locale, timezone, format) and cached.
    """
    return _cached_formatter(None if locale is None else str(locale), _TzKey(tzinfo), format)


class _TzKey:
    """A cache key for a tzinfo: its class and zone name, carrying the object itself."""

    __slots__ = ("key", "tzinfo")

    def __init__(self, tzinfo):
        self.tzinfo = tzinfo
        name = getattr(tzinfo, "zone", None) or getattr(tzinfo, "key", None) or str(tzinfo)
        self.key = (type(tzinfo), name)

    def __hash__(self):
        return hash(self.key)

    def __eq__(self, other):
        return isinstance(other, _TzKey) and self.key == other.key


@lru_cache(maxsize=256)
def _cached_formatter(locale, tz_key, format):
    return _build_formatter(Locale.parse(locale or LC_TIME), tz_key.tzinfo, format)


def _build_formatter(locale, tzinfo, format):
    convert = _converter(tzinfo)
    memo_zones = _zone_memo_kinds(tzinfo)

    def babel(value):
        return format_datetime(value, format, tzinfo=tzinfo, locale=locale)

    if format not in PREDEFINED_FORMATS:
        template, fields, _ = _compile(format, locale, _DATETIME, memo_zones)
        return _formatter(template, fields, convert, babel)

    glues = locale.datetime_formats
    glue = glues[format if format in glues else None].replace("'", "")
    time_template, time_fields, time_is_plain = _compile(locale.time_formats[format], locale, _TIME, memo_zones)
    date_template, date_fields, _ = _compile(locale.date_formats[format], locale, _DATE, memo_zones)

    glue_is_plain = not any(_has_brace(piece) for chunk in glue.split("{0}") for piece in chunk.split("{1}"))
    if time_is_plain and glue_is_plain:
        # Babel puts the time into the glue, then the date. When no brace can come from the
        # time's text or stray from the glue, the "{1}" it replaces are the glue's own, and the
        # two steps are one template.
        template, fields = _join(glue, (time_template, time_fields), (date_template, date_fields))
        return _formatter(template, fields, convert, babel)

    def fmt(value):
        if value is None:
            return ""
        if not isinstance(value, datetime.datetime):
            return babel(value)
        dt = convert(value)
        time_text = time_template % tuple([field(dt) for field in time_fields])
        date_text = date_template % tuple([field(dt) for field in date_fields])
        return glue.replace("{0}", time_text).replace("{1}", date_text)

    return fmt


def _formatter(template, fields, convert, babel):
    def fmt(value):
        if value is None:
            return ""
        if not isinstance(value, datetime.datetime):
            return babel(value)  # a date, a time or a timestamp: rare, and Babel's own business
        dt = convert(value)
        return template % tuple([field(dt) for field in fields])

    return fmt


def _join(glue, time, date):
    """One template for a glue like ``{1}, {0}``, in which {0} is the time and {1} the date."""
    parts, fields = [], []
    for index, chunk in enumerate(glue.split("{0}")):
        if index:
            parts.append(time[0])
            fields += time[1]
        for index, piece in enumerate(chunk.split("{1}")):
            if index:
                parts.append(date[0])
                fields += date[1]
            parts.append(piece.replace("%", "%%"))
    return "".join(parts), fields


def _zone_memo_kinds(tzinfo):
    """The zone fields whose text may be remembered per formatter.

    Once every value is in one zone, offset fields (z, Z, O, x, X) depend on the instant only
    through its offset, DST offset and abbreviation. Zone fields (v, V) depend on the zone's name,
    but for a tzinfo without one Babel asks for its abbreviation *now*.
    """
    if tzinfo is None:
        return frozenset()
    zone = get_timezone(tzinfo)
    if getattr(zone, "zone", None) or getattr(zone, "key", None):
        return _OFFSET_FIELDS | _ZONE_FIELDS
    return _OFFSET_FIELDS


def _converter(tzinfo):
    """The value in the display timezone, as ``babel.dates._ensure_datetime_tzinfo`` does it."""
    if tzinfo is None:

        def convert(value):
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value

        return convert

    zone = get_timezone(tzinfo)
    normalize = getattr(tzinfo, "normalize", None)
    if isinstance(tzinfo, _PytzZone):
        # pytz's normalize re-derives the offset from the same UTC instant that astimezone
        # used (both go through the zone's fromutc): after astimezone it returns an equal
        # datetime, and it costs as much as the conversion itself.
        normalize = None

    def convert(value):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(zone)
        return normalize(value) if normalize is not None else value

    return convert


def _compile(pattern, locale, part, memo_zones):
    """A ``%`` template, one function per field, and whether the text is plain.

    The template holds the same literal text as Babel's ``parse_pattern(pattern).format``. Plain
    text has only fast fields, and no brace in its literals or in the names they write.
    """
    pattern = parse_pattern(pattern)  # validates field lengths as Babel does
    chunks, fields, plain = [], [], True
    for kind, token in tokenize_pattern(pattern.pattern):
        if kind == "chars":
            chunks.append(token.replace("%", "%%"))
            plain = plain and not _has_brace(token)
            continue
        char, num = token
        fast = None
        if char in _DATE_FIELDS and part != _TIME:
            fast = _date_field(char, num, locale)
        elif char in _TIME_FIELDS and part != _DATE:
            fast = _time_field(char, num, locale)
        if fast is not None:
            conversion, field, names = fast
            plain = plain and not any(_has_brace(name) for name in names)
        else:
            conversion, field, plain = "%s", _babel_field(char, num, locale, part, memo_zones), False
        chunks.append(conversion)
        fields.append(field)
    return "".join(chunks), fields, plain


def _babel_field(char, num, locale, part, memo_zones):
    """The field from Babel's own ``DateTimeFormat``, given what ``format_datetime`` gives it."""
    name = char * num

    def field(dt):
        if part == _DATE:
            return DateTimeFormat(dt.date(), locale)[name]
        if part == _TIME:
            return DateTimeFormat(dt.timetz(), locale, reference_date=dt.date())[name]
        return DateTimeFormat(dt, locale)[name]

    return _memoised_zone_field(field) if part != _DATE and char in memo_zones else field


def _memoised_zone_field(slow):
    """A zone field, remembered per (offset, DST offset, abbreviation) of the display zone."""
    memo = {}

    def field(dt):
        key = (dt.utcoffset(), dt.dst(), dt.tzname())
        try:
            return memo[key]
        except KeyError:
            text = slow(dt)
            if len(memo) < _MEMO_LIMIT:
                memo[key] = text
            return text

    return field


def _date_field(char, num, locale):
    """``(conversion, function, names)`` for a date field, or None to leave it to Babel."""
    if char == "y":
        if num == 2:  # Babel keeps the last two digits of the padded year; years are above 0
            return "%02d", lambda dt: dt.year % 100, ()
        return f"%0{num}d", _NUMBERS[char], ()
    if char == "d" or char in "ML" and num <= 2:
        return f"%0{num}d", _NUMBERS[char], ()
    if char in "ML":
        width = {3: "abbreviated", 4: "wide", 5: "narrow"}[num]
        context = "format" if char == "M" else "stand-alone"
        months = _names(_lookup(locale.months, context, width), range(1, 13))
        return None if months is None else ("%s", lambda dt: months[dt.month], months.values())
    if char in "Eec":
        if num < 3:
            if char == "E":
                num = 3
            else:
                shift = 7 - locale.first_week_day
                return f"%0{num}d", lambda dt: (shift + dt.weekday()) % 7 + 1, ()
        width = {3: "abbreviated", 4: "wide", 5: "narrow", 6: "short"}[num]
        context = "stand-alone" if char == "c" else "format"
        days = _names(_lookup(locale.days, context, width), range(7))
        return None if days is None else ("%s", lambda dt: days[dt.weekday()], days.values())
    if char == "G":
        width = {3: "abbreviated", 4: "wide", 5: "narrow"}[max(3, num)]
        eras = _names(_lookup(locale.eras, width), (1,))
        # A datetime's year is never below 1, so Babel always picks era 1.
        return None if eras is None else ("%s", lambda dt: eras[1], eras.values())
    return None


def _time_field(char, num, locale):
    """``(conversion, function, names)`` for a time field, or None to leave it to Babel."""
    conversion = f"%0{num}d"
    if char in "Hms":
        return conversion, _NUMBERS[char], ()
    if char == "h":
        return conversion, lambda dt: dt.hour % 12 or 12, ()
    if char == "K":
        return conversion, lambda dt: dt.hour % 12, ()
    if char == "k":
        return conversion, lambda dt: dt.hour or 24, ()
    if char == "a":
        am, pm = _period_name(locale, num, "am"), _period_name(locale, num, "pm")
        if am is None or pm is None:
            return None
        return "%s", lambda dt: pm if dt.hour >= 12 else am, (am, pm)
    return None


def _period_name(locale, num, period):
    """The name Babel's ``format_period`` picks for "am" or "pm": the first width that has it."""
    widths = [{3: "abbreviated", 4: "wide", 5: "narrow"}[max(3, num)], "wide", "narrow", "abbreviated"]
    for width in widths:
        names = _lookup(locale.day_periods, "format", width)
        if names is None:
            return None
        if period in names:
            return names[period]
    return None


def _has_brace(text):
    return "{" in text or "}" in text


def _names(mapping, keys):
    """A plain dict of the given keys of a locale-data mapping, or None if one is missing."""
    try:
        return {key: mapping[key] for key in keys}
    except (KeyError, TypeError):
        return None


def _lookup(data, *keys):
    try:
        for key in keys:
            data = data[key]
    except (KeyError, TypeError):
        return None
    return data
