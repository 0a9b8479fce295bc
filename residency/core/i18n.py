"""Languages and timezones: the user's setting, then a cookie from the switcher, then the browser."""

from zoneinfo import ZoneInfo, available_timezones

from babel import Locale
from flask import current_app, has_request_context, request
from flask_login import current_user

from residency.extensions import babel

LANG_COOKIE = "lang"
TZ_COOKIE = "tz"


def supported_locales():
    return current_app.config["LANGUAGES"]


def select_locale():
    """The user's language, else the switcher's cookie, else the browser's ``Accept-Language``.

    Outside a request (CLI, workers) Flask-Babel's default applies.
    """
    if not has_request_context():
        return None
    languages = supported_locales()
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in languages:
        return cookie
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone():
    """The user's timezone, else the one the browser reported in a cookie, else UTC."""
    if not has_request_context():
        return None
    if current_user and current_user.is_authenticated and is_valid_timezone(current_user.timezone):
        return current_user.timezone
    cookie = request.cookies.get(TZ_COOKIE)
    if is_valid_timezone(cookie):
        return cookie
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def is_valid_timezone(name):
    if not name or name not in _timezones():
        return False
    try:
        ZoneInfo(name)
    except Exception:
        return False
    return True


_TZ_CACHE = None


def _timezones():
    global _TZ_CACHE
    if _TZ_CACHE is None:
        _TZ_CACHE = frozenset(available_timezones())
    return _TZ_CACHE


def timezone_choices():
    """UTC, then the sorted IANA timezone names (without the legacy aliases), for select boxes."""
    return ["UTC"] + sorted(
        name for name in _timezones() if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/"))
    )


def language_name(code):
    """The language's own name ("français"), for the switcher."""
    return Locale.parse(code).get_display_name(code).capitalize()


def text_direction(code):
    return Locale.parse(code).text_direction


def init_app(app):
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
