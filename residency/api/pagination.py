"""Cursor pagination: ``?limit=`` (1 to 100) and an opaque ``?cursor=``, a ``Link`` header.

A list answers ``{"items": [...], "next_cursor": "…" | null}`` and, when there is a next page, a
``Link: <url>; rel="next"`` header (RFC 8288) with the same query and the next cursor. A cursor is
the sort key of the last item shown (keyset pagination: a page costs the same at item 19,900 as at
item 1, and a row added meanwhile neither repeats nor skips one), base64url-encoded JSON. A
malformed cursor is a 400 ``invalid_cursor``; a limit out of range a 422.
"""

import base64
import binascii
import json
from datetime import datetime
from urllib.parse import urlencode

import marshmallow as ma
from flask import request
from flask_babel import lazy_gettext as _l
from sqlalchemy import literal, tuple_

from residency.api.problems import ApiError

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
MAX_CURSOR = 300


class PageArgs(ma.Schema):
    """The query arguments of every list."""

    limit = ma.fields.Integer(load_default=DEFAULT_LIMIT, validate=ma.validate.Range(1, MAX_LIMIT),
                              metadata={"description": "Items per page, 1 to 100."})
    cursor = ma.fields.String(load_default=None, validate=ma.validate.Length(1, MAX_CURSOR),
                              metadata={"description": "The `next_cursor` of the previous page (opaque: one this API did not give "
                                                        "is answered 400 `invalid_cursor`)."})


def page_schema(item_schema, name):
    """A schema class ``{"items": [item_schema], "next_cursor": str | null}`` named ``name``."""
    return ma.Schema.from_dict({
        "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
        "next_cursor": ma.fields.String(required=True, allow_none=True),
    }, name=name)


def encode_cursor(values):
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(text, kinds):
    """The values a cursor holds, checked against ``kinds`` (``int``, ``str`` or ``datetime``).

    :raise 400: anything else.
    """
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        values = json.loads(raw.decode())
        if not isinstance(values, list) or len(values) != len(kinds):
            raise ValueError
        return tuple(_typed(value, kind) for value, kind in zip(values, kinds))
    except (ValueError, TypeError, UnicodeDecodeError, binascii.Error, RecursionError):
        raise ApiError(400, "invalid_cursor", _l("The cursor is not one this API gave.")) from None


def _typed(value, kind):
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 2**31 - 1:
            raise ValueError
        return value
    if kind is datetime:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError
        return parsed
    if not isinstance(value, str) or len(value) > 200:
        raise ValueError
    return value


def after(columns, values, descending=False):
    """The keyset condition "strictly after ``values``" on ``columns`` (all one direction), as a
    row-value comparison that an index on those columns answers directly."""
    if len(columns) == 1:
        return columns[0] < values[0] if descending else columns[0] > values[0]
    left, right = tuple_(*columns), tuple_(*(literal(value, column.type) for value, column in zip(values, columns)))
    return left < right if descending else left > right


def page(rows, limit, key):
    """``(body, 200, headers)`` of a page from ``rows`` (``limit + 1`` asked): the next cursor is
    ``key(last row shown)`` when more exist."""
    items = list(rows[:limit])
    next_cursor = encode_cursor(key(items[-1])) if len(rows) > limit and items else None
    headers = {}
    if next_cursor:
        args = request.args.to_dict(flat=False)
        args["cursor"] = [next_cursor]
        args["limit"] = [str(limit)]
        headers["Link"] = f'<{request.base_url}?{urlencode(args, doseq=True)}>; rel="next"'
    return {"items": items, "next_cursor": next_cursor}, 200, headers
