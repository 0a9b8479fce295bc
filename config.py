"""Configuration read from the environment.

The embedded default needs no variable at all: SQLite in the data folder, files under
``<data dir>/storage``, Celery on kombu's filesystem transport, e-mail written to
``<data dir>/outbox``. Setting ``DATABASE_URL``, ``REDIS_URL`` and ``S3_*`` switches to the real
services without any change in feature code.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _env(name, default=None):
    """The variable's value, or ``default`` when it is unset or empty (``X=`` in compose files)."""
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _secret_key(data_dir: Path) -> str:
    """Return ``SECRET_KEY`` from the environment, or one generated once and kept in the data folder."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _database_url(data_dir: Path) -> str:
    url = _env("DATABASE_URL", "")
    if url.startswith("postgres://"):  # Heroku-style URLs
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url or f"sqlite:///{data_dir / 'residency.sqlite3'}"


class Config:
    """Settings for a real deployment or ``make run``. Every value comes from the environment."""

    TESTING = False

    def __init__(self):
        data_dir = Path(_env("RESIDENCY_DATA_DIR") or BASE_DIR / "instance").resolve()
        self.DATA_DIR = str(data_dir)
        self.SECRET_KEY = _secret_key(data_dir)
        self.SQLALCHEMY_DATABASE_URI = _database_url(data_dir)
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        if self.SQLALCHEMY_DATABASE_URI.startswith("postgresql") and not _bool("DATABASE_PREPARED_STATEMENTS", True):
            # Behind PgBouncer in transaction mode (before 1.22) a statement prepared on one
            # server connection is missing on the next: let psycopg never prepare.
            self.SQLALCHEMY_ENGINE_OPTIONS["connect_args"] = {"prepare_threshold": None}
        self.REDIS_URL = _env("REDIS_URL")

        # Public address used in e-mails and absolute links.
        self.BASE_URL = _env("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
        self.HTTPS = _bool("HTTPS", self.BASE_URL.startswith("https://"))
        self.TRUST_PROXY = _int("TRUST_PROXY", 0)

        # Sessions and cookies.
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = self.HTTPS
        self.SESSION_COOKIE_NAME = "residency_session"
        self.PERMANENT_SESSION_LIFETIME = timedelta(days=_int("SESSION_DAYS", 14))
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SECURE = self.HTTPS
        self.REMEMBER_COOKIE_SAMESITE = "Lax"

        # Request size: uploads of works go through the resumable uploader, never a single body.
        self.MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 16 * 1024 * 1024)
        self.MAX_FORM_MEMORY_SIZE = 1024 * 1024

        # Celery: Redis when configured, otherwise kombu's filesystem transport and SQLite results.
        broker_dir = data_dir / "broker"
        if self.REDIS_URL:
            broker_url = self.REDIS_URL
            result_backend = self.REDIS_URL
            transport_options = {"visibility_timeout": _int("CELERY_VISIBILITY_TIMEOUT", 8 * 3600)}
        else:
            broker_url = "filesystem://"
            result_backend = f"db+sqlite:///{data_dir / 'celery-results.sqlite3'}"
            transport_options = {
                "data_folder_in": str(broker_dir / "messages"),
                "data_folder_out": str(broker_dir / "messages"),
                "control_folder": str(broker_dir / "control"),
                "store_processed": False,
            }
        self.BROKER_DIR = str(broker_dir)
        self.CELERY = {
            "broker_url": _env("CELERY_BROKER_URL", broker_url),
            "result_backend": _env("CELERY_RESULT_BACKEND", result_backend),
            "broker_transport_options": transport_options,
            "broker_connection_retry_on_startup": True,
            "task_default_queue": "io",
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            "worker_prefetch_multiplier": 1,
            "task_ignore_result": True,
            "result_expires": 24 * 3600,
            "timezone": "UTC",
            "enable_utc": True,
            "task_serializer": "json",
            "accept_content": ["json"],
        }

        # Socket.IO: the Redis message queue when configured, else the same filesystem transport.
        # gevent: one greenlet per open socket (gunicorn -k gevent -w 1); see the README, "Live rooms".
        self.SOCKETIO_ASYNC_MODE = _env("SOCKETIO_ASYNC_MODE", "gevent")
        # Largest Engine.IO packet a client may send; files go over HTTP, never the socket.
        self.SOCKETIO_MAX_BUFFER_SIZE = _int("SOCKETIO_MAX_BUFFER_SIZE", 64 * 1024)
        self.SOCKETIO_MESSAGE_QUEUE = self.REDIS_URL or "filesystem://"
        self.SOCKETIO_QUEUE_OPTIONS = (
            {} if self.REDIS_URL else {"transport_options": dict(transport_options)}
        )
        self.SOCKETIO_CORS_ORIGINS = [
            origin.strip()
            for origin in _env("SOCKETIO_CORS_ORIGINS", self.BASE_URL).split(",")
            if origin.strip()
        ]

        # Rate limits (Flask-Limiter).
        self.RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        self.RATELIMIT_HEADERS_ENABLED = True
        # Login POSTs per client address. Failed passwords per account are slowed down by the
        # login throttle below, never refused by the limiter (that would lock the owner out).
        self.RATELIMIT_LOGIN = _env("RATELIMIT_LOGIN", "10 per minute;50 per hour")
        # Sign-in links asked for, per client address and per e-mail address (no mail bombing).
        self.RATELIMIT_LOGIN_LINK = _env("RATELIMIT_LOGIN_LINK", "5 per hour")
        self.RATELIMIT_REGISTER = _env("RATELIMIT_REGISTER", "5 per hour")
        self.RATELIMIT_RESET = _env("RATELIMIT_RESET", "5 per hour")
        self.RATELIMIT_APPLICANT_MESSAGES = _env("RATELIMIT_APPLICANT_MESSAGES", "30 per hour")
        # Downloads of one's data and attempts to delete one's account, per user (each asks for the password).
        self.RATELIMIT_DATA_RIGHTS = _env("RATELIMIT_DATA_RIGHTS", "5 per hour")

        # Storage: S3 when S3_BUCKET is set, otherwise files under the data folder.
        self.S3_BUCKET = _env("S3_BUCKET")
        self.S3_ENDPOINT_URL = _env("S3_ENDPOINT_URL")
        # The address browsers reach S3 at, for presigned URLs, when it differs from the one the
        # servers use (e.g. http://minio:9000 inside compose, https://files.example.org outside).
        self.S3_PUBLIC_ENDPOINT_URL = _env("S3_PUBLIC_ENDPOINT_URL") or self.S3_ENDPOINT_URL
        self.S3_REGION = _env("S3_REGION", "us-east-1")
        self.S3_ACCESS_KEY_ID = _env("S3_ACCESS_KEY_ID")
        self.S3_SECRET_ACCESS_KEY = _env("S3_SECRET_ACCESS_KEY")
        self.STORAGE_DIR = str(data_dir / "storage")
        # Where workers put temporary copies of files they process (S3 originals, outputs).
        self.SCRATCH_DIR = _env("SCRATCH_DIR") or str(data_dir / "scratch")

        # Media uploads and processing.
        self.MEDIA_MAX_FILE_SIZE = _int("MEDIA_MAX_FILE_SIZE", 50 * 1024**3)
        self.MEDIA_USER_QUOTA = _int("MEDIA_USER_QUOTA", 200 * 1024**3)
        self.MEDIA_FORM_UPLOAD_MAX = _int("MEDIA_FORM_UPLOAD_MAX", 200 * 1024**2)
        self.MEDIA_UPLOAD_EXPIRY_HOURS = _int("MEDIA_UPLOAD_EXPIRY_HOURS", 72)
        self.MEDIA_STALE_SECONDS = _int("MEDIA_STALE_SECONDS", 900)
        self.MEDIA_URL_SECONDS = _int("MEDIA_URL_SECONDS", 3600)
        self.MEDIA_REPLACED_GRACE_DAYS = _int("MEDIA_REPLACED_GRACE_DAYS", 7)

        # Retention of applications (a daily task purges what is past its period).
        # A draft never submitted and untouched this long is deleted, with its files.
        self.DRAFT_RETENTION_DAYS = _int("DRAFT_RETENTION_DAYS", 365)
        # Its owners are warned by e-mail this many days before (0: no warning).
        self.DRAFT_RETENTION_WARNING_DAYS = _int("DRAFT_RETENTION_WARNING_DAYS", 14)
        # A declined or withdrawn application loses its answers, files and profile this long after
        # its last change; its state (and the jury's records of it) stay.
        self.REJECTED_RETENTION_DAYS = _int("REJECTED_RETENTION_DAYS", 730)

        # Live rooms: size of a message, events per user, presence expiry (residency/rooms).
        self.ROOMS_MESSAGE_MAX_CHARS = _int("ROOMS_MESSAGE_MAX_CHARS", 4000)
        self.ROOMS_RATE_LIMIT = _env("ROOMS_RATE_LIMIT", "20 per 10 seconds;600 per hour")
        self.ROOMS_READ_RATE_LIMIT = _env("ROOMS_READ_RATE_LIMIT", "60 per 10 seconds")
        self.ROOMS_PRESENCE_SECONDS = _int("ROOMS_PRESENCE_SECONDS", 60)
        self.ROOMS_REPLAY_PAGE = _int("ROOMS_REPLAY_PAGE", 200)

        # Juries: how long an invitation to a panel can be accepted.
        self.JURY_INVITATION_DAYS = _int("JURY_INVITATION_DAYS", 14)

        # E-mail: SMTP when SMTP_HOST is set, otherwise .eml files in <data dir>/outbox.
        self.SMTP_HOST = _env("SMTP_HOST")
        self.SMTP_PORT = _int("SMTP_PORT", 587)
        self.SMTP_USERNAME = _env("SMTP_USERNAME")
        self.SMTP_PASSWORD = _env("SMTP_PASSWORD")
        self.SMTP_STARTTLS = _bool("SMTP_STARTTLS", False)
        self.SMTP_SSL = _bool("SMTP_SSL", False)
        self.SMTP_TIMEOUT = _int("SMTP_TIMEOUT", 30)
        self.MAIL_FROM = _env("MAIL_FROM", "City to City Residency <noreply@localhost>")
        self.MAIL_OUTBOX_DIR = str(data_dir / "outbox")

        # Accounts.
        self.EMAIL_TOKEN_HOURS = _int("EMAIL_TOKEN_HOURS", 48)
        self.RESET_TOKEN_MINUTES = _int("RESET_TOKEN_MINUTES", 60)
        self.LOGIN_LINK_MINUTES = _int("LOGIN_LINK_MINUTES", 15)

        # Login throttle (``residency/accounts/throttle.py``): after LOGIN_THROTTLE_FREE_ATTEMPTS
        # consecutive failed passwords for an e-mail address from browsers its account does not
        # know, every attempt there waits a delay that starts at LOGIN_THROTTLE_DELAY_SECONDS and
        # doubles at each further failure, up to LOGIN_THROTTLE_MAX_DELAY_SECONDS; failures older
        # than LOGIN_THROTTLE_WINDOW_HOURS are forgotten. A browser that logged in before keeps a
        # signed device cookie for LOGIN_DEVICE_DAYS and is counted on its own. The owner is told
        # by e-mail at most once every LOGIN_ALERT_MINUTES.
        self.LOGIN_THROTTLE_FREE_ATTEMPTS = _int("LOGIN_THROTTLE_FREE_ATTEMPTS", 5)
        self.LOGIN_THROTTLE_DELAY_SECONDS = _int("LOGIN_THROTTLE_DELAY_SECONDS", 10)
        self.LOGIN_THROTTLE_MAX_DELAY_SECONDS = _int("LOGIN_THROTTLE_MAX_DELAY_SECONDS", 3600)
        self.LOGIN_THROTTLE_WINDOW_HOURS = _int("LOGIN_THROTTLE_WINDOW_HOURS", 24)
        self.LOGIN_DEVICE_DAYS = _int("LOGIN_DEVICE_DAYS", 365)
        self.LOGIN_ALERT_MINUTES = _int("LOGIN_ALERT_MINUTES", 60)
        self.PASSWORD_MIN_LENGTH = 8
        self.PASSWORD_MAX_LENGTH = 256

        # Languages.
        self.LANGUAGES = ["en", "fr", "es", "pt"]
        self.BABEL_DEFAULT_LOCALE = "en"
        self.BABEL_DEFAULT_TIMEZONE = "UTC"
        self.BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "residency" / "translations")

        self.LOG_LEVEL = _env("LOG_LEVEL", "INFO")

        # The features to run: every one in residency.features.FEATURES, or this comma-separated
        # subset (a feature needs the ones listed before it that it builds on).
        features = _env("RESIDENCY_FEATURES")
        self.FEATURES = [name.strip() for name in features.split(",") if name.strip()] if features else None


class TestingConfig(Config):
    """Settings for the test suite: a throw-away data folder, CSRF on, real services when given."""

    TESTING = True

    def __init__(self, data_dir):
        os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
        previous = os.environ.get("RESIDENCY_DATA_DIR")
        os.environ["RESIDENCY_DATA_DIR"] = str(data_dir)
        try:
            super().__init__()
        finally:
            if previous is None:
                os.environ.pop("RESIDENCY_DATA_DIR", None)
            else:
                os.environ["RESIDENCY_DATA_DIR"] = previous
        self.SERVER_NAME = None
        self.BASE_URL = "http://localhost"
