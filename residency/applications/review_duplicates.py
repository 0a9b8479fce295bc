"""Possible duplicates among a call's listed applications, flagged for the coordinators.

Duplicates are looked for inside one call: the same owner with several listed applications, or
the same file (same SHA-256) in the last submitted versions of several of its applications (the
``application_files`` rows copied at submission, see :mod:`residency.applications.listing`). For a
page of the list this is one indexed query whatever the size of the call, and the "duplicates
only" filter is an SQL condition (two ``EXISTS``), so it pages like any other.

Nothing here reads ``request`` or writes.
"""

from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import Integer, and_, bindparam, or_, select
from sqlalchemy.orm import aliased

from residency.accounts.models import User
from residency.applications.listing import listed
from residency.applications.models import Application, ApplicationFile
from residency.core.sql import json_rows
from residency.extensions import db


@dataclass
class DuplicateLink:
    """Another application of the call that looks like a duplicate of this one."""

    application_id: int
    name: str
    same_artist: bool = False
    files: list = field(default_factory=list)  # names of the files found in both


def duplicate_columns(call_id):
    """Two correlated subqueries over the enclosing query's ``Application`` row: JSON arrays of
    ``[other id, other owner's name]`` for the call's other listed applications of the same owner
    (``ix_applications_owner_id``), and of ``[other id, other owner's name, file name there]`` for
    those whose last submitted version holds a file with the same SHA-256
    (``ix_application_files_call_sha256``). :func:`duplicate_links` reads them."""
    other, other_owner = aliased(Application), aliased(User)
    same_artist = (
        select(json_rows(other.id, other_owner.display_name))
        .join(other_owner, other_owner.id == other.owner_id)
        .where(other.owner_id == Application.owner_id, other.id != Application.id, listed(call_id, other))
        .scalar_subquery().label("same_artist")
    )
    holder, holder_owner = aliased(Application), aliased(User)
    mine_file, other_file = aliased(ApplicationFile), aliased(ApplicationFile)
    same_file = (
        select(json_rows(holder.id, holder_owner.display_name, other_file.filename))
        .select_from(mine_file)
        .join(other_file, and_(other_file.call_id == call_id, other_file.sha256 == mine_file.sha256,
                               other_file.application_id != mine_file.application_id))
        .join(holder, holder.id == other_file.application_id)
        .join(holder_owner, holder_owner.id == holder.owner_id)
        .where(mine_file.application_id == Application.id, mine_file.call_id == call_id, mine_file.sha256 != "",
               listed(call_id, holder))
        .scalar_subquery().label("same_file")
    )
    return same_artist, same_file


def duplicate_links(same_artist, same_file):
    """``[DuplicateLink]`` by other application id, from the two columns of :func:`duplicate_columns`."""
    links = {}
    for other_id, name in same_artist or ():
        links.setdefault(other_id, DuplicateLink(other_id, name)).same_artist = True
    for other_id, name, filename in same_file or ():
        files = links.setdefault(other_id, DuplicateLink(other_id, name)).files
        if filename not in files:
            files.append(filename)
    for link in links.values():
        link.files.sort()
    return [links[key] for key in sorted(links)]


@lru_cache(maxsize=1)
def _duplicates_statement():
    call_id = bindparam("call_id", type_=Integer)
    return select(Application.id, *duplicate_columns(call_id)).where(
        Application.id.in_(bindparam("ids", expanding=True)), Application.call_id == call_id)


def duplicates_of(call, application_ids):
    """``{application id: [DuplicateLink]}`` for the given applications of ``call`` (one query)."""
    ids = sorted(set(application_ids))
    if not ids:
        return {}
    rows = db.session.execute(_duplicates_statement(), {"call_id": call.id, "ids": ids}).all()
    found = {row.id: duplicate_links(row.same_artist, row.same_file) for row in rows}
    return {key: links for key, links in found.items() if links}


def possible_duplicate(call_id):
    """SQL condition: the listed application shares its artist or a submitted file (same SHA-256)
    with another listed application of the call (the "duplicates only" filter)."""
    other, holder = aliased(Application), aliased(Application)
    mine_file, other_file = aliased(ApplicationFile), aliased(ApplicationFile)
    same_artist = (select(other.id)
                   .where(other.owner_id == Application.owner_id, other.id != Application.id, listed(call_id, other))
                   .exists())
    same_file = (select(other_file.application_id)
                 .join(mine_file, and_(mine_file.call_id == other_file.call_id, mine_file.sha256 == other_file.sha256))
                 .join(holder, holder.id == other_file.application_id)
                 .where(mine_file.application_id == Application.id, other_file.call_id == call_id,
                        other_file.application_id != Application.id, mine_file.sha256 != "", listed(call_id, holder))
                 .exists())
    return or_(same_artist, same_file)
