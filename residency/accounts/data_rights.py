"""A user's rights over their data (GDPR articles 15, 17 and 20): download it all, delete the
account. Every feature's share is a :class:`~residency.core.personal_data.PersonalDataPart`.

The archive is one ZIP streamed as it is written (zipstream-ng): ``data.json`` and, under
``files/``, the originals of the files the user uploaded. ``data.json`` holds:

- ``format`` (1), ``generated_at`` (UTC, ISO 8601), ``user_id``;
- ``parts``: each part's name and what it holds, in words;
- ``data``: each part's JSON under its name (``account``, ``email``, ``media``, ``applications``,
  ``jury``, …);
- ``files``: the path of each file in the archive and the part it belongs to.

Deleting an account (:func:`delete_account`) asks for the password and the account's e-mail
address typed again, refuses while the user is the last network admin, records
``account.deleted`` in the audit chain (whose entries keep pointing at the user's id), runs every
part's ``erase`` from the top feature down, and anonymises the ``users`` row last.
"""

import json
import logging
from contextlib import closing

from flask_babel import lazy_gettext as _l

from residency.accounts import passwords
from residency.accounts.models import Role, RoleGrant, ScopeType, User
from residency.accounts.personal_data import anonymise_user
from residency.audit.operations import record
from residency.core.errors import ActionRefused
from residency.core.personal_data import describe_parts, erase_all, export_all
from residency.core.types import utcnow
from residency.extensions import db
from residency.storage import get_storage

log = logging.getLogger(__name__)

ARCHIVE_FORMAT = 1
CHUNK = 1024 * 1024


def check_password(user, password, field="password"):
    """:raise ActionRefused: ``password`` is not the user's."""
    if not passwords.verify_password(user.password_hash, password or ""):
        raise ActionRefused(_l("Your password is not correct."), field=field)


def is_last_network_admin(user):
    """True when ``user`` is a network admin and no other active account is one."""
    holds = any(grant.role == Role.NETWORK_ADMIN and grant.scope_type == ScopeType.NETWORK for grant in user.grants)
    if not holds:
        return False
    others = db.session.scalar(
        db.select(db.func.count(RoleGrant.id)).join(User, User.id == RoleGrant.user_id).where(
            RoleGrant.role == str(Role.NETWORK_ADMIN), RoleGrant.scope_type == str(ScopeType.NETWORK),
            RoleGrant.user_id != user.id, User.is_active.is_(True),
        )
    )
    return not others


# Export -------------------------------------------------------------------------------------

def archive_contents(user):
    """``(data.json bytes, [(storage key, archive path)])`` of everything ``user`` gave."""
    data, files = export_all(user)
    document = {
        "format": ARCHIVE_FORMAT,
        "generated_at": utcnow().isoformat(),
        "user_id": user.id,
        "parts": describe_parts(),
        "data": data,
        "files": [{"path": path, "part": path.split("/")[1] if path.count("/") >= 2 else ""} for _key, path in files],
    }
    body = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True, default=str).encode("utf-8")
    return body, files


def record_export(user, files):
    record("account.data_exported", actor=user, obj=user, files=len(files))


def _chunks(storage, key):
    """The stored object's bytes, a chunk at a time (never whole in memory)."""
    with closing(storage.open(key)) as handle:
        while True:
            chunk = handle.read(CHUNK)
            if not chunk:
                return
            yield chunk


def stream_archive(body, files, storage=None):
    """A ZIP (ZIP64 when needed) of ``data.json`` and the files, produced as it is read.

    Entries are stored, not compressed (media files do not shrink, and the web process should
    not spend its CPU trying), so the archive's length is known in advance (``len(archive)``).
    A file missing from storage is listed in ``missing.txt`` instead of failing the download.
    """
    from zipstream import ZipStream

    storage = storage or get_storage()
    archive = ZipStream(sized=True)
    archive.add(body, "data.json")
    missing = []
    for key, path in files:
        if not storage.exists(key):
            missing.append(path)
            continue
        archive.add(_chunks(storage, key), path, size=storage.size(key))
    if missing:
        archive.add(("\n".join(missing) + "\n").encode(), "missing.txt")
    return archive


# Deletion -----------------------------------------------------------------------------------

def delete_account(user, password, confirmation):
    """Erase ``user``'s personal data everywhere and anonymise the account. Never commits.

    :raise ActionRefused: wrong password, the e-mail address not typed again, or the user is the
        last network admin.
    """
    check_password(user, password)
    if (confirmation or "").strip().lower() != (user.email or "").lower():
        raise ActionRefused(_l("Type your e-mail address exactly as shown to confirm."), field="confirmation")
    if is_last_network_admin(user):
        raise ActionRefused(_l("You are the last network admin: give the role to someone else before "
                               "deleting your account."))
    erase_account(user)


def erase_account(user):
    """The deletion itself, without the checks (the view's and the tests' entry point is
    :func:`delete_account`). Idempotent."""
    record("account.deleted", actor=user, obj=user)
    erase_all(user)
    anonymise_user(user)
    log.info("account %s deleted and anonymised", user.id)
