"""Column types shared by every feature."""

from datetime import datetime, timedelta, timezone

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


_ZERO = timedelta(0)


def utcnow():
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on every database (SQLite drops the offset, PostgreSQL keeps it).

    Naive datetimes are refused: a time without its zone is a bug waiting for a DST change.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store aware UTC datetimes")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        if value.tzinfo is timezone.utc:
            return value
        if value.utcoffset() == _ZERO:  # PostgreSQL in UTC: the same instant, relabelled (no conversion)
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
