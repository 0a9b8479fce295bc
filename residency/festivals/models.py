"""Festivals: the partner festivals of the cities, their editions, the catalogue of works offered to
them, the artists' distribution terms, requests, delivery packages, downloads and screenings.

A package follows the *approved version* of each file: the request records the asset ids approved
(``RightsRequest.asset_ids``); a file replaced afterwards does not change the package (its stored
files are kept by the ``media_asset_references`` hook), and the festival asks again to get the new
version.
"""

from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from residency.core.types import UTCDateTime, utcnow
from residency.extensions import db


class Festival(db.Model):
    """A festival organisation of a city (seeded with the cities' flagship festivals, editable)."""

    __tablename__ = "festivals"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="RESTRICT"), index=True)
    website: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    #: What a package for this festival holds (see :mod:`residency.festivals.profiles`).
    delivery_profile: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    city = relationship("City")
    editions = relationship("Edition", back_populates="festival", order_by="Edition.starts_on.desc()",
                            cascade="all, delete-orphan")

    def __repr__(self):
        return f"<Festival {self.slug}>"


class Edition(db.Model):
    """One year's (or season's) edition of a festival: its dates and venues."""

    __tablename__ = "festival_editions"

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    venues: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    festival = relationship("Festival", back_populates="editions")


class CatalogueEntry(db.Model):
    """A work cleared for distribution: offered to the festivals' programmers."""

    __tablename__ = "festival_catalogue"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("works.id", ondelete="CASCADE"), unique=True)
    #: The call (and so the residency) the work comes from, when known.
    call_id: Mapped[Optional[int]] = mapped_column(ForeignKey("calls.id", ondelete="SET NULL"), index=True)
    added_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    work = relationship("Work")
    call = relationship("Call")


class ShortlistItem(db.Model):
    """A work a programmer keeps in mind for an edition."""

    __tablename__ = "festival_shortlist"
    __table_args__ = (UniqueConstraint("edition_id", "user_id", "work_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("festival_editions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("works.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    work = relationship("Work")


class Terms(db.Model):
    """The distribution terms the artist states for a work.

    ``festival_ids`` empty with ``all_festivals`` means every partner festival; ``territories``
    (ISO 3166 codes) empty means worldwide; ``fee_amount`` None means no fee.
    """

    __tablename__ = "festival_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("works.id", ondelete="CASCADE"), unique=True)
    all_festivals: Mapped[bool] = mapped_column(default=True)
    festival_ids: Mapped[list] = mapped_column(JSON, default=list)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    screening: Mapped[bool] = mapped_column(default=True)
    exhibition: Mapped[bool] = mapped_column(default=False)
    fee_amount: Mapped[Optional[int]]
    fee_currency: Mapped[str] = mapped_column(String(3), default="")
    territories: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    work = relationship("Work")


class RequestState:
    REQUESTED = "requested"
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class RightsRequest(db.Model):
    """A festival asks for a work for one of its editions; the artist (or a coordinator) answers."""

    __tablename__ = "festival_requests"
    __table_args__ = (Index("ix_festival_requests_work_state", "work_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("works.id", ondelete="CASCADE"))
    festival_id: Mapped[int] = mapped_column(ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("festival_editions.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    use: Mapped[str] = mapped_column(String(16), default="screening")  # screening | exhibition
    message: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default=RequestState.REQUESTED)
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    decision_message: Mapped[str] = mapped_column(Text, default="")
    #: The ids of the assets (file versions) approved: the package delivers exactly these.
    asset_ids: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    work = relationship("Work")
    festival = relationship("Festival")
    edition = relationship("Edition")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    events = relationship("RequestEvent", back_populates="request", order_by="RequestEvent.id",
                          cascade="all, delete-orphan")
    package = relationship("Package", back_populates="request", uselist=False)


class RequestEvent(db.Model):
    """One step of a request (asked, approved, declined, withdrawn, package ready or failed…), shown
    to both sides."""

    __tablename__ = "festival_request_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("festival_requests.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    request = relationship("RightsRequest", back_populates="events")
    actor = relationship("User")


class PackageState:
    PREPARING = "preparing"
    READY = "ready"
    FAILED = "failed"


class Package(db.Model):
    """The delivery package (a BagIt bag served as a ZIP) of an approved request."""

    __tablename__ = "festival_packages"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("festival_requests.id", ondelete="CASCADE"), unique=True)
    state: Mapped[str] = mapped_column(String(16), default=PackageState.PREPARING)
    profile: Mapped[dict] = mapped_column(JSON, default=dict)
    size: Mapped[Optional[int]] = mapped_column(BigInteger)
    error: Mapped[str] = mapped_column(String(500), default="")
    #: With S3, the ZIP assembled once by a worker and delivered by presigned URL.
    assembled_key: Mapped[Optional[str]] = mapped_column(String(512))
    bagged_on: Mapped[Optional[date]] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ready_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    request = relationship("RightsRequest", back_populates="package")
    files = relationship("PackageFile", back_populates="package", order_by="PackageFile.position",
                         cascade="all, delete-orphan")


class PackageFile(db.Model):
    """One file of a package's bag, in ZIP order: a stored file (``key``, with the size and SHA-256
    computed at ingest) or a small generated one (``content``: tag files, ``metadata.json``)."""

    __tablename__ = "festival_package_files"
    __table_args__ = (UniqueConstraint("package_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("festival_packages.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    path: Mapped[str] = mapped_column(String(300))
    key: Mapped[Optional[str]] = mapped_column(String(512))
    content: Mapped[Optional[bytes]] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    #: The ZIP format's CRC-32, read once when the package is prepared.
    crc32: Mapped[Optional[int]] = mapped_column(BigInteger)

    package = relationship("Package", back_populates="files")


class Download(db.Model):
    """One download (or resumed part of one) of a package: who, when, how many bytes, completed or not."""

    __tablename__ = "festival_downloads"

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("festival_packages.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    range_start: Mapped[int] = mapped_column(BigInteger, default=0)
    range_end: Mapped[int] = mapped_column(BigInteger, default=0)
    bytes_sent: Mapped[int] = mapped_column(BigInteger, default=0)
    completed: Mapped[bool] = mapped_column(default=False)
    via: Mapped[str] = mapped_column(String(16), default="stream")  # stream | presigned
    error: Mapped[str] = mapped_column(String(300), default="")

    package = relationship("Package")
    user = relationship("User")


class Screening(db.Model):
    """A showing of a work recorded by a festival's programmer."""

    __tablename__ = "festival_screenings"

    id: Mapped[int] = mapped_column(primary_key=True)
    festival_id: Mapped[int] = mapped_column(ForeignKey("festivals.id", ondelete="CASCADE"), index=True)
    edition_id: Mapped[Optional[int]] = mapped_column(ForeignKey("festival_editions.id", ondelete="SET NULL"))
    work_id: Mapped[int] = mapped_column(ForeignKey("works.id", ondelete="CASCADE"), index=True)
    screened_on: Mapped[date] = mapped_column(Date)
    venue: Mapped[str] = mapped_column(String(200))
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="RESTRICT"))
    audience: Mapped[Optional[int]]
    recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    festival = relationship("Festival")
    edition = relationship("Edition")
    work = relationship("Work")
    city = relationship("City")
