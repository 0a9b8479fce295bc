"""Personal data, feature by feature: what a user gave the platform, to hand it back (GDPR
articles 15 and 20) or to erase it (article 17).

Each feature that keeps personal data provides a :class:`PersonalDataPart` to the
``personal_data`` hook from its own package. The accounts feature asks them all:

- :func:`export_all` gathers every part's JSON (under the part's ``name`` in ``data.json``) and
  the stored files each part names, for the archive the user downloads;
- :func:`erase_all` runs every part's ``erase`` from the top feature down, so that a feature
  still finds what the features below it hold (the applications part reads the user's assets
  before media deletes their files; notifications, near the bottom, still knows the address the
  account had). The account row itself is anonymised last, by the accounts feature.

A part's ``erase`` removes the user's personal data, or anonymises the records other people rely
on (a jury's decision, a festival's log, the audit chain), flushes, and never commits. It must be
idempotent: erasing an account erased before changes nothing.

:func:`referenced_elsewhere` is the generic test features use to tell "a record others rely on"
from one only the user needs: some row of another table points at it.
"""

from dataclasses import dataclass
from typing import Callable

from residency.core.hooks import providers
from residency.extensions import db

#: The name shown for a person whose account was deleted (stored; translated when displayed).
DELETED_NAME = "Deleted user"


@dataclass(frozen=True)
class PersonalDataPart:
    """One feature's share of a user's personal data.

    :param name: its key in ``data.json`` (a short, stable identifier).
    :param export: ``export(user) -> (data, files)``: ``data`` is JSON-able (a dict whose keys the
        feature documents in ``description``); ``files`` is a list of ``(storage key, path in the
        archive)``, paths relative, under ``files/<name>/`` by convention.
    :param erase: ``erase(user) -> None``: remove or anonymise; flush, never commit; idempotent.
    :param description: what the part holds (shown in ``data.json``'s ``parts``, for the reader).
    """

    name: str
    export: Callable
    erase: Callable
    description: str = ""


def parts(app=None):
    """The parts provided to the ``personal_data`` hook, bottom feature first."""
    return providers("personal_data", app)


def export_all(user):
    """``(data, files)`` for ``user``: ``data`` maps each part's name to its JSON, ``files`` lists
    ``(storage key, archive path)`` of every part, each archive path once."""
    data, files, seen = {}, [], set()
    for part in parts():
        part_data, part_files = part.export(user)
        data[part.name] = part_data
        for key, path in part_files:
            if key and path not in seen:
                seen.add(path)
                files.append((key, path))
    return data, files


def describe_parts():
    """``{part name: description}``, for the archive's reader."""
    return {part.name: str(part.description) for part in parts()}


def erase_all(user):
    """Run every part's ``erase`` for ``user``, from the top feature down. Flushes; never commits."""
    for part in reversed(parts()):
        part.erase(user)
        db.session.flush()


def referenced_elsewhere(table_name, ids, ignore=()):
    """Those of ``ids`` (primary keys of ``table_name``) that a row of another table points at
    through a foreign key, tables named in ``ignore`` (the owner's own child tables) excepted.

    Reads the metadata of every model loaded, so a feature built later is counted without the
    lower feature knowing it: a festival's download log keeps the work it points at.
    """
    ids = {int(value) for value in ids}
    if not ids:
        return set()
    found = set()
    for table in db.metadata.sorted_tables:
        if table.name == table_name or table.name in ignore:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name != table_name:
                continue
            column = fk.parent
            found |= set(db.session.execute(
                db.select(column).where(column.in_(ids - found)).distinct()
            ).scalars())
            if found == ids:
                return found
    return found
