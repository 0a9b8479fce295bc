"""Works, their media assets, the derivatives made from each asset, and resumable uploads."""

import uuid
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from residency.core.types import UTCDateTime, utcnow
from residency.extensions import db


class Work(db.Model):
    """An artwork: what festivals programme and the exhibition shows. Groups its media assets."""

    __tablename__ = "works"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    year: Mapped[Optional[int]]
    duration_seconds: Mapped[Optional[int]]
    medium: Mapped[str] = mapped_column(String(80), default="")
    credits: Mapped[str] = mapped_column(Text, default="")
    # {"en": "...", "fr": "..."}: the synopsis in each language the artist wrote it in.
    synopsis: Mapped[dict] = mapped_column(JSON, default=dict)
    main_language: Mapped[str] = mapped_column(String(10), default="en")
    technical_rider: Mapped[str] = mapped_column(Text, default="")
    rights_holder: Mapped[str] = mapped_column(String(200), default="")
    licence: Mapped[str] = mapped_column(String(40), default="all-rights-reserved")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    owner = relationship("User")
    assets = relationship(
        "MediaAsset", back_populates="work", order_by="MediaAsset.id", cascade="all, delete-orphan"
    )

    def synopsis_in(self, locale):
        """The synopsis in ``locale``, else in the work's main language, else any."""
        texts = self.synopsis or {}
        return texts.get(str(locale)) or texts.get(self.main_language) or next(iter(texts.values()), "")

    @property
    def current_assets(self):
        return [asset for asset in self.assets if asset.superseded_by_id is None]


class AssetState:
    UPLOADED = "uploaded"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


class MediaAsset(db.Model):
    """One uploaded file and everything derived from it.

    The original is never modified. Its state is derived from its steps: ``uploaded`` until
    verification starts, ``processing`` while any step runs, ``ready`` when every derivative is
    done, ``failed`` (with the step, the reason and whether retrying may help) otherwise.
    """

    __tablename__ = "media_assets"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_id: Mapped[Optional[int]] = mapped_column(ForeignKey("works.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    slot: Mapped[str] = mapped_column(String(64), index=True)
    original_filename: Mapped[str] = mapped_column(String(255))
    declared_type: Mapped[str] = mapped_column(String(127), default="")
    size: Mapped[Optional[int]] = mapped_column(BigInteger)
    sha256: Mapped[Optional[str]] = mapped_column(String(64), index=True)
    kind: Mapped[Optional[str]] = mapped_column(String(16))
    mime: Mapped[Optional[str]] = mapped_column(String(127))
    ext: Mapped[Optional[str]] = mapped_column(String(16))
    quarantine_key: Mapped[Optional[str]] = mapped_column(String(512))
    original_key: Mapped[Optional[str]] = mapped_column(String(512))
    state: Mapped[str] = mapped_column(String(16), default=AssetState.UPLOADED, index=True)
    failed_step: Mapped[Optional[str]] = mapped_column(String(32))
    failure_code: Mapped[Optional[str]] = mapped_column(String(64))
    failure_reason: Mapped[Optional[str]] = mapped_column(String(500))
    failure_retryable: Mapped[bool] = mapped_column(default=False)
    probe: Mapped[Optional[dict]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(default=1)
    supersedes_id: Mapped[Optional[int]] = mapped_column(ForeignKey("media_assets.id", ondelete="SET NULL"))
    superseded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("media_assets.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    log: Mapped[list] = mapped_column(JSON, default=list)
    #: When the stored files of this (replaced, or rejected) version were deleted (retention.py);
    #: its keys are cleared then, the row stays for the version history.
    purged_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    work = relationship("Work", back_populates="assets")
    owner = relationship("User")
    derivatives = relationship(
        "Derivative", back_populates="asset", order_by="Derivative.id", cascade="all, delete-orphan"
    )
    supersedes = relationship("MediaAsset", foreign_keys=[supersedes_id], remote_side=[id], viewonly=True)
    superseded_by = relationship("MediaAsset", foreign_keys=[superseded_by_id], remote_side=[id], viewonly=True)

    def derivative(self, profile):
        return next((d for d in self.derivatives if d.profile == profile), None)

    @property
    def replaced_at(self):
        """When the next version was uploaded in this one's place (None for a current version)."""
        return self.superseded_by.created_at if self.superseded_by is not None else None

    def version_history(self):
        """Every version of this file, oldest first, this one included."""
        versions, seen = [self], {self.id}
        older = self.supersedes
        while older is not None and older.id not in seen:
            versions.insert(0, older)
            seen.add(older.id)
            older = older.supersedes
        newer = self.superseded_by
        while newer is not None and newer.id not in seen:
            versions.append(newer)
            seen.add(newer.id)
            newer = newer.superseded_by
        return versions


class DerivativeState:
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Derivative(db.Model):
    """One product of an asset (thumbnail, preview, screening copy, QC report…) and its status."""

    __tablename__ = "media_derivatives"
    __table_args__ = (UniqueConstraint("asset_id", "profile"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("media_assets.id", ondelete="CASCADE"), index=True)
    profile: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(default=1)
    state: Mapped[str] = mapped_column(String(16), default=DerivativeState.PENDING)
    key: Mapped[Optional[str]] = mapped_column(String(512))
    use_source: Mapped[bool] = mapped_column(default=False)
    size: Mapped[Optional[int]] = mapped_column(BigInteger)
    sha256: Mapped[Optional[str]] = mapped_column(String(64))
    content_type: Mapped[Optional[str]] = mapped_column(String(127))
    meta: Mapped[dict] = mapped_column(JSON, default=dict)
    progress: Mapped[float] = mapped_column(default=0.0)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[Optional[str]] = mapped_column(String(500))
    retryable: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    asset = relationship("MediaAsset", back_populates="derivatives")


class UploadState:
    UPLOADING = "uploading"
    COMPLETED = "completed"
    ABORTED = "aborted"
    EXPIRED = "expired"


def _public_id():
    return uuid.uuid4().hex


#: Before issue 19 was fixed, the key of every resumable upload was built before its public id
#: existed: ``quarantine/None/<file name>``, one key for all the files of that name. Uploads and
#: assets still holding such a key are handled by ``flask residency repair-upload-keys``.
SHARED_QUARANTINE_PREFIX = "quarantine/None/"


def is_shared_quarantine_key(key):
    return bool(key) and key.startswith(SHARED_QUARANTINE_PREFIX)


class Upload(db.Model):
    """A resumable (multipart) upload in progress into a slot. Its parts live in quarantine."""

    __tablename__ = "media_uploads"
    __table_args__ = (Index("ix_media_uploads_state_updated", "state", "updated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=_public_id)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    slot: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    declared_size: Mapped[int] = mapped_column(BigInteger)
    declared_type: Mapped[str] = mapped_column(String(127), default="")
    key: Mapped[str] = mapped_column(String(512))
    storage_upload_id: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16), default=UploadState.UPLOADING)
    asset_id: Mapped[Optional[int]] = mapped_column(ForeignKey("media_assets.id", ondelete="SET NULL"))
    replaces_asset_id: Mapped[Optional[int]] = mapped_column(ForeignKey("media_assets.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    owner = relationship("User")
    asset = relationship("MediaAsset", foreign_keys=[asset_id])
