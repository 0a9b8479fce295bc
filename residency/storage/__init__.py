"""File storage with one interface and two backends chosen by configuration.

- :class:`LocalStorage`: files under ``<data dir>/storage`` (the embedded default);
- :class:`S3Storage`: any S3-compatible server through boto3 (AWS, MinIO), when ``S3_BUCKET`` is set.

Keys are ``/``-separated relative paths (``works/12/original/<sha256>.mp4``). Feature code asks
:func:`get_storage` and never knows which backend it has.
"""

from flask import current_app

from residency.storage.base import MultipartError, Part, StorageError
from residency.storage.local import LocalStorage
from residency.storage.s3 import S3Storage

__all__ = [
    "LocalStorage", "MultipartError", "Part", "S3Storage", "StorageError", "csp_origins", "get_storage", "init_app",
    "storage_for_config",
]


def storage_for_config(config):
    if config.get("S3_BUCKET"):
        return S3Storage(
            bucket=config["S3_BUCKET"],
            endpoint_url=config.get("S3_ENDPOINT_URL"),
            region=config.get("S3_REGION"),
            access_key_id=config.get("S3_ACCESS_KEY_ID"),
            secret_access_key=config.get("S3_SECRET_ACCESS_KEY"),
            scratch_dir=config.get("SCRATCH_DIR"),
            public_endpoint_url=config.get("S3_PUBLIC_ENDPOINT_URL"),
        )
    return LocalStorage(config["STORAGE_DIR"])


def browser_origin(config):
    """The origin browsers talk to for files (S3 presigned URLs), or None when it is the site itself."""
    if not config.get("S3_BUCKET"):
        return None
    from urllib.parse import urlsplit

    url = config.get("S3_PUBLIC_ENDPOINT_URL") or f"https://s3.{config.get('S3_REGION') or 'us-east-1'}.amazonaws.com"
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def csp_origins(config):
    """The origins the pages' Content-Security-Policy must allow for files: the bucket's, with S3."""
    origin = browser_origin(config)
    return [origin] if origin else []


def init_app(app):
    """The file store's health check, and the bucket's origin in the pages' CSP."""
    from residency.core.hooks import provide

    provide(app, "health", ("storage", lambda: get_storage().check()))
    for origin in csp_origins(app.config):
        provide(app, "csp_origins", origin)


def get_storage():
    """The application's storage backend (made once per application)."""
    storage = current_app.extensions.get("storage")
    if storage is None:
        storage = current_app.extensions["storage"] = storage_for_config(current_app.config)
    return storage
