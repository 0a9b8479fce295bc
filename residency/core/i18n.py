"""Languages and timezones: the user's setting, then a cookie from the switcher, then the browser."""

from zoneinfo import ZoneInfo, available_timezones

from babel import Locale
from flask import current_app, g, has_request_context, request
from flask_babel import get_translations
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
    # Flask-Babel's callables look the catalogue up again at every ``_()`` of a template (the
    # domain, the locale and the catalogue cache through ``g``: about 40% of a page's render).
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: _translations().ugettext(string),
        ngettext=lambda singular, plural, n: _translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: _translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: _translations().unpgettext(context, singular, plural, n),
        newstyle=True,
    )


_MEMO = "residency_translations"


def _translations():
    """The catalogue of the current language, remembered for the request next to the locale
    Flask-Babel chose (``g._flask_babel.babel_locale``): a ``force_locale`` or a ``refresh``
    replaces or drops that locale, and the catalogue is looked up again."""
    state = g.get("_flask_babel")
    locale = getattr(state, "babel_locale", None)
    if locale is None:  # no request, or the locale not chosen yet: Flask-Babel's own lookup
        return get_translations()
    memo = state.__dict__.get(_MEMO)
    if memo is None or memo[0] is not locale:
        memo = (locale, get_translations())
        setattr(state, _MEMO, memo)
    return memo[1]
