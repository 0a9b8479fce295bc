"""What every template can use: the current language and direction, time formatting, the switcher."""

from flask import current_app
from flask_babel import get_locale, get_timezone

from residency.core.dates import datetime_formatter
from residency.core.i18n import language_name, text_direction


def init_app(app):
    @app.context_processor
    def inject_globals():
        locale = str(get_locale())
        return {
            "current_locale": locale,
            "text_direction": text_direction(locale),
            "available_languages": [
                (code, language_name(code)) for code in current_app.config["LANGUAGES"]
            ],
            "viewer_timezone": str(get_timezone()),
        }

    @app.template_filter("datetime")
    def datetime_filter(value, format="medium"):
        """Show an aware UTC datetime in the viewer's timezone and language.

        Same text as ``flask_babel.format_datetime(value, format)`` (no ``date_formats`` are
        configured), through a formatter built once per language, timezone and format.
        """
        if value is None:
            return ""
        return datetime_formatter(get_locale(), get_timezone(), "medium" if format is None else format)(value)

    @app.template_filter("filesize")
    def filesize_filter(value):
        """A byte count in the viewer's language, decimal units (1 MB = 1,000,000 bytes)."""
        from flask_babel import format_decimal

        size = float(value or 0)
        for unit in ("B", "kB", "MB", "GB", "TB"):
            if size < 1000 or unit == "TB":
                return f"{format_decimal(round(size, 1))} {unit}"
            size /= 1000

    @app.template_filter("isodatetime")
    def isodatetime_filter(value):
        return value.isoformat() if value is not None else ""
