"""Backups of a whole installation, and their restore into an empty one.

A backup is a folder:

- ``manifest.json``: the format, when it was taken, the schema's migration revision, each table's
  row count, each stored file's key, size and SHA-256, and the audit chain's head;
- ``db/<table>.jsonl.gz``: every row of every table, one JSON object per line, values tagged by
  type so they come back exactly (times with their zone, bytes, decimals, enumerations);
- ``files/<key>``: the stored files (unless ``--no-files``, for S3 buckets that keep their own
  versions: the manifest then lets the restore check that every file is there).

It is logical (rows, not a database's own dump), so a backup taken on PostgreSQL restores on
PostgreSQL or SQLite of the same revision. Rows are read table by table in one repeatable-read
transaction on PostgreSQL, so the backup is one consistent moment even while people work.
Restoring needs an empty installation (migrated, no account, no audit entry): rows go back in
dependency order, the ids' sequences are moved past them, files are copied and checked against
their hashes, and the audit chain is verified before the restore reports success.
"""

import base64
import enum
import gzip
import hashlib
import json
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

from sqlalchemy import JSON, delete, func, insert, select, text

from residency.extensions import db

FORMAT = 1
BATCH = 1000
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup that cannot be taken or restored; the message says why, for people."""


# Values ------------------------------------------------------------------------------------

def _encode(value, column):
    if value is None:
        return None
    if isinstance(column.type, JSON):
        return {"$j": value}
    if isinstance(value, enum.Enum):
        return {"$e": value.name}
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, (bytes, memoryview)):
        return {"$b": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, Decimal):
        return {"$n": str(value)}
    return value


def _decode(value, column):
    if not isinstance(value, dict):
        return value
    (tag, raw), = value.items()
    if tag == "$j":
        return raw
    if tag == "$e":
        return column.type.enum_class[raw]
    if tag == "$dt":
        moment = datetime.fromisoformat(raw)
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    if tag == "$d":
        return date.fromisoformat(raw)
    if tag == "$b":
        return base64.b64decode(raw)
    if tag == "$n":
        return Decimal(raw)
    raise BackupError(f"unknown value tag {tag!r} in column {column.name}")


# Backup ------------------------------------------------------------------------------------

def _revision():
    return db.session.scalar(text("SELECT version_num FROM alembic_version"))


def backup(target, storage, include_files=True):
    """Write a backup of the database and ``storage`` into the folder ``target`` (created; it must
    not exist). Returns the manifest."""
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} exists already: choose a new folder")
    (target / "db").mkdir(parents=True)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
    manifest = {"format": FORMAT, "taken_at": datetime.now(timezone.utc).isoformat(), "revision": _revision(),
                "dialect": db.engine.dialect.name, "tables": {}, "files": [], "files_included": include_files}
    for table in db.metadata.sorted_tables:
        manifest["tables"][table.name] = _dump_table(table, target / "db" / f"{table.name}.jsonl.gz")
    manifest["audit_head"] = _audit_head()
    db.session.rollback()
    for key, size in storage.iter_keys():
        manifest["files"].append(_save_file(storage, key, size, target / "files" if include_files else None))
    (target / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    return manifest


def _dump_table(table, path):
    order = list(table.primary_key.columns) or list(table.columns)
    count = 0
    with gzip.open(path, "wt", encoding="utf-8") as out:
        result = db.session.execute(select(table).order_by(*order).execution_options(yield_per=BATCH))
        for row in result:
            out.write(json.dumps({column.name: _encode(row._mapping[column], column) for column in table.columns},
                                 ensure_ascii=False, separators=(",", ":")))
            out.write("\n")
            count += 1
    return count


def _audit_head():
    row = db.session.execute(text("SELECT seq, hash FROM audit_chain_head WHERE id = 1")).one_or_none()
    return {"seq": row.seq, "hash": row.hash} if row else None


def _save_file(storage, key, size, folder):
    digest = hashlib.sha256()
    out = None
    if folder is not None:
        path = folder / key
        path.parent.mkdir(parents=True, exist_ok=True)
        out = path.open("wb")
    try:
        with storage.open(key) as stream:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                if out is not None:
                    out.write(chunk)
    finally:
        if out is not None:
            out.close()
    return {"key": key, "size": size, "sha256": digest.hexdigest()}


# Restore -----------------------------------------------------------------------------------

def restore(source, storage):
    """Restore the backup in the folder ``source`` into this (empty) installation and ``storage``.

    Returns ``{"rows": n, "files": n}``. Refuses, changing nothing, a backup of another format or
    schema revision, or an installation that already holds accounts or audit entries."""
    source = Path(source)
    manifest = _read_manifest(source)
    if manifest["revision"] != _revision():
        raise BackupError(f"the backup is of schema revision {manifest['revision']}, this installation is at "
                          f"{_revision()}: migrate it to the backup's revision first")
    for name in ("users", "audit_entries"):
        if db.session.scalar(text(f"SELECT COUNT(*) FROM {name}")):  # noqa: S608 (fixed names)
            raise BackupError("this installation is not empty (it has accounts or audit entries): "
                              "restore into a freshly migrated one")
    tables = db.metadata.sorted_tables
    missing = set(manifest["tables"]) - {table.name for table in tables}
    if missing:
        raise BackupError(f"the backup has tables this installation does not know: {', '.join(sorted(missing))}")
    for table in reversed(tables):  # seeded rows (the cities, the chain's head) make way
        db.session.execute(delete(table))
    rows = 0
    for table in tables:
        if table.name in manifest["tables"]:
            rows += _load_table(table, source / "db" / f"{table.name}.jsonl.gz", manifest["tables"][table.name])
    _move_sequences(tables)
    db.session.flush()
    from residency.audit.operations import verify_log

    broken, _count = verify_log()
    if broken is not None:
        raise BackupError(f"the restored audit chain does not verify (entry {broken.key}): nothing was kept")
    files = _restore_files(source, storage, manifest)
    db.session.commit()
    return {"rows": rows, "files": files}


def _read_manifest(source):
    try:
        manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source} holds no readable manifest.json: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')!r} is not {FORMAT}")
    return manifest


def _load_table(table, path, expected):
    columns = {column.name: column for column in table.columns}
    count, batch = 0, []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            batch.append({name: _decode(value, columns[name]) for name, value in row.items()})
            if len(batch) >= BATCH:
                db.session.execute(insert(table), batch)
                count, batch = count + len(batch), []
    if batch:
        db.session.execute(insert(table), batch)
        count += len(batch)
    if count != expected:
        raise BackupError(f"{table.name}: {count} rows in the file, the manifest says {expected}")
    return count


def _move_sequences(tables):
    """PostgreSQL: each integer id's sequence continues after the restored rows."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not keys[0].autoincrement or keys[0].type.python_type is not int:
            continue
        sequence = db.session.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                     {"t": table.name, "c": keys[0].name})
        if sequence:
            highest = db.session.scalar(select(func.max(keys[0])))
            db.session.execute(text("SELECT setval(:s, :v, :called)"),
                               {"s": sequence, "v": highest or 1, "called": highest is not None})


def _restore_files(source, storage, manifest):
    """Check every file of the backup against its hash (or, without files, that the storage holds
    it), then copy them: a damaged backup is refused before anything is written."""
    for item in manifest["files"]:
        key = item["key"]
        if manifest["files_included"]:
            digest = hashlib.sha256()
            with (source / "files" / key).open("rb") as handle:
                while chunk := handle.read(CHUNK):
                    digest.update(chunk)
            if digest.hexdigest() != item["sha256"]:
                raise BackupError(f"file {key} in the backup does not match its hash")
        elif not storage.exists(key) or storage.size(key) != item["size"]:
            raise BackupError(f"file {key} is missing from the storage (or has another size)")
    if manifest["files_included"]:
        for item in manifest["files"]:
            storage.put_file(item["key"], source / "files" / item["key"])
    return len(manifest["files"])
