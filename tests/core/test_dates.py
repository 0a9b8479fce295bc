"""The fast datetime formatter writes exactly what Babel's ``format_datetime`` writes."""

import random
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import pytz
from babel import Locale, localedata
from babel.dates import format_datetime
from flask import g, render_template_string
from flask_babel import format_datetime as flask_babel_format_datetime
from flask_babel import get_locale, get_timezone

from residency.core.dates import datetime_formatter

LOCALES = [
    "en", "en_GB", "fr", "es", "pt", "pt_BR", "de", "it", "ko", "ja", "zh", "zh_Hans_CN", "zh_Hant",
    "he", "ar", "fa", "sk", "ka", "da", "nb", "wo", "th", "hi", "my", "sr_Latn",
]  # fmt: skip
FORMATS = ["short", "medium", "long", "full"]
ZONES = [
    "UTC", "Europe/Paris", "America/Sao_Paulo", "Asia/Seoul", "America/Toronto",
    "Asia/Kolkata", "Australia/Lord_Howe", "Asia/Kathmandu",
]  # fmt: skip
# Patterns with every field, those with a fast path and those left to Babel.
PATTERNS = [
    "yyyy-MM-dd HH:mm:ss xxx",
    "y yy yyy yyyy yyyyy M MM MMM MMMM MMMMM L LL LLL LLLL LLLLL d dd",
    "E EE EEE EEEE EEEEE EEEEEE e ee eee eeee c ccc cccc ccccc cccccc",
    "G GG GGG GGGG GGGGG a aa aaa aaaa aaaaa b bbbb B BBBB",
    "h hh H HH K KK k kk m mm s ss S SSS SSSSSS A",
    "z zz zzz zzzz Z ZZ ZZZ ZZZZ ZZZZZ O OOOO v vvvv V VV VVV VVVV x xx xxx xxxx xxxxx X XXX XXXXX",
    "Y YY YYYY u Q QQ QQQ QQQQ q qqq w ww W D DD DDD F",
    "'quoted text' '' 100% %(H)s h 'o''clock'",
]  # fmt: skip


def known_locales():
    return [code for code in LOCALES if localedata.exists(code)]


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def transitions(zone, year):
    """The UTC instants at which ``zone`` changes its offset during ``year``."""
    tz = ZoneInfo(zone)
    found = []
    step = timedelta(hours=6)
    moment = utc(year, 1, 1)
    while moment.year == year:
        following = moment + step
        if moment.astimezone(tz).utcoffset() != following.astimezone(tz).utcoffset():
            low, high = moment, following  # bisect to the second
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle -= timedelta(microseconds=middle.microsecond)
                if middle.astimezone(tz).utcoffset() == low.astimezone(tz).utcoffset():
                    low = middle
                else:
                    high = middle
            found.append(high)
        moment = following
    return found


def sample_instants(zone, count=40, seed=20240331):
    """Random instants in 1999-2040, both sides of each DST change, and local midnight, noon, 00:30."""
    rng = random.Random(f"{seed}-{zone}")
    start, end = utc(1999, 1, 1), utc(2040, 12, 31, 23, 59, 59)
    span = int((end - start).total_seconds())
    instants = [
        start + timedelta(seconds=rng.randrange(span), microseconds=rng.randrange(1_000_000))
        for _ in range(count)
    ]
    for year in (1999, 2026, 2040):
        for change in transitions(zone, year):
            for seconds in (-3601, -1800, -1, 0, 1, 1800, 3600):
                instants.append(change + timedelta(seconds=seconds))
    tz = ZoneInfo(zone)
    for day in (date(2000, 1, 1), date(2026, 7, 14), date(2038, 12, 31)):
        for hour, minute in ((0, 0), (0, 30), (12, 0), (23, 59)):
            instants.append(datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz).astimezone(timezone.utc))
    return instants


def outcome(call, *args, **kwargs):
    """The text, or the error: Babel cannot write some fields for some instants (``b`` at
    midnight in French), and the formatter must fail the same way."""
    try:
        return call(*args, **kwargs)
    except Exception as error:
        return (type(error), str(error))


def mismatches(locale, tzinfo, format, instants):
    fmt = datetime_formatter(locale, tzinfo, format)
    wrong = []
    for instant in instants:
        expected = outcome(format_datetime, instant, format, tzinfo=tzinfo, locale=locale)
        got = outcome(fmt, instant)
        if got != expected:
            wrong.append((instant.isoformat(), expected, got))
    return wrong


@pytest.mark.parametrize("locale", known_locales())
@pytest.mark.parametrize("format", FORMATS)
def test_predefined_formats_match_babel_in_every_zone(locale, format):
    """Short, medium, long and full datetimes read the same as Babel's, zone by zone (pytz zones,
    as Flask-Babel hands them over)."""
    wrong = []
    for zone in ZONES:
        wrong += mismatches(locale, pytz.timezone(zone), format, sample_instants(zone))
    assert wrong == []


@pytest.mark.parametrize("locale", ["en", "fr", "ko", "ar", "he"])
@pytest.mark.parametrize("format", FORMATS)
def test_zoneinfo_and_zone_names_match_babel(locale, format):
    """A ``ZoneInfo`` or a plain zone name gives Babel's text too."""
    wrong = []
    for zone in ZONES:
        instants = sample_instants(zone, count=10)
        wrong += mismatches(locale, ZoneInfo(zone), format, instants)
        wrong += mismatches(locale, zone, format, instants)
    assert wrong == []


@pytest.mark.parametrize("locale", ["en", "fr", "es", "pt", "ko", "ar", "ja", "fa"])
@pytest.mark.parametrize("pattern", PATTERNS)
def test_explicit_patterns_match_babel(locale, pattern):
    """An explicit CLDR pattern, with fields Babel alone knows how to write, reads the same."""
    wrong = []
    for zone in ("UTC", "Europe/Paris", "Australia/Lord_Howe", "Asia/Kathmandu"):
        instants = sample_instants(zone, count=15)
        wrong += mismatches(locale, pytz.timezone(zone), pattern, instants)
        wrong += mismatches(locale, ZoneInfo(zone), pattern, instants)
    assert wrong == []


def test_without_a_timezone_the_value_keeps_its_own():
    """With no display zone, each value is shown in its own zone, as Babel does."""
    values = [utc(2026, 3, 29, 1, 0), datetime(2026, 3, 29, 3, 0, tzinfo=ZoneInfo("Europe/Paris"))]
    for format in FORMATS + ["HH:mm zzzz VVVV"]:
        fmt = datetime_formatter("fr", None, format)
        for value in values:
            assert fmt(value) == format_datetime(value, format, locale="fr")


def test_a_naive_datetime_is_utc_and_none_is_empty():
    """A naive datetime is read as UTC, as Flask-Babel reads it; no datetime shows nothing."""
    fmt = datetime_formatter("en", pytz.timezone("Asia/Seoul"), "medium")
    assert fmt(datetime(2026, 7, 14, 18, 30)) == fmt(utc(2026, 7, 14, 18, 30)) == "Jul 15, 2026, 3:30:00\u202fAM"
    assert fmt(None) == ""


def test_a_date_is_formatted_as_babel_formats_it():
    """A plain date (midnight, no zone conversion of the day) is left to Babel."""
    fmt = datetime_formatter("de", pytz.timezone("America/Toronto"), "long")
    value = date(2026, 3, 8)
    assert fmt(value) == format_datetime(value, "long", tzinfo=pytz.timezone("America/Toronto"), locale="de")


def test_formatters_are_built_once_per_locale_zone_and_format():
    """A ``Locale`` and its identifier, or the same zone asked twice, share one formatter."""
    paris = pytz.timezone("Europe/Paris")
    assert datetime_formatter(Locale.parse("fr"), paris, "short") is datetime_formatter("fr", paris, "short")
    assert datetime_formatter("fr", ZoneInfo("Europe/Paris"), "short") is datetime_formatter(
        "fr", ZoneInfo("Europe/Paris"), "short"
    )
    assert datetime_formatter("fr", paris, "short") is not datetime_formatter("fr", paris, "medium")
    assert datetime_formatter("fr", paris, "short") is not datetime_formatter("fr", ZoneInfo("Europe/Paris"), "short")


def test_an_invalid_pattern_fails_as_in_babel():
    """A field of a length CLDR does not define is refused, as Babel refuses it."""
    with pytest.raises(ValueError):
        format_datetime(utc(2026, 1, 1), "ddd", locale="en")
    with pytest.raises(ValueError):
        datetime_formatter("en", pytz.utc, "ddd")


@pytest.mark.parametrize("lang, zone", [
    ("en", "UTC"), ("fr", "Europe/Paris"), ("es", "America/Sao_Paulo"), ("pt", "Asia/Kolkata"),
    ("en", "Australia/Lord_Howe"),
])  # fmt: skip
def test_the_datetime_filter_renders_as_flask_babel_did(app, lang, zone):
    """The ``datetime`` filter shows what ``flask_babel.format_datetime`` showed before."""
    instants = sample_instants(zone, count=5) + [utc(2026, 10, 25, 0, 59, 59), utc(2026, 10, 25, 1, 0)]
    template = (
        "{{ when|datetime }}|{{ when|datetime('short') }}|{{ when|datetime('long') }}|"
        "{{ when|datetime('full') }}|{{ when|datetime('EEEE d MMMM y HH:mm zzzz') }}|{{ nothing|datetime }}"
    )
    headers = {"Cookie": f"lang={lang}; tz={zone}"}
    with app.test_request_context("/", headers=headers):
        g._get_current_object().__dict__.clear()  # the test's app context outlives the request
        try:
            assert (str(get_locale()), str(get_timezone())) == (lang, zone)
            for when in instants:
                expected = "|".join(
                    flask_babel_format_datetime(when, format)
                    for format in ("medium", "short", "long", "full", "EEEE d MMMM y HH:mm zzzz")
                )
                assert render_template_string(template, when=when, nothing=None) == expected + "|"
        finally:
            g._get_current_object().__dict__.clear()
