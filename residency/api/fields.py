"""Fields of the API's schemas: dates in RFC 3339, always UTC with ``Z``."""

from datetime import date, datetime, timezone

import marshmallow as ma


class UTCDateTime(ma.fields.DateTime):
    """An aware datetime written ``2026-03-01T09:30:00Z`` (RFC 3339, UTC); parsed from any
    RFC 3339 time with an offset (a time without one is refused)."""

    def __init__(self, **kwargs):
        super().__init__(format="iso", **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return value.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")

    def _deserialize(self, value, attr, data, **kwargs):
        parsed = super()._deserialize(value, attr, data, **kwargs)
        if parsed.tzinfo is None:
            raise ma.ValidationError("Give the time with its offset (RFC 3339), e.g. 2026-03-01T09:30:00Z.")
        return parsed.astimezone(timezone.utc)


class Date(ma.fields.Date):
    """A calendar date, ``2026-03-01``."""

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, datetime):
            value = value.date()
        return value.isoformat() if isinstance(value, date) else None


def translations(**kwargs):
    """A ``{language code: text}`` field."""
    return ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), **kwargs)
