"""Database wiring: binds SQLAlchemy, tunes SQLite for the embedded default, and ends read-only
requests with a COMMIT so that PostgreSQL keeps their prepared statements."""

import logging
import re

from flask import request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool

from residency.core.jobs import has_pending_jobs
from residency.extensions import db

log = logging.getLogger(__name__)

#: ``Connection.info`` key: the connection's transaction ran something other than a query.
WROTE = "residency_wrote"
#: ``Session.info`` key: the connections its current transaction began on.
CONNECTIONS = "residency_connections"
_READ = re.compile(r"\s*(?:SELECT|SHOW)\b", re.IGNORECASE)
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def init_app(app):
    db.init_app(app)
    # A request teardown runs before Flask-SQLAlchemy's (an application context teardown).
    app.teardown_request(_end_read_only_transaction)


def _end_read_only_transaction(exc):
    """Commit, rather than roll back, the transaction of a GET that only read.

    For a transaction that wrote nothing both end it the same way, but psycopg forgets every
    prepared statement of the connection at a ROLLBACK (it cannot know what was undone), and
    Flask-SQLAlchemy rolls back at the end of every request: the statements a page runs each
    time would then never be prepared, and PostgreSQL would plan them again at each request
    (about a millisecond for the coordinators' list). A request that is not a safe method, that
    holds unflushed changes or jobs to queue, or whose transaction ran anything but ``SELECT``
    is left to the usual rollback, as is one whose error reached the teardown. (An error page,
    even a 500, still commits a transaction that only read: there is nothing to undo.)
    """
    if exc is not None or request.method not in _SAFE_METHODS or not db.session.registry.has():
        return
    session = db.session()
    if not session.in_transaction():
        return
    if session.new or session.dirty or session.deleted or has_pending_jobs(session):
        return
    if any(connection.info.get(WROTE) for connection in session.info.get(CONNECTIONS, ())):
        return
    try:
        session.commit()
    except Exception:  # noqa: BLE001 - the response is sent; the rollback that follows cleans up
        log.warning("could not end a read-only transaction with COMMIT", exc_info=True)


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(conn, cursor, statement, parameters, context, executemany):
    if not _READ.match(statement):
        conn.info[WROTE] = True


@event.listens_for(Session, "after_begin")
def _began(session, transaction, connection):
    session.info[CONNECTIONS] = (*session.info.get(CONNECTIONS, ()), connection)


@event.listens_for(Session, "after_transaction_end")
def _session_transaction_ended(session, transaction):
    if transaction.parent is None:
        session.info.pop(CONNECTIONS, None)


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _transaction_ended(conn):
    conn.info.pop(WROTE, None)


@event.listens_for(Pool, "checkin")
def _checked_in(dbapi_connection, connection_record):
    connection_record.info.pop(WROTE, None)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """WAL lets the web process read while a worker writes; foreign keys are off by default."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
