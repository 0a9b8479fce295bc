"""SQL constructs that PostgreSQL and SQLite spell differently, written once for both."""

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import JSON

LIKE_ESCAPE = "\\"


class json_rows(FunctionElement):
    """Aggregate: a JSON array holding one array of the given columns per row.

    ``json_rows(a, b)`` is ``json_agg(json_build_array(a, b))`` on PostgreSQL and
    ``json_group_array(json_array(a, b))`` on SQLite. The order of the rows is unspecified
    (sort in Python), and over no row PostgreSQL gives NULL where SQLite gives ``[]``.
    """

    type = JSON()
    name = "json_rows"
    inherit_cache = True


@compiles(json_rows)  # PostgreSQL, and the default dialect of ``str(statement)``
def _json_rows_default(element, compiler, **kw):
    return f"json_agg(json_build_array({compiler.process(element.clauses, **kw)}))"


@compiles(json_rows, "sqlite")
def _json_rows_sqlite(element, compiler, **kw):
    return f"json_group_array(json_array({compiler.process(element.clauses, **kw)}))"


def contains_pattern(text):
    """A ``LIKE`` pattern matching ``text`` anywhere, its ``%``, ``_`` and escape character
    escaped with :data:`LIKE_ESCAPE` (pass ``escape=LIKE_ESCAPE`` to ``like``)."""
    escaped = text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")
    return f"%{escaped}%"
