"""Health of the three parts the platform cannot work without: database, broker, storage."""

import logging

from sqlalchemy import text

from residency.extensions import celery, db
from residency.storage import get_storage

log = logging.getLogger(__name__)


def check_database():
    db.session.execute(text("SELECT 1"))


def check_broker():
    with celery.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, timeout=3)


def check_storage():
    get_storage().check()


CHECKS = {"database": check_database, "broker": check_broker, "storage": check_storage}


def health():
    """Return ({part: "ok" | "error: <reason>"}, all_ok)."""
    report = {}
    for part, check in CHECKS.items():
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
