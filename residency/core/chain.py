"""Hash chains: append-only records made tamper-evident.

Each record carries the SHA-256 of its own content together with the hash of the record before it
(the first one links to :data:`GENESIS`). Changing, removing or reordering any record changes its
hash, which no longer matches the one stored, or breaks the link of the next record: a verifier
walking the chain in order names the first record that does not hold.

The content is hashed as canonical JSON (sorted keys, no spaces, UTF-8), so the same record
hashes the same on every database and in every process. Datetimes are written as ISO 8601 in UTC
with microseconds; callers pass exactly what they store.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone

GENESIS = "0" * 64


def _default(value):
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    raise TypeError(f"cannot hash a {type(value).__name__} in a chain record")


def canonical(content):
    """The bytes hashed for ``content`` (a dict of JSON values and datetimes)."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_default).encode("utf-8")


def link(content, previous_hash):
    """The hash of a record holding ``content`` that follows the record hashed ``previous_hash``."""
    digest = hashlib.sha256()
    digest.update(previous_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical(content))
    return digest.hexdigest()


@dataclass(frozen=True)
class Break:
    """Where a chain stops holding: the record (``position`` in the chain, ``key`` naming it for
    people) and why."""

    position: int
    key: object
    reason: str


def verify(records):
    """Walk ``records`` in chain order (``(key, content, previous_hash, stored_hash)`` tuples).

    Returns ``(first_break, records_read)``: ``first_break`` is the first :class:`Break`, or
    ``None`` when every record holds."""
    expected_previous = GENESIS
    count = 0
    for position, (key, content, previous_hash, stored_hash) in enumerate(records, start=1):
        count = position
        if previous_hash != expected_previous:
            return Break(position, key, "link"), count
        if link(content, previous_hash) != stored_hash:
            return Break(position, key, "content"), count
        expected_previous = stored_hash
    return None, count
