"""Coordinators' view of a call's applications: queries and operations.

The list, its flags and its exports read only the *frozen* last submitted version of each
application (``ApplicationVersion`` whose ``number`` is ``current_version``); the live draft is
never shown. An application is listed once it has been submitted at least once
(``current_version > 0``), as the ``application.view`` rule says, and never while in the draft
state.

The list reads no frozen JSON: the residence and the files of the last submitted version are
copied into columns when it is frozen (:mod:`residency.applications.listing`). Exports and the
application page read the version's ``snapshot`` itself.

Duplicates are looked for inside one call: the same owner with several listed applications, or
the same file (same SHA-256) in the last submitted versions of several of its applications. For a
page of the list this is one indexed query whatever the size of the call, and the "duplicates
only" filter is an SQL condition (two ``EXISTS``), so it pages like any other.

Nothing here reads ``request`` or commits: the view commits once.
"""

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache
from math import ceil

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, and_, bindparam, func, literal_column, or_, select, true
from sqlalchemy.orm import aliased, joinedload, selectinload

from residency.accounts.models import User
from residency.applications.models import (
    Application,
    ApplicationFile,
    ApplicationMember,
    ApplicationState,
    ApplicationVersion,
)
from residency.audit.operations import record
from residency.cities.models import City
from residency.core.errors import ActionRefused
from residency.core.sql import LIKE_ESCAPE, contains_pattern, json_rows
from residency.core.types import utcnow
from residency.extensions import db

log = logging.getLogger(__name__)

PAGE_SIZE = 50
NOTE_MAX_LENGTH = 1000
SUBJECT_MAX_LENGTH = 200
BODY_MAX_LENGTH = 10_000
#: Messages to every applicant of one call in 24 hours: each reaches hundreds of inboxes.
BROADCASTS_PER_DAY = 5
#: The same message to the same people again within this time is a double click, not a message.
REPEAT_WINDOW = timedelta(minutes=10)

STATE_LABELS = {
    ApplicationState.SUBMITTED: _l("Submitted"),
    ApplicationState.WITHDRAWN: _l("Withdrawn"),
    ApplicationState.SHORTLISTED: _l("Shortlisted"),
    ApplicationState.SELECTED: _l("Selected"),
    ApplicationState.WAITLISTED: _l("Waitlisted"),
    ApplicationState.DECLINED: _l("Declined"),
}
ELIGIBILITY_LABELS = {"yes": _l("Eligible"), "no": _l("Not eligible"), "unknown": _l("Not checked yet")}
SORT_LABELS = {
    "-submitted": _l("submission time, newest first"),
    "submitted": _l("submission time, oldest first"),
    "name": _l("name, A to Z"),
    "-name": _l("name, Z to A"),
}
DEFAULT_SORT = "-submitted"


def eligibility_key(value):
    """``True``/``False``/``None`` → ``"yes"``/``"no"``/``"unknown"``."""
    return "unknown" if value is None else ("yes" if value else "no")


def listed(call_id, table=Application):
    """The applications of the call that coordinators see: submitted at least once, not a draft.

    Written as ``ix_applications_listed``'s predicate, so that PostgreSQL counts and pages them
    from that index alone. The constants are written into the SQL, not bound: a prepared
    statement's generic plan can only use a partial index whose predicate its text proves.
    """
    return and_(table.call_id == call_id, table.current_version > literal_column("0"),
                table.state != literal_column(f"'{ApplicationState.DRAFT}'"))


def current_version_join():
    return and_(
        ApplicationVersion.application_id == Application.id,
        ApplicationVersion.number == Application.current_version,
    )


def city_names():
    """``{id: name}`` of the network's cities, by name (one small query)."""
    return dict(db.session.execute(select(City.id, City.name).order_by(City.name)).all())


def _by_name(pairs):
    """``[[id, name], …]`` → ``{id: name}`` in name order, as :func:`city_names` gives."""
    return dict(sorted(((city_id, name) for city_id, name in pairs or ()), key=lambda pair: (pair[1], pair[0])))


# --- filters ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    """What the coordinator asked the list for. Unknown values are ignored, never an error."""

    state: str = ""
    eligible: str = ""
    duplicates: bool = False
    q: str = ""
    city: int = 0
    country: str = ""
    sort: str = DEFAULT_SORT
    page: int = 1

    @classmethod
    def from_mapping(cls, args):
        """Build from a mapping of strings (a query string), dropping what does not parse."""
        state = args.get("state", "")
        eligible = args.get("eligible", "")
        sort = args.get("sort", DEFAULT_SORT)
        country = (args.get("country") or "").strip().upper()
        return cls(
            state=state if state in STATE_LABELS else "",
            eligible=eligible if eligible in ELIGIBILITY_LABELS else "",
            duplicates=args.get("duplicates") in ("1", "y", "yes", "on", "true"),
            q=(args.get("q") or "").strip()[:200],
            city=_positive_int(args.get("city"), 0),
            country=country if len(country) == 2 and country.isalpha() else "",
            sort=sort if sort in SORT_LABELS else DEFAULT_SORT,
            page=_positive_int(args.get("page"), 1),
        )

    def as_args(self, **changes):
        """The non-default filters as query-string arguments (for links), with ``changes`` applied."""
        values = {
            "state": self.state, "eligible": self.eligible, "duplicates": "1" if self.duplicates else "",
            "q": self.q, "city": self.city or "", "country": self.country,
            "sort": self.sort if self.sort != DEFAULT_SORT else "", "page": self.page if self.page > 1 else "",
        }
        values.update(changes)
        return {key: value for key, value in values.items() if value not in ("", None)}

    @property
    def active(self):
        return bool(self.state or self.eligible or self.duplicates or self.q or self.city or self.country)


def _positive_int(value, default):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if number > 0 else default


# --- counts --------------------------------------------------------------------------------------

@dataclass
class Counts:
    total: int = 0
    by_state: dict = field(default_factory=dict)
    by_eligibility: dict = field(default_factory=lambda: {"yes": 0, "no": 0, "unknown": 0})


_ELIGIBLE = {"yes": Application.eligible.is_(True), "no": Application.eligible.is_(False),
             "unknown": Application.eligible.is_(None)}


def _count_columns():
    """The call's counts as the columns of one aggregate row (``count(*) FILTER (WHERE …)``)."""
    columns = [func.count().label("n_total")]
    columns += [func.count().filter(Application.state == state).label(f"n_state_{state}") for state in STATE_LABELS]
    columns += [func.count().filter(condition).label(f"n_eligible_{key}") for key, condition in _ELIGIBLE.items()]
    return columns


def _counts_from(row):
    mapping = row._mapping
    return Counts(
        total=mapping["n_total"] or 0,
        by_state={state: mapping[f"n_state_{state}"] or 0 for state in STATE_LABELS},
        by_eligibility={key: mapping[f"n_eligible_{key}"] or 0 for key in _ELIGIBLE},
    )


# --- duplicates ----------------------------------------------------------------------------------

@dataclass
class DuplicateLink:
    """Another application of the call that looks like a duplicate of this one."""

    application_id: int
    name: str
    same_artist: bool = False
    files: list = field(default_factory=list)  # names of the files found in both


def _duplicate_columns(call_id):
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
    """``[DuplicateLink]`` by other application id, from the two columns of :func:`_duplicate_columns`."""
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
    return select(Application.id, *_duplicate_columns(call_id)).where(
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


# --- the list ------------------------------------------------------------------------------------

@dataclass
class Row:
    """One line of the list: the columns it shows, no ORM object (nothing left to load lazily)."""

    id: int
    owner_id: int
    name: str
    email: str
    state: str
    eligible: object
    last_note: str
    submitted_at: object
    version: int
    city_id: object
    country: str
    duplicates: list


@dataclass
class Page:
    """A page of rows, with the names ``templates/admin/_pager.html`` expects."""

    items: list
    total: int
    page: int
    per_page: int
    counts: Counts = None
    cities: dict = field(default_factory=dict)  # {id: name} of the network's cities, by name

    @property
    def pages(self):
        return max(1, ceil(self.total / self.per_page)) if self.per_page else 1

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages

    @property
    def prev_num(self):
        return self.page - 1

    @property
    def next_num(self):
        return self.page + 1


def _ordering(sort, table=Application, name=None):
    """ORDER BY of ``sort`` over ``table``'s columns; ``name`` is the owner's name column."""
    name = func.lower(User.display_name if name is None else name)
    return {
        "-submitted": (table.submitted_at.desc(), table.id.desc()),
        "submitted": (table.submitted_at.asc(), table.id.asc()),
        "name": (name.asc(), table.id.asc()),
        "-name": (name.desc(), table.id.desc()),
    }[sort]


def _filter_conditions(filters, call_id):
    """The WHERE conditions of ``filters`` over ``Application`` (and ``User``, its owner, when
    searching), each value a named bound parameter that :func:`_filter_values` fills."""
    conditions = []
    if filters.state:
        conditions.append(Application.state == bindparam("f_state"))
    if filters.eligible:
        conditions.append(_ELIGIBLE[filters.eligible])
    if filters.duplicates:
        conditions.append(possible_duplicate(call_id))
    if filters.q:
        needle = bindparam("f_q")
        conditions.append(func.lower(User.display_name).like(needle, escape=LIKE_ESCAPE)
                          | func.lower(User.email).like(needle, escape=LIKE_ESCAPE))
    if filters.city:
        conditions.append(Application.residence_city_id == bindparam("f_city"))
    if filters.country:
        conditions.append(Application.residence_country == bindparam("f_country"))
    return conditions


def _filter_values(filters):
    values = {"f_state": filters.state, "f_q": contains_pattern(filters.q.lower()) if filters.q else "",
              "f_city": filters.city, "f_country": filters.country}
    return {key: value for key, value in values.items() if value}


def _shape(filters):
    """``filters`` with its values replaced by placeholders: what the SQL text depends on."""
    return replace(filters, state="x" if filters.state else "", q="x" if filters.q else "", city=1 if filters.city else 0,
                   country="XX" if filters.country else "", page=1)


def filtered(query, filters, call_id):
    """``query`` (over the listed applications of call ``call_id``, joined to their owner when
    ``filters.q`` is set) narrowed by ``filters``."""
    return query.where(*_filter_conditions(filters, call_id)).params(_filter_values(filters))


@lru_cache(maxsize=256)
def _list_statement(shape):
    """The list's one statement for a filter shape (see :func:`_shape`), built once per process;
    the call, the filter values and the page are bound at each execution. The same text each
    time also lets psycopg prepare it on the server (no planning after the fifth run)."""
    call_id = bindparam("call_id", type_=Integer)
    ids = select(Application.id, func.count().over().label("total")).where(
        listed(call_id), *_filter_conditions(shape, call_id))
    if shape.q or shape.sort in ("name", "-name"):
        ids = ids.join(User, User.id == Application.owner_id)
    ids = (ids.order_by(*_ordering(shape.sort))
           .limit(bindparam("limit", type_=Integer)).offset(bindparam("offset", type_=Integer)).subquery("ids"))
    shown = (
        select(Application.id, Application.owner_id, Application.state, Application.eligible,
               Application.eligibility_notes, Application.submitted_at, Application.current_version,
               Application.residence_city_id, Application.residence_country,
               User.display_name, User.email, ids.c.total, *_duplicate_columns(call_id))
        .join(ids, ids.c.id == Application.id)
        .join(User, User.id == Application.owner_id)
    ).subquery("shown")
    # The network's cities (the filter's choices) ride along on the counts row: one query less.
    cities = select(json_rows(City.id, City.name)).scalar_subquery().label("city_names")
    counts = select(*_count_columns(), cities).where(listed(call_id)).subquery("counts")
    return (select(counts, shown).select_from(counts).outerjoin(shown, true())
            .order_by(*_ordering(shape.sort, shown.c, shown.c.display_name)))


def list_applications(call, filters, per_page=PAGE_SIZE):
    """One page of the call's listed applications, filtered and sorted, with the call's counts
    and the rows' duplicate flags.

    One query whatever the page size or the filters: the counts (one aggregate row, which also
    carries the network's city names for the filter) left-joined to the page's rows, each with its owner, the number of matches (a window count) and its
    duplicates (two correlated JSON aggregates, see :func:`_duplicate_columns`), in plain
    columns: no ORM object, no frozen JSON. Counting and paging read ``ix_applications_listed``
    alone (and the owners when searching or sorting by name); only the page's rows are read
    from the table.
    """
    page = filters.page
    result = db.session.execute(
        _list_statement(_shape(filters)),
        {"call_id": call.id, "limit": per_page, "offset": (page - 1) * per_page, **_filter_values(filters)},
    ).all()
    rows = [row for row in result if row.id is not None]
    if not rows and page > 1:  # past the last page (a stale link): show the first one
        return list_applications(call, replace(filters, page=1), per_page)
    items = [
        Row(id=row.id, owner_id=row.owner_id, name=row.display_name, email=row.email, state=row.state,
            eligible=row.eligible, last_note=_last_note(row.eligibility_notes), submitted_at=row.submitted_at,
            version=row.current_version, city_id=row.residence_city_id, country=row.residence_country or "",
            duplicates=duplicate_links(row.same_artist, row.same_file))
        for row in rows
    ]
    return Page(items=items, total=rows[0].total if rows else 0, page=page, per_page=per_page,
                counts=_counts_from(result[0]), cities=_by_name(result[0].city_names))


def _last_note(notes):
    last = notes[-1] if notes else None
    if isinstance(last, dict):
        return str(last.get("note") or "")
    return str(last or "")


def get_listed_application(call, application_id):
    """The call's application ``application_id`` with its owner, members and frozen version.

    :return: ``(application, version)``, or ``(None, None)`` when it is not listed (another
        call's, or a draft).
    """
    application = db.session.execute(
        select(Application)
        .where(Application.id == application_id, listed(call.id))
        .options(joinedload(Application.owner), selectinload(Application.members).joinedload(ApplicationMember.user))
    ).unique().scalar_one_or_none()
    if application is None:
        return None, None
    version = db.session.execute(
        select(ApplicationVersion).where(ApplicationVersion.application_id == application.id,
                                         ApplicationVersion.number == application.current_version)
    ).scalar_one_or_none()
    return application, version


# --- eligibility ---------------------------------------------------------------------------------

def set_eligibility(application, actor, eligible, note="", now=None):
    """Mark ``application`` eligible (True), not eligible (False) or not checked (None), with a note.

    The note is kept in ``eligibility_notes`` with who wrote it and when; an audit entry records
    the change.

    :raise ActionRefused 400: "not eligible" without a note, or a note over the length limit.
    :raise ActionRefused 409: the application was never submitted.
    """
    note = (note or "").strip()
    if application.current_version <= 0:
        raise ActionRefused(_l("This application has not been submitted."), status=409)
    if eligible is False and not note:
        raise ActionRefused(_l("Say why the application is not eligible."), field="note")
    if len(note) > NOTE_MAX_LENGTH:
        raise ActionRefused(_l("Keep the note under %(max)d characters.", max=NOTE_MAX_LENGTH), field="note")
    now = now or utcnow()
    previous = application.eligible
    application.eligible = eligible
    entry = {"at": now.isoformat(), "by": actor.id, "by_name": actor.display_name,
             "eligible": eligible, "note": note, "source": "coordinator"}
    # A new list, not an in-place append: a JSON column only notices assignment.
    application.eligibility_notes = [*(application.eligibility_notes or []), entry]
    application.updated_at = now
    db.session.flush()
    record("application.eligibility_set", actor=actor, obj=application, call_id=application.call_id,
           previous=eligibility_key(previous), eligible=eligibility_key(eligible), with_note=bool(note))
    return application


def eligibility_notes(application):
    """The notes as dicts ``{"at" (datetime or None), "by_name", "eligible", "note"}``, newest
    first; plain strings (written by an automatic check) become ``{"note": text}``."""
    notes = []
    for item in application.eligibility_notes or []:
        note = dict(item) if isinstance(item, dict) else {"note": str(item)}
        try:
            note["at"] = datetime.fromisoformat(note["at"]) if note.get("at") else None
        except (TypeError, ValueError):
            note["at"] = None
        notes.append(note)
    return list(reversed(notes))

