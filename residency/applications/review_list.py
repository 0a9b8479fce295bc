"""The coordinators' list of a call's applications: filters, counts, sorting, pages.

It lists the applications :func:`~residency.applications.listing.listed` says coordinators see,
as frozen at their last submission, and reads no frozen JSON: the residence and the files of the
last submitted version are copied into columns when it is frozen
(:mod:`residency.applications.listing`). Exports and the application page read the version's
``snapshot`` itself.

A page is one query, whatever the page size or the filters: the list's statement is built once
per filter shape and process (:func:`_list_statement`) and its values are bound at each
execution, so psycopg prepares it on the server; the duplicate flags ride along as correlated
subqueries (:mod:`residency.applications.review_duplicates`).

Nothing here reads ``request`` or writes.
"""

from dataclasses import dataclass, field, replace
from functools import lru_cache
from math import ceil

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, bindparam, func, select, true

from residency.accounts.models import User
from residency.applications.listing import listed
from residency.applications.models import Application, ApplicationState
from residency.applications.review_duplicates import duplicate_columns, duplicate_links, possible_duplicate
from residency.applications.review_eligibility import ELIGIBILITY_LABELS, last_note
from residency.cities.models import City
from residency.core.sql import LIKE_ESCAPE, contains_pattern, json_rows
from residency.extensions import db

PAGE_SIZE = 50

STATE_LABELS = {
    ApplicationState.SUBMITTED: _l("Submitted"),
    ApplicationState.WITHDRAWN: _l("Withdrawn"),
    ApplicationState.SHORTLISTED: _l("Shortlisted"),
    ApplicationState.SELECTED: _l("Selected"),
    ApplicationState.WAITLISTED: _l("Waitlisted"),
    ApplicationState.DECLINED: _l("Declined"),
}
SORT_LABELS = {
    "-submitted": _l("submission time, newest first"),
    "submitted": _l("submission time, oldest first"),
    "name": _l("name, A to Z"),
    "-name": _l("name, Z to A"),
}
DEFAULT_SORT = "-submitted"


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
               User.display_name, User.email, ids.c.total, *duplicate_columns(call_id))
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
    duplicates (two correlated JSON aggregates, see
    :func:`~residency.applications.review_duplicates.duplicate_columns`), in plain
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
            eligible=row.eligible, last_note=last_note(row.eligibility_notes), submitted_at=row.submitted_at,
            version=row.current_version, city_id=row.residence_city_id, country=row.residence_country or "",
            duplicates=duplicate_links(row.same_artist, row.same_file))
        for row in rows
    ]
    return Page(items=items, total=rows[0].total if rows else 0, page=page, per_page=per_page,
                counts=_counts_from(result[0]), cities=_by_name(result[0].city_names))
