"""Ids that come from outside (URLs, form fields, upload references), checked before they reach
the database.

Primary keys are PostgreSQL ``integer`` columns: an id past 2³¹−1 is not a missing row but a
database error (a 500), and ``str.isdigit`` accepts digits such as ``²`` that ``int`` refuses.
Every route's ``<int:…>`` uses :class:`IdConverter`, so such URLs are plain 404s.
"""

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1
MAX_PAGE = 100_000


def parse_id(text):
    """The id written in ``text`` (ASCII digits, 1 to 2³¹−1), or None."""
    text = str(text if text is not None else "").strip()
    if not text or len(text) > 10 or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


def parse_page(text):
    """A page number from a query string: 1 for anything missing, malformed or out of range."""
    value = parse_id(text)
    return value if value is not None and value <= MAX_PAGE else 1


class IdConverter(IntegerConverter):
    """``<int:…>`` in URLs: at most 2³¹−1, so a larger number matches no route (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app):
    """Every ``<int:…>`` of the application's routes is bounded (before any route is added)."""
    app.url_map.converters["int"] = IdConverter
