"""Health of the parts the platform cannot work without: the database and the broker, and what
the features add through the ``health`` hook (the file store)."""

import logging

from sqlalchemy import text

from residency.core.hooks import providers
from residency.extensions import celery, db

log = logging.getLogger(__name__)


def check_database():
    db.session.execute(text("SELECT 1"))


def check_broker():
    with celery.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, timeout=3)


CHECKS = {"database": check_database, "broker": check_broker}


def checks():
    """Core's checks, then the features' ``(part, check)`` pairs."""
    return [*CHECKS.items(), *providers("health")]


def health():
    """Return ({part: "ok" | "error: <reason>"}, all_ok)."""
    report = {}
    for part, check in checks():
        try:
            check()
        except Exception as exc:  # any failure means the part is down; say which and why
            log.warning("health check %s failed: %s", part, type(exc).__name__)
            report[part] = f"error: {type(exc).__name__}"
            if part == "database":
                db.session.rollback()
        else:
            report[part] = "ok"
    return report, all(value == "ok" for value in report.values())
