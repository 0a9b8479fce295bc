"""What every template can use: the current language and direction, time formatting, the
switcher, and the site's menu, whose entries the features provide (the ``nav`` hook)."""

from dataclasses import dataclass
from typing import Optional

from flask import current_app, has_request_context, request
from flask_babel import get_locale, get_timezone
from flask_login import current_user

from residency.core.dates import datetime_formatter
from residency.core.hooks import providers
from residency.core.i18n import language_name, text_direction
from residency.core.permissions import can


@dataclass(frozen=True)
class NavItem:
    """An entry of the site's menu.

    :param endpoint: where it leads.
    :param label: its text (a lazy string).
    :param order: its place, smallest first.
    :param audience: ``"all"``, ``"member"`` (logged in) or ``"guest"`` (not logged in).
    :param current: an endpoint prefix (ending in ``.``) or an endpoint that marks it current.
    :param permission: an action the viewer must be allowed (``core.permissions.can``).
    :param post: a button in a form posting to the endpoint (e.g. logging out), not a link.
    """

    endpoint: str
    label: object
    order: int
    audience: str = "all"
    current: Optional[str] = None
    permission: Optional[str] = None
    post: bool = False

    def is_current(self, endpoint):
        marker = self.current or self.endpoint
        if not endpoint:
            return False
        return endpoint.startswith(marker) if marker.endswith(".") else endpoint == marker


def nav_items():
    """The menu entries this viewer sees, in order."""
    member = current_user.is_authenticated
    items = []
    for item in sorted(providers("nav"), key=lambda entry: entry.order):
        if item.audience == "member" and not member or item.audience == "guest" and member:
            continue
        if item.permission and not can(current_user, item.permission):
            continue
        items.append(item)
    return items


def has_endpoint(endpoint):
    """Whether this application serves ``endpoint`` (a feature may be left out of the list)."""
    return endpoint in current_app.view_functions


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
            "nav_items": nav_items,
            "current_endpoint": request.endpoint if has_request_context() else None,
        }

    app.add_template_global(has_endpoint)
    app.add_template_global(providers, "provided")

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
